package pipeline

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/opml"
	"github.com/netdigest/netdigest/redact"
)

// OPMLDocs is the spec an exported file points to (head <docs>).
const OPMLDocs = "http://opml.org/spec2.opml"

// OPML is the subscription list of cfg's sources, the one builder of it (the
// server's /sources.opml and `netdigest opml export`). Sources of a
// conference sit in a folder named for it, the others at the top, in file
// order. A feed is type="rss" with its xmlUrl, any other kind a page with its
// htmlUrl; both are config.Source.PublicURL, never the URL fetched. A
// file:// snapshot without base has no public URL: its outline carries its
// name only, so the list is complete without saying how the host is laid out.
// Tags go in the spec's category attribute.
func OPML(cfg *config.Config) *opml.Document {
	doc := &opml.Document{Version: "2.0", Head: opml.Head{Title: cfg.Title, Docs: OPMLDocs}}
	folder := map[string]int{} // conference → index in doc.Outlines
	for _, s := range cfg.Sources {
		o := opml.Outline{Text: s.Name, Title: s.Name}
		if len(s.Tags) > 0 {
			o.Category = "/" + strings.Join(s.Tags, ",/")
		}
		switch {
		case s.PublicURL == "":
		case s.Kind == config.KindFeed:
			o.Type, o.XMLURL = opml.TypeRSS, s.PublicURL
		default:
			o.HTMLURL = s.PublicURL
		}
		if s.Conference == "" {
			doc.Outlines = append(doc.Outlines, o)
			continue
		}
		i, ok := folder[s.Conference]
		if !ok {
			i = len(doc.Outlines)
			folder[s.Conference] = i
			doc.Outlines = append(doc.Outlines, opml.Outline{Text: s.Conference, Title: s.Conference, Conference: s.Conference})
		}
		doc.Outlines[i].Outlines = append(doc.Outlines[i].Outlines, o)
	}
	return doc
}

// Import is what importing an OPML file adds to a config, and what it leaves.
type Import struct {
	Add     []config.NewSource
	Skipped []Skipped
}

// Skipped is an outline not added, and why.
type Skipped struct {
	Line   int    // in the OPML file
	Label  string // the outline's text
	URL    string // shown through redact
	Reason string
}

// feedTypes are the outline types that are feeds: the spec's "rss" (used
// for Atom and JSON Feed too), none (Miniflux writes none), and the format
// names some readers write instead.
var feedTypes = []string{"", "rss", "atom", "json", "jsonfeed"}

// PlanImport says which of doc's feeds become kind feed sources next to
// existing: named from the outline's text (valid and unique), the folders
// holding it as tags (a netdigest conference folder as its conference), its
// categories as tags too. A feed already configured (same URL or public URL)
// is skipped, as is a page, an outline of another type, and a URL that is not
// plain http(s). A feed listed in several folders (Feedly exports one per
// category) is added once with the tags of all.
func PlanImport(existing []config.Source, doc *opml.Document) Import {
	var plan Import
	taken := map[string]bool{}
	have := map[string]string{} // URL key → name of the source
	for _, s := range existing {
		taken[strings.ToLower(s.Name)] = true
		for _, u := range []string{s.URL, s.PublicURL} {
			if k := urlKey(u); k != "" {
				have[k] = s.Name
			}
		}
	}
	added := map[string]int{} // URL key → index in plan.Add
	for _, f := range doc.Walk() {
		label := f.Label()
		skip := func(reason string, args ...any) {
			plan.Skipped = append(plan.Skipped, Skipped{Line: f.Line, Label: label, URL: redact.String(f.XMLURL), Reason: fmt.Sprintf(reason, args...)})
		}
		if f.XMLURL == "" {
			if f.HTMLURL != "" {
				plan.Skipped = append(plan.Skipped, Skipped{Line: f.Line, Label: label, URL: redact.String(f.HTMLURL),
					Reason: "a page, not a feed (no xmlUrl): add it as kind html with selectors if wanted"})
			}
			continue // an empty folder or a note
		}
		if !slices.Contains(feedTypes, strings.ToLower(f.Type)) {
			skip("type %q is not a feed", f.Type)
			continue
		}
		u, reason := feedURL(f.XMLURL)
		if reason != "" {
			skip("%s", reason)
			continue
		}
		k := urlKey(u)
		tags, conference := outlineTags(f)
		if name, ok := have[k]; ok {
			skip("already in the config as source %q", name)
			continue
		}
		if i, ok := added[k]; ok {
			a := &plan.Add[i]
			a.Tags = append(a.Tags, tags...)
			if a.Conference == "" {
				a.Conference = conference
			}
			skip("listed again: added once as %q, with the tags of both", a.Name)
			continue
		}
		isTaken := func(n string) bool { return taken[strings.ToLower(n)] }
		name := config.MakeName(label, isTaken)
		if name == "" {
			// A title in another script: the feed's host names it.
			pu, _ := url.Parse(u)
			name = config.MakeName(strings.TrimPrefix(pu.Hostname(), "www."), isTaken)
		}
		if name == "" {
			name = config.MakeName("feed", isTaken)
		}
		taken[strings.ToLower(name)] = true
		added[k] = len(plan.Add)
		ns := config.NewSource{Name: name, Kind: config.KindFeed, URL: u, Conference: conference, Tags: tags}
		if label != "" && label != name {
			ns.Comment = label
		}
		plan.Add = append(plan.Add, ns)
	}
	return plan
}

// outlineTags are the labels of f's folders and f's categories; a netdigest
// conference folder gives the conference instead (the innermost one).
func outlineTags(f opml.Item) (tags []string, conference string) {
	for _, folder := range f.Folders {
		if folder.Conference != "" {
			conference = folder.Conference
			continue
		}
		if l := folder.Label(); l != "" {
			tags = append(tags, l)
		}
	}
	return append(tags, f.Categories()...), conference
}

// feedURL checks an xmlUrl from a file someone else wrote: only absolute
// http(s) URLs, since a file:// one would publish a local file, and no
// "${", which the config would read as a reference to an environment
// variable and send that secret to the feed's host.
func feedURL(raw string) (string, string) {
	if strings.Contains(raw, "${") {
		return "", "the URL holds \"${\", which the config reads as an environment variable: add it by hand if meant"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "not an absolute http(s) URL"
	}
	return u.String(), ""
}

// urlKey compares URLs the way they name the same feed: scheme and host in
// any case.
func urlKey(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	return u.String()
}
