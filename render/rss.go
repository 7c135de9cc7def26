package render

import (
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/gorilla/feeds"
	"github.com/netdigest/netdigest/entry"
)

// Namespaces of the RSS 2.0 extensions RSS writes.
const (
	rssContentNS = "http://purl.org/rss/1.0/modules/content/"
	rssDCNS      = "http://purl.org/dc/elements/1.1/"
)

// The types below wrap gorilla/feeds' RSS types rather than using
// Feed.ToRss, which writes the author's name where RSS 2.0 wants an email
// address, one category string, a <source> without its required url, a
// guid marked as a permalink, and no self link. As in atom.go, each wrapper
// field shadows the embedded field with the same XML name.

// rssDoc is <rss> with the namespaces of the extensions used.
type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	ContentNS string     `xml:"xmlns:content,attr"`
	DCNS      string     `xml:"xmlns:dc,attr"`
	AtomNS    string     `xml:"xmlns:atom,attr"`
	EventNS   string     `xml:"xmlns:ev,attr,omitempty"` // only when an item has a talk time
	Channel   rssChannel `xml:"channel"`
}

// rssChannel is <channel>. Shadows: Items (wrapped items); adds atom:link
// rel="self", which RSS readers use to find the feed's own URL.
type rssChannel struct {
	feeds.RssFeed
	AtomLink *rssAtomLink `xml:"atom:link"`
	Items    []rssItem    `xml:"item"`
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

// rssItem is <item>, written whole rather than wrapping feeds.RssItem so
// its elements come in the RSS 2.0 profile's order (title, link,
// description, then content:encoded, which encoding/xml would put first
// for a shadowed embedding). Link and description are omitted when empty
// (RSS 2.0 needs only one of title and description); dc:creator names the
// authors, who have names, not the email addresses <author> requires.
type rssItem struct {
	XMLName     xml.Name          `xml:"item"`
	Title       string            `xml:"title"`
	Link        string            `xml:"link,omitempty"`
	Description string            `xml:"description,omitempty"`
	Content     *feeds.RssContent // content:encoded, CDATA
	Creator     string            `xml:"dc:creator,omitempty"`
	Categories  []rssCategory     `xml:"category"`
	Guid        *feeds.RssGuid
	PubDate     string     `xml:"pubDate,omitempty"`
	Source      *rssSource `xml:"source"`
	StartDate   string     `xml:"ev:startdate,omitempty"`
	EndDate     string     `xml:"ev:enddate,omitempty"`
}

type rssCategory struct {
	Domain string `xml:"domain,attr,omitempty"`
	Term   string `xml:",chardata"`
}

type rssSource struct {
	URL  string `xml:"url,attr"`
	Name string `xml:",chardata"`
}

// RSS renders an RSS 2.0 feed of entries in the given order, for readers
// that take no Atom: the channel's link is info.Link (info.SelfLink when
// empty) and its atom:link rel="self" info.SelfLink.
//
// Each item carries its title, link, summary as description (an HTML
// fragment: the plain text HTML-escaped), HTML content as content:encoded, its authors joined in one dc:creator (the source's name
// when it has none, as in Atom), the conference (domain ConferenceScheme) and tags as
// categories, the entry id as guid isPermaLink="false" (ids are stable but
// not always URLs), pubDate in RFC 1123 with numeric zone, and <source> when
// the source's URL is http(s), a talk's time as ev:startdate/ev:enddate
// (EventNS, as in Atom). An entry without id gives ErrNoID.
func RSS(info FeedInfo, entries []entry.Entry) ([]byte, error) {
	link := info.Link
	if link == "" {
		link = info.SelfLink
	}
	desc := info.Subtitle
	if desc == "" {
		desc = info.Title
	}
	gen := info.Generator
	if gen == "" {
		gen = "netdigest"
	}
	if info.Version != "" {
		gen += " " + info.Version
	}
	ch := rssChannel{
		RssFeed: feeds.RssFeed{
			Title:       info.Title,
			Link:        link,
			Description: desc,
			Generator:   gen,
			Docs:        "https://www.rssboard.org/rss-specification",
		},
	}
	if info.SelfLink != "" {
		ch.AtomLink = &rssAtomLink{Href: info.SelfLink, Rel: "self", Type: "application/rss+xml"}
	}

	var newest time.Time
	evNS := ""
	for i := range entries {
		e := &entries[i]
		if e.ID == "" {
			return nil, fmt.Errorf("render rss: entry %d: %w", i, ErrNoID)
		}
		it, updated := newRSSItem(info, e)
		if updated.After(newest) {
			newest = updated
		}
		if it.StartDate != "" || it.EndDate != "" {
			evNS = EventNS
		}
		ch.Items = append(ch.Items, it)
	}
	if newest.IsZero() {
		newest = info.Updated
	}
	if !newest.IsZero() {
		ch.PubDate = rssTime(newest)
		ch.LastBuildDate = ch.PubDate
	}

	doc := rssDoc{Version: "2.0", ContentNS: rssContentNS, DCNS: rssDCNS, AtomNS: atomNS, EventNS: evNS, Channel: ch}
	body, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render rss: marshal: %w", err)
	}
	out := make([]byte, 0, len(xml.Header)+len(body)+1)
	out = append(out, xml.Header...)
	out = append(out, body...)
	return append(out, '\n'), nil
}

// newRSSItem converts e and returns its update time (for the channel's dates).
func newRSSItem(info FeedInfo, e *entry.Entry) (rssItem, time.Time) {
	it := rssItem{
		Title:       e.Title,
		Guid:        &feeds.RssGuid{Id: e.ID, IsPermaLink: "false"},
		Link:        e.Link,
		Description: htmlText.Replace(e.Summary),
		StartDate:   EventTime(e.EventStart),
		EndDate:     EventTime(e.EventEnd),
	}
	if e.Content != "" {
		it.Content = &feeds.RssContent{Content: e.Content}
	}
	published := e.Date()
	if !published.IsZero() {
		it.PubDate = rssTime(published)
	}
	updated := e.Updated
	if updated.IsZero() {
		updated = published
	}

	src, known := info.Sources[e.Source]
	sourceName := e.Source
	if known && src.Title != "" {
		sourceName = src.Title
	}
	// One dc:creator naming everyone: readers (and gofeed) show only the
	// first of several.
	var authors []string
	for _, a := range e.Byline() {
		if a = strings.TrimSpace(a); a != "" {
			authors = append(authors, a)
		}
	}
	if len(authors) == 0 && sourceName != "" {
		authors = []string{sourceName}
	}
	it.Creator = strings.Join(authors, ", ")
	for _, c := range categories(e.Conference, e.Tags) {
		it.Categories = append(it.Categories, rssCategory{Domain: c.Scheme, Term: c.Term})
	}
	if known && sourceName != "" && isHTTP(src.URL) {
		it.Source = &rssSource{URL: src.URL, Name: sourceName}
	}
	return it, updated
}

// htmlText escapes plain text for an HTML fragment. RSS readers parse
// <description> as HTML, so a summary's "<L29Ah>" must reach them as
// "&lt;L29Ah&gt;" (and then XML-escaped once more by the encoder), or it is
// read as a tag and lost.
var htmlText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// isHTTP reports whether s is an absolute http(s) URL: a file:// snapshot's
// path means nothing to a reader.
func isHTTP(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https")
}

// rssTime is RFC 822 as RSS 2.0 wants it, with a four-digit year and a
// numeric zone (RFC 1123Z), in UTC.
func rssTime(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }
