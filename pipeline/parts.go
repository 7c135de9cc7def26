package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/netdigest/netdigest/atomicfile"
	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/render"
	"github.com/netdigest/netdigest/slug"
	"github.com/netdigest/netdigest/store"
)

// The kinds of part of the whole, each also the directory its feeds and
// pages live under: <link>topics/xdp.atom, <output>/conferences/netdev-0-1.rss.
const (
	PartTopics      = "topics"
	PartConferences = "conferences"
)

// PartKinds are the kinds of part, in the order pages list them.
func PartKinds() []string { return []string{PartTopics, PartConferences} }

// Part is one topic or one conference: the entries tagged with it, or of it.
// Names with the same slug are one part ("XDP" and the tag "xdp"; "Netdev
// 0.1" and "netdev 0.1"): a slug addresses one feed, so what it addresses
// must be one thing, and the tags are already merged ignoring case.
type Part struct {
	Kind string // PartTopics or PartConferences
	Slug string // slug.Make of Name (slug.Hashed of it when that is empty)
	Name string // the first spelling: the config's, else the store's
	// names are every spelling with this slug, which the store is asked for.
	names []string
}

// Path is the part's page under the public link ("topics/xdp").
func (p Part) Path() string { return p.Kind + "/" + p.Slug }

// File is the part's feed in format ext under the public link or the output
// directory ("topics/xdp.atom").
func (p Part) File(ext string) string { return p.Path() + "." + ext }

// maxPartSlug bounds a part's slug, which names its files: a conference
// named by a source's data must not make a name the file system refuses
// (255 bytes). Longer names are cut at a "-", so two of them that share
// their first 100 bytes share a part.
const maxPartSlug = 100

// PartSlug is the slug a part's name is addressed by.
func PartSlug(name string) string {
	if s := slug.Cut(slug.Make(name), maxPartSlug); s != "" {
		return s
	}
	return slug.Hashed(name) // "日本語": still a page of its own
}

// ErrNoPart is the error for a slug no topic or conference has.
var ErrNoPart = errors.New("no such part")

// Parts lists the known parts of kind: for PartTopics the config's topics (in
// file order); for PartConferences the sources' conferences (in config order),
// then those only stored entries name (sorted). Each part also carries the
// spellings of its slug that stored tags or conferences use.
func (r *Runner) Parts(ctx context.Context, kind string) ([]Part, error) {
	var declared, stored []string
	var err error
	switch kind {
	case PartTopics:
		for _, t := range r.Config.Topics {
			declared = append(declared, t.Name)
		}
		stored, err = r.Store.Tags(ctx)
	case PartConferences:
		for _, s := range r.Config.Sources {
			if s.Conference != "" {
				declared = append(declared, s.Conference)
			}
		}
		stored, err = r.Store.Conferences(ctx)
	default:
		return nil, fmt.Errorf("parts: unknown kind %q", kind)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", kind, err)
	}
	var parts []Part
	index := map[string]int{}
	add := func(name string, known bool) {
		name = strings.TrimSpace(name)
		if name == "" {
			return
		}
		s := PartSlug(name)
		i, ok := index[s]
		if !ok {
			if !known {
				return // a tag is a topic only when the config names it
			}
			index[s] = len(parts)
			parts = append(parts, Part{Kind: kind, Slug: s, Name: name})
			i = len(parts) - 1
		}
		if !slices.Contains(parts[i].names, name) {
			parts[i].names = append(parts[i].names, name)
		}
	}
	for _, n := range declared {
		add(n, true)
	}
	for _, n := range stored {
		add(n, kind == PartConferences)
	}
	return parts, nil
}

// FindPart returns the part of kind with slug s, or ErrNoPart with the known
// parts of kind (for the page that lists them).
func (r *Runner) FindPart(ctx context.Context, kind, s string) (Part, []Part, error) {
	parts, err := r.Parts(ctx, kind)
	if err != nil {
		return Part{}, nil, err
	}
	for _, p := range parts {
		if p.Slug == s {
			return p, parts, nil
		}
	}
	return Part{}, parts, fmt.Errorf("%s/%s: %w", kind, s, ErrNoPart)
}

// FindPartByName is FindPart for a name as a user types it ("Netdev 0.1").
func (r *Runner) FindPartByName(ctx context.Context, kind, name string) (Part, []Part, error) {
	return r.FindPart(ctx, kind, PartSlug(strings.TrimSpace(name)))
}

// PartEntries returns the newest limit entries of part, as Latest orders
// them.
func (r *Runner) PartEntries(ctx context.Context, p Part, limit int) ([]entry.Entry, error) {
	var es []entry.Entry
	var err error
	if p.Kind == PartTopics {
		es, err = r.Store.LatestTagged(ctx, p.names, limit)
	} else {
		es, err = r.Store.LatestOfConference(ctx, p.names, limit)
	}
	if err != nil {
		return nil, err
	}
	return es, nil
}

// Format is one served and written form of a feed.
type Format struct {
	Ext         string // "atom": the file's extension
	ContentType string
	Render      func(render.FeedInfo, []entry.Entry) ([]byte, error)
}

// Formats are the feed formats, Atom first.
func Formats() []Format {
	return []Format{
		{"atom", "application/atom+xml; charset=utf-8", render.Atom},
		{"json", "application/feed+json; charset=utf-8", render.JSONFeed},
		{"rss", "application/rss+xml; charset=utf-8", render.RSS},
	}
}

// FormatByExt returns the format written with extension ext.
func FormatByExt(ext string) (Format, bool) {
	for _, f := range Formats() {
		if f.Ext == ext {
			return f, true
		}
	}
	return Format{}, false
}

