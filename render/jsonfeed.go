package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// JSONFeedVersion is the version URL of the JSON Feed documents JSONFeed writes.
const JSONFeedVersion = "https://jsonfeed.org/version/1.1"

// jsonFeed is a JSON Feed 1.1 document (https://jsonfeed.org/version/1.1).
type jsonFeed struct {
	Version     string         `json:"version"`
	Title       string         `json:"title"`
	HomePageURL string         `json:"home_page_url,omitempty"`
	FeedURL     string         `json:"feed_url,omitempty"`
	Description string         `json:"description,omitempty"`
	Items       []jsonFeedItem `json:"items"`
}

type jsonFeedItem struct {
	ID    string `json:"id"`
	URL   string `json:"url,omitempty"`
	Title string `json:"title,omitempty"`
	// One of ContentHTML and ContentText is required; ContentText is
	// written (possibly empty) only when there is no HTML.
	ContentHTML   string           `json:"content_html,omitempty"`
	ContentText   *string          `json:"content_text,omitempty"`
	Summary       string           `json:"summary,omitempty"`
	DatePublished string           `json:"date_published,omitempty"`
	DateModified  string           `json:"date_modified,omitempty"`
	Authors       []jsonFeedAuthor `json:"authors,omitempty"`
	Tags          []string         `json:"tags,omitempty"`
	// Netdigest is an extension (JSON Feed allows keys starting with "_"):
	// what the standard fields have no place for.
	Netdigest *jsonFeedExt `json:"_netdigest,omitempty"`
}

type jsonFeedAuthor struct {
	Name string `json:"name"`
}

type jsonFeedExt struct {
	Source     string `json:"source,omitempty"`
	Conference string `json:"conference,omitempty"`
	// The talk fields, as entry.Entry names them in JSON; event times in
	// RFC 3339 with the talk's own offset.
	EventStart string          `json:"event_start,omitempty"`
	EventEnd   string          `json:"event_end,omitempty"`
	Speakers   []entry.Speaker `json:"speakers,omitempty"`
	Session    string          `json:"session,omitempty"`
	Track      string          `json:"track,omitempty"`
	Role       entry.Role      `json:"role,omitempty"`
	// Related are the other traces of the entry's talk, as Atom's
	// rel="related" links.
	Related []jsonFeedRelated `json:"related,omitempty"`
}

type jsonFeedRelated struct {
	ID     string     `json:"id"`
	URL    string     `json:"url,omitempty"`
	Title  string     `json:"title,omitempty"`
	Source string     `json:"source"`
	Role   entry.Role `json:"role,omitempty"`
}

// JSONFeed renders a JSON Feed 1.1 document of entries in the given order.
// info.SelfLink is the feed_url and info.Link the home_page_url; info.ID,
// Generator, Version and Updated have no place in JSON Feed.
//
// Each item carries its id, link, title, content_html (or content_text with
// the summary when the entry has no HTML), summary, dates in RFC 3339,
// authors (the source's name when the entry has none, as in Atom), tags (the
// conference then the tags, as Atom categories) and a "_netdigest" extension
// naming its source and conference and holding its talk fields (event_start,
// event_end, speakers, session, track, role) and the other traces of its
// talk (related: id, url, title, source, role). An entry without id gives ErrNoID.
func JSONFeed(info FeedInfo, entries []entry.Entry) ([]byte, error) {
	feed := jsonFeed{
		Version:     JSONFeedVersion,
		Title:       info.Title,
		HomePageURL: absURL(info.Link),
		FeedURL:     absURL(info.SelfLink),
		Description: info.Subtitle,
		Items:       make([]jsonFeedItem, 0, len(entries)),
	}
	for i := range entries {
		e := &entries[i]
		if e.ID == "" {
			return nil, fmt.Errorf("render json feed: entry %d: %w", i, ErrNoID)
		}
		item := jsonFeedItem{
			ID:          e.ID,
			URL:         absURL(e.Link),
			Title:       e.Title,
			ContentHTML: e.Content,
			Summary:     e.Summary,
		}
		if e.Content == "" {
			text := e.Summary
			item.ContentText = &text
			item.Summary = ""
		}
		published := e.Date()
		if !published.IsZero() {
			item.DatePublished = jsonTime(published)
		}
		if !e.Updated.IsZero() && !e.Updated.Equal(published) {
			item.DateModified = jsonTime(e.Updated)
		}
		for _, a := range e.Byline() {
			if a = strings.TrimSpace(a); a != "" {
				item.Authors = append(item.Authors, jsonFeedAuthor{Name: a})
			}
		}
		sourceName := info.sourceTitle(e.Source)
		if len(item.Authors) == 0 && sourceName != "" {
			item.Authors = []jsonFeedAuthor{{Name: sourceName}}
		}
		for _, c := range categories(e.Conference, e.Tags) {
			item.Tags = append(item.Tags, c.Term)
		}
		ext := jsonFeedExt{Source: e.Source, Conference: strings.TrimSpace(e.Conference),
			EventStart: EventTime(e.EventStart), EventEnd: EventTime(e.EventEnd),
			Speakers: e.Speakers, Session: e.Session, Track: e.Track, Role: e.Role}
		for _, r := range e.Related {
			ext.Related = append(ext.Related, jsonFeedRelated{ID: r.ID, URL: absURL(r.Link), Title: r.Title,
				Source: r.Source, Role: r.Role})
		}
		if !reflect.ValueOf(ext).IsZero() {
			item.Netdigest = &ext
		}
		feed.Items = append(feed.Items, item)
	}

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Served as application/feed+json, never sniffed as HTML: escaping <, >
	// and & as \u003c… would only make content_html unreadable.
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(feed); err != nil {
		return nil, fmt.Errorf("render json feed: %w", err)
	}
	return buf.Bytes(), nil
}

// absURL returns s when it is an absolute URL, else "": JSON Feed's URL
// fields are URIs, and a relative one would resolve against nothing.
func absURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.IsAbs() {
		return s
	}
	return ""
}

func jsonTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
