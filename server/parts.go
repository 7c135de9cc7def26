package server

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/render"
)

// The feeds and pages of a part of the whole: /topics/<slug>(.atom|.json|.rss)
// and /conferences/<slug>(…). The feeds go through feedFormat and
// serveFeed like /feed.atom (same cache, validators, 304s and gzip).

// PartsTemplate is the page listing the topics and conferences (the answer
// to an unknown slug, and /topics/, /conferences/); it also defines
// "partlists", which the home page uses to link every part.
const PartsTemplate = "parts.html.tmpl"

// PartView is the part a page shows (nil on the home page).
type PartView struct {
	Kind string // render.KindTopic or render.KindConference
	Name string
}

// PartList is one kind of part, listed with links.
type PartList struct {
	Title string // "Topics"
	Href  string // the list's own page, relative to the page showing it
	Links []PartLink
}

// PartLink is a link to one part's page.
type PartLink struct {
	Name string
	Href string // relative to the page showing it
	Slug string
}

// PartsData is what parts.html.tmpl executes on.
type PartsData struct {
	Site    SiteData
	Heading string
	Message string // why this page: "No topic is called “foo”." or ""
	Lists   []PartList
}

// partCache holds the known parts and their feeds' caches until the store
// changes (or CacheTTL passes): resolving a slug reads every stored tag, so
// it is done once per store change, not per request.
type partCache struct {
	mu    sync.Mutex
	key   storeKey
	at    time.Time
	kinds map[string][]pipeline.Part
	feeds map[string]*feedFormat // by file ("topics/xdp.atom")
}

// parts returns the known parts of every kind, and the feed caches that go
// with them, as of key.
func (s *server) parts(ctx context.Context, key storeKey) (map[string][]pipeline.Part, map[string]*feedFormat, error) {
	c := &s.partCache
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	if c.kinds != nil && c.key == key && now.Sub(c.at) < s.cacheTTL && !now.Before(c.at) {
		return c.kinds, c.feeds, nil
	}
	kinds := map[string][]pipeline.Part{}
	for _, kind := range pipeline.PartKinds() {
		ps, err := s.runner.Parts(ctx, kind)
		if err != nil {
			return nil, nil, err
		}
		kinds[kind] = ps
	}
	// New parts, new caches: a part's spellings may have changed with the
	// store, and its feed is rendered again anyway since the key changed.
	c.kinds, c.feeds, c.key, c.at = kinds, map[string]*feedFormat{}, key, now
	return c.kinds, c.feeds, nil
}

// partHandler serves /<kind>/<slug> (the page) and /<kind>/<slug>.<ext>
// (its feed in each format).
func (s *server) partHandler(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		name, ext, isFeed := strings.Cut(r.PathValue("file"), ".")
		var format pipeline.Format
		if isFeed {
			f, ok := pipeline.FormatByExt(ext)
			if !ok {
				s.partsPage(w, r, kind, name+"."+ext, http.StatusNotFound)
				return
			}
			format = f
		}
		key, err := s.storeKey(ctx)
		if err != nil {
			s.unavailable(w, r, err)
			return
		}
		kinds, feeds, err := s.parts(ctx, key)
		if err != nil {
			s.unavailable(w, r, err)
			return
		}
		var part *pipeline.Part
		for i, p := range kinds[kind] {
			if p.Slug == name {
				part = &kinds[kind][i]
				break
			}
		}
		if part == nil {
			s.partsPage(w, r, kind, r.PathValue("file"), http.StatusNotFound)
			return
		}
		if !isFeed {
			s.partPage(w, r, *part)
			return
		}
		file := part.File(format.Ext)
		s.partCache.mu.Lock()
		f := feeds[file]
		if f == nil {
			p := *part
			f = &feedFormat{name: file, contentType: format.ContentType,
				render: func(ctx context.Context) ([]byte, time.Time, error) { return s.runner.Render(ctx, &p, format) }}
			feeds[file] = f
		}
		s.partCache.mu.Unlock()
		s.serveFeed(w, r, f, key)
	}
}

// partIndex serves /<kind>/: the list of that kind's parts (and the others).
func (s *server) partIndex(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.partsPage(w, r, kind, "", http.StatusOK)
	}
}

// partsPage lists every known part; with missing, as the 404 answer to an
// unknown one. The page is under /<kind>/, so its links are relative to it.
func (s *server) partsPage(w http.ResponseWriter, r *http.Request, kind, missing string, status int) {
	ctx := r.Context()
	key, err := s.storeKey(ctx)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	kinds, _, err := s.parts(ctx, key)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	data := PartsData{Site: s.site(s.now(), "../"), Heading: partListTitle(kind), Lists: partLists(kinds, "../")}
	if missing != "" {
		data.Heading = "Not found"
		data.Message = "There is no " + renderKind(kind) + " at " + kind + "/" + missing + ". The known ones are listed below."
	}
	s.writeHTMLStatus(w, r, status, s.pages.parts, data)
}

// partPage is /<kind>/<slug>: the home page's layout for the part's entries,
// with the part's feeds to subscribe to and discover.
func (s *server) partPage(w http.ResponseWriter, r *http.Request, p pipeline.Part) {
	ctx := r.Context()
	entries, err := s.runner.PartEntries(ctx, p, s.maxEntries())
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	now := s.now()
	site := s.site(now, "../")
	info := s.runner.FeedInfo(&p, p.File("atom"), nil)
	site.Title = info.Title
	site.Atom, site.JSON, site.RSS = p.Slug+".atom", p.Slug+".json", p.Slug+".rss"
	site.FeedURL = pipeline.PublicURL(s.cfg.Link, p.File("atom"))
	kind := renderKind(p.Kind)
	d := PageData{Site: site, Count: len(entries), NextDigest: s.nextDigest(now), Part: &PartView{Kind: kind, Name: p.Name}}
	d.Groups = s.groupViews(entries, now)
	if len(entries) == 0 {
		d.Headline = "No entries of this " + kind + " yet."
	} else {
		d.Headline = countNoun(len(entries), "latest entry", "latest entries") + " of the " + kind + " " + p.Name
	}
	s.writeHTML(w, r, s.pages.page, d)
}

// homeParts lists the parts for the home page (links relative to it).
func (s *server) homeParts(ctx context.Context) ([]PartList, error) {
	key, err := s.storeKey(ctx)
	if err != nil {
		return nil, err
	}
	kinds, _, err := s.parts(ctx, key)
	if err != nil {
		return nil, err
	}
	return partLists(kinds, "./"), nil
}

func partLists(kinds map[string][]pipeline.Part, home string) []PartList {
	var out []PartList
	for _, kind := range pipeline.PartKinds() {
		l := PartList{Title: partListTitle(kind), Href: home + kind + "/"}
		for _, p := range kinds[kind] {
			l.Links = append(l.Links, PartLink{Name: p.Name, Href: home + p.Path(), Slug: p.Slug})
		}
		if len(l.Links) > 0 {
			out = append(out, l)
		}
	}
	return out
}

func partListTitle(kind string) string {
	if kind == pipeline.PartConferences {
		return "Conferences"
	}
	return "Topics"
}

// renderKind is the group kind (render.KindTopic…) a part kind shows as.
func renderKind(kind string) string {
	if kind == pipeline.PartConferences {
		return render.KindConference
	}
	return render.KindTopic
}