// FeedInfo describes a feed served at file under the public link: the
// merged feed when part is nil, else part's own, with an id derived from the
// merged feed's (so it is as stable), the site's name and the part's in its
// title ("netdigest — XDP") and the part's page as its alternate link.
func (r *Runner) FeedInfo(part *Part, file string, states []store.SourceState) render.FeedInfo {
	cfg := r.Config
	info := render.FeedInfo{
		ID:        cfg.ID,
		Title:     cfg.Title,
		Link:      cfg.Link,
		SelfLink:  PublicURL(cfg.Link, file),
		Generator: "netdigest",
		Version:   r.Version,
		Updated:   r.now(),
		Sources:   SourceInfos(cfg.Sources, states),
	}
	if part == nil {
		return info
	}
	info.ID = strings.TrimRight(cfg.ID, "/") + "/" + part.Path()
	site, _, _ := strings.Cut(cfg.Title, " — ")
	info.Title = strings.TrimSpace(site) + " — " + part.Name
	if part.Kind == PartTopics {
		info.Subtitle = "Entries on " + part.Name + " from " + cfg.Title
	} else {
		info.Subtitle = "Entries of " + part.Name + " from " + cfg.Title
	}
	info.Link = PublicURL(cfg.Link, part.Path())
	return info
}

// ErrRender marks a failure to render entries the store did give (not the
// store's failure).
var ErrRender = errors.New("render")

// Render renders a feed in format f: the merged feed when part is nil, else
// part's. It returns the bytes and the newest entry update (the
// Last-Modified a server sends).
func (r *Runner) Render(ctx context.Context, part *Part, f Format) ([]byte, time.Time, error) {
	file := "feed." + f.Ext
	var entries []entry.Entry
	var err error
	if part == nil {
		entries, err = r.Store.Latest(ctx, r.Config.MaxEntries)
	} else {
		file = part.File(f.Ext)
		entries, err = r.PartEntries(ctx, *part, r.Config.MaxEntries)
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("feed %s: %w", file, err)
	}
	states, err := r.Store.Sources(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("feed %s: %w", file, err)
	}
	info := r.FeedInfo(part, file, states)
	body, err := f.Render(info, entries)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("feed %s: %w: %w", file, ErrRender, err)
	}
	return body, NewestUpdate(entries, info.Updated), nil
}

// PublishedKinds are the kinds of part the config's publish: asks run and
// serve to write as files.
func PublishedKinds(cfg *config.Config) []string {
	var kinds []string
	if cfg.Publish.Topics {
		kinds = append(kinds, PartTopics)
	}
	if cfg.Publish.Conferences {
		kinds = append(kinds, PartConferences)
	}
	return kinds
}

// PublishParts writes the feeds publish: asks for under <output> (nothing
// when it asks for none).
func (r *Runner) PublishParts(ctx context.Context) (Published, error) {
	return r.WriteParts(ctx, r.Config.Output, PublishedKinds(r.Config)...)
}

// Published is what WriteParts did: the paths written, and the stale ones
// removed.
type Published struct {
	Written, Removed []string
}

// WriteParts writes every format of the feed of every known part of the
// given kinds under dir (<dir>/topics/xdp.atom…), each atomically. A feed
// file left in those directories by a part no longer known (a topic taken
// out of the config) is removed, so a static web server stops serving it;
// other files there are left alone.
func (r *Runner) WriteParts(ctx context.Context, dir string, kinds ...string) (Published, error) {
	var pub Published
	for _, kind := range kinds {
		parts, err := r.Parts(ctx, kind)
		if err != nil {
			return pub, fmt.Errorf("feed: %w", err)
		}
		kindDir := filepath.Join(dir, kind)
		if err := os.MkdirAll(kindDir, 0o755); err != nil {
			return pub, fmt.Errorf("feed: %w", err)
		}
		current := map[string]bool{}
		for _, p := range parts {
			for _, f := range Formats() {
				body, _, err := r.Render(ctx, &p, f)
				if err != nil {
					return pub, err
				}
				path := filepath.Join(dir, filepath.FromSlash(p.File(f.Ext)))
				if err := atomicfile.Write(path, body, 0o644); err != nil {
					return pub, fmt.Errorf("feed %s: %w", p.File(f.Ext), err)
				}
				current[filepath.Base(path)] = true
				pub.Written = append(pub.Written, path)
			}
		}
		removed, err := removeStale(kindDir, current)
		pub.Removed = append(pub.Removed, removed...)
		if err != nil {
			return pub, fmt.Errorf("feed: %w", err)
		}
	}
	return pub, nil
}

// removeStale removes the feed files (by their formats' extensions) in dir
// that keep does not name.
func removeStale(dir string, keep map[string]bool) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		ext := strings.TrimPrefix(filepath.Ext(name), ".")
		if _, isFeed := FormatByExt(ext); !isFeed || keep[name] || !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, name)
		if err := os.Remove(path); err != nil {
			return removed, err
		}
		removed = append(removed, path)
	}
	return removed, nil
}

// NewestUpdate is a feed's Last-Modified: its newest entry update, else now
// for an empty feed.
func NewestUpdate(entries []entry.Entry, now time.Time) time.Time {
	var newest time.Time
	for i := range entries {
		t := entries[i].Updated
		if t.IsZero() {
			t = entries[i].Date()
		}
		if t.After(newest) {
			newest = t
		}
	}
	if newest.IsZero() {
		return now
	}
	return newest
}

// PublicURL is file under the configured public link.
func PublicURL(link, file string) string {
	if link == "" {
		return ""
	}
	if !strings.HasSuffix(link, "/") {
		link += "/"
	}
	return link + file
}
