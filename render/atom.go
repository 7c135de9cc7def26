// Package render turns entries into output documents: the merged Atom feed
// (and later the digest). Pure functions: no I/O, no store, no config.
package render

import (
	"cmp"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gorilla/feeds"
	"github.com/netdigest/netdigest/entry"
)

// FeedInfo describes the merged feed itself.
type FeedInfo struct {
	ID        string // stable URI
	Title     string
	Subtitle  string // optional
	Link      string // public alternate link (where people read it)
	SelfLink  string // URL the feed is served from
	Generator string // e.g. "netdigest"
	Version   string
	// Updated is used when there are no entries (otherwise the newest entry's).
	Updated time.Time
	// Sources describes each source by name for the entries' <source> element.
	Sources map[string]SourceInfo
}

// SourceInfo is what an entry's <source> element says of its origin.
type SourceInfo struct {
	Title string // the source's name as configured
	// URL is the source's public URL (its base, or the fetched URL without
	// userinfo and query; "" for a local snapshot): the <source> id and
	// link when its feed gave none. Never the URL fetched.
	URL string
	// What the source's own feed said of itself, "" when it said nothing.
	FeedID, FeedTitle, FeedLink string
}

// sourceTitle is how the outputs name a source: its configured title, else
// its name.
func (info FeedInfo) sourceTitle(name string) string {
	if src, ok := info.Sources[name]; ok && src.Title != "" {
		return src.Title
	}
	return name
}

// ConferenceScheme is the category scheme of an entry's conference, so that
// readers can tell it from the entry's free-form tags.
const ConferenceScheme = "urn:netdigest:conference"

const atomNS = "http://www.w3.org/2005/Atom"

// EventNS is the RSS 1.0 Event module's namespace: Atom and RSS entries of
// talks carry ev:startdate and ev:enddate from it (W3CDTF, RFC 3339 with
// the talk's own offset). Atom allows foreign elements in an entry.
const EventNS = "http://purl.org/rss/1.0/modules/event/"

// Errors for input that cannot make a valid Atom document.
var (
	ErrNoID   = errors.New("render: missing id")
	ErrNoDate = errors.New("render: missing date")
)

// The types below wrap gorilla/feeds' Atom types rather than using
// Feed.ToAtom, which ignores Feed.Id, writes no rel="self" and no published,
// invents random ids, and serializes Category and Source as invalid Atom.
// Each wrapper field shadows the embedded field with the same XML name:
// encoding/xml keeps the shallowest of conflicting fields.

// atomFeed is <feed>. Shadows: Title (typed text), Link (one link -> self and
// alternate), Entries (wrapped entries); adds generator.
type atomFeed struct {
	feeds.AtomFeed
	EventNS   string           `xml:"xmlns:ev,attr,omitempty"` // only when an entry has a talk time
	Title     atomText         `xml:"title"`
	Links     []feeds.AtomLink `xml:"link"`
	Generator *atomGenerator   `xml:"generator"`
	Entries   []atomEntry      `xml:"entry"`
}

// atomEntry is <entry>. Shadows: Title (typed text), Category (string ->
// category elements), Source (string -> source element), Author and
// Contributor (one -> many); adds the Event module's dates.
type atomEntry struct {
	feeds.AtomEntry
	Title        atomText                `xml:"title"`
	Links        []atomLink              `xml:"link"`
	Authors      []feeds.AtomAuthor      `xml:"author"`
	Contributors []feeds.AtomContributor `xml:"contributor"`
	Categories   []atomCategory          `xml:"category"`
	Source       *atomSource             `xml:"source"`
	StartDate    string                  `xml:"ev:startdate,omitempty"`
	EndDate      string                  `xml:"ev:enddate,omitempty"`
}

// atomLink is feeds.AtomLink with the title attribute RFC 4287 4.2.7.6
// allows: a related link names the source of the other trace.
type atomLink struct {
	Href  string `xml:"href,attr"`
	Rel   string `xml:"rel,attr,omitempty"`
	Title string `xml:"title,attr,omitempty"`
}

// atomText is a plain text construct with an explicit type.
type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

type atomGenerator struct {
	URI     string `xml:"uri,attr,omitempty"`
	Version string `xml:"version,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// atomSource is <source>: everything in it is optional in RFC 4287.
type atomSource struct {
	ID      string          `xml:"id,omitempty"`
	Title   *atomText       `xml:"title"`
	Link    *feeds.AtomLink `xml:"link"`
	Updated string          `xml:"updated,omitempty"`
}

// Atom renders a valid RFC 4287 feed of entries in the given order.
//
// The feed has no author of its own, so every entry gets one: its authors,
// else its speakers, else its source's name. Speakers of an entry that has
// authors (a write-up's blogger) are its contributors. A talk's time is
// ev:startdate and ev:enddate (EventNS, declared on the feed when used);
// each other trace of its talk (Entry.Related) a <link rel="related"> titled
// with that trace's source. It returns ErrNoID for a feed or entry without id
// and ErrNoDate for an entry with neither Updated, Published nor FirstSeen,
// or an empty feed without Updated, since Atom requires both.
func Atom(info FeedInfo, entries []entry.Entry) ([]byte, error) {
	if info.ID == "" {
		return nil, fmt.Errorf("render atom: feed: %w", ErrNoID)
	}
	feed := atomFeed{
		AtomFeed: feeds.AtomFeed{
			Xmlns:    atomNS,
			Id:       info.ID,
			Subtitle: info.Subtitle,
		},
		Title: atomText{Type: "text", Text: info.Title},
	}
	if info.SelfLink != "" {
		feed.Links = append(feed.Links, feeds.AtomLink{Href: info.SelfLink, Rel: "self", Type: "application/atom+xml"})
	}
	if info.Link != "" {
		feed.Links = append(feed.Links, feeds.AtomLink{Href: info.Link, Rel: "alternate", Type: "text/html"})
	}
	gen := info.Generator
	if gen == "" {
		gen = "netdigest"
	}
	feed.Generator = &atomGenerator{Version: info.Version, Text: gen}

	var newest time.Time
	for i := range entries {
		e := &entries[i]
		ae, updated, err := newAtomEntry(info, e)
		if err != nil {
			return nil, fmt.Errorf("render atom: entry %d (%q): %w", i, e.ID, err)
		}
		if updated.After(newest) {
			newest = updated
		}
		if ae.StartDate != "" || ae.EndDate != "" {
			feed.EventNS = EventNS
		}
		feed.Entries = append(feed.Entries, ae)
	}
	if len(entries) == 0 {
		if info.Updated.IsZero() {
			return nil, fmt.Errorf("render atom: empty feed without Updated: %w", ErrNoDate)
		}
		newest = info.Updated
	}
	feed.Updated = atomTime(newest)

	body, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render atom: marshal: %w", err)
	}
	out := make([]byte, 0, len(xml.Header)+len(body)+1)
	out = append(out, xml.Header...)
	out = append(out, body...)
	return append(out, '\n'), nil
}

// newAtomEntry converts e and returns the time written as its <updated>.
func newAtomEntry(info FeedInfo, e *entry.Entry) (atomEntry, time.Time, error) {
	if e.ID == "" {
		return atomEntry{}, time.Time{}, ErrNoID
	}
	published := e.Date()
	updated := e.Updated
	if updated.IsZero() {
		updated = published
	}
	if updated.IsZero() {
		return atomEntry{}, time.Time{}, ErrNoDate
	}

	src, known := info.Sources[e.Source]
	sourceName := info.sourceTitle(e.Source)

	ae := atomEntry{
		AtomEntry: feeds.AtomEntry{
			Id:      e.ID,
			Updated: atomTime(updated),
		},
		Title: atomText{Type: "text", Text: e.Title},
	}
	if !published.IsZero() {
		ae.Published = atomTime(published)
	}
	if e.Link != "" {
		ae.Links = []atomLink{{Href: e.Link, Rel: "alternate"}}
	}
	// The other traces of its talk (entry.Related, from the store).
	for _, r := range e.Related {
		if r.Link != "" {
			ae.Links = append(ae.Links, atomLink{Href: r.Link, Rel: "related", Title: info.sourceTitle(r.Source)})
		}
	}
	if e.Summary != "" {
		ae.Summary = &feeds.AtomSummary{Type: "text", Content: e.Summary}
	}
	if e.Content != "" {
		ae.Content = &feeds.AtomContent{Type: "html", Content: e.Content}
	}

	for _, a := range e.Byline() {
		if a = strings.TrimSpace(a); a != "" {
			ae.Authors = append(ae.Authors, feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: a}})
		}
	}
	if len(e.Authors) > 0 {
		for _, sp := range e.Speakers {
			if name := strings.TrimSpace(sp.String()); name != "" {
				ae.Contributors = append(ae.Contributors, feeds.AtomContributor{AtomPerson: feeds.AtomPerson{Name: name}})
			}
		}
	}
	ae.StartDate, ae.EndDate = EventTime(e.EventStart), EventTime(e.EventEnd)
	if len(ae.Authors) == 0 {
		// RFC 4287 4.1.2: with no feed author every entry needs one, and
		// atom:name must be present; the source is the honest fallback.
		name := sourceName
		if name == "" {
			name = info.Title
		}
		if name == "" {
			name = "unknown"
		}
		ae.Authors = []feeds.AtomAuthor{{AtomPerson: feeds.AtomPerson{Name: name}}}
	}

	ae.Categories = categories(e.Conference, e.Tags)

	if sourceName != "" {
		// RFC 4287 4.2.11: the origin feed's own metadata when it has it.
		title := sourceName
		if known && src.FeedTitle != "" {
			title = src.FeedTitle
		}
		s := &atomSource{
			Title:   &atomText{Type: "text", Text: title},
			Updated: atomTime(updated),
		}
		if known {
			s.ID = cmp.Or(src.FeedID, src.URL)
			if link := cmp.Or(src.FeedLink, src.URL); link != "" {
				s.Link = &feeds.AtomLink{Href: link}
			}
		}
		ae.Source = s
	}
	return ae, updated, nil
}

// categories returns the conference (with ConferenceScheme) then each tag,
// skipping empty and repeated terms so a tag naming the conference is not
// listed twice.
func categories(conference string, tags []string) []atomCategory {
	var cats []atomCategory
	seen := make(map[string]bool, len(tags)+1)
	if c := strings.TrimSpace(conference); c != "" {
		cats = append(cats, atomCategory{Term: c, Scheme: ConferenceScheme})
		seen[c] = true
	}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		cats = append(cats, atomCategory{Term: t})
	}
	return cats
}

// EventTime writes a talk's time in RFC 3339 (a W3CDTF profile) with its
// own offset, so a reader sees the local time of the talk; "" for zero.
func EventTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

func atomTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
