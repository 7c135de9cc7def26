package normalize

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"github.com/mmcdole/gofeed/rss"
)

// ErrNotFeed is wrapped by ParseFeed's error when the body is not RSS, Atom
// or JSON Feed at all (an HTML page, an empty body), as opposed to a feed
// that is malformed.
var ErrNotFeed = errors.New("not a feed")

// ParseFeed parses RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed bytes.
// contentType is the HTTP Content-Type header ("" for files); its charset
// and the document's own declaration decide the conversion to UTF-8.
//
// The document and its items keep the feed's raw values: titles may hold
// markup (PlainText makes them text), item links may be relative (Entries
// resolves them); Document.Link is resolved against fetchURL. gofeed has already
// applied Atom's xml:base to links and content, so Item.BaseURL stays "".
// Errors start with "parse: ".
func ParseFeed(body []byte, contentType, fetchURL string) (*Document, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("parse: empty body: %w", ErrNotFeed)
	}
	utf, err := ToUTF8(body, contentType)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true // for RSS guid isPermaLink, which gofeed does not translate
	f, err := p.Parse(bytes.NewReader(utf))
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, fmt.Errorf("parse: %w (%s): %w", ErrNotFeed, describeBody(utf, contentType), err)
	}
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}

	doc := &Document{
		Title: f.Title,
		Link:  resolveAgainst(strings.TrimSpace(f.Link), fetchURL),
		Items: make([]Item, 0, len(f.Items)),
	}
	var rssItems []*rss.Item
	switch orig := f.OriginalFeed().(type) {
	case *rss.Feed:
		if len(orig.Items) == len(f.Items) {
			rssItems = orig.Items
		}
	case *atom.Feed:
		// gofeed's universal Feed has no id.
		doc.ID = strings.TrimSpace(orig.ID)
	}
	for i, it := range f.Items {
		if it == nil {
			continue
		}
		item := fromGofeed(it)
		if item.Link == "" && rssItems != nil {
			item.Link = permalinkGUID(rssItems[i])
		}
		doc.Items = append(doc.Items, item)
	}
	return doc, nil
}

// fromGofeed maps one gofeed item to an Item.
func fromGofeed(it *gofeed.Item) Item {
	item := Item{
		GUID:        strings.TrimSpace(it.GUID),
		Title:       it.Title,
		Link:        strings.TrimSpace(it.Link),
		Published:   itemDate(it.PublishedParsed, it.Published),
		Updated:     itemDate(it.UpdatedParsed, it.Updated),
		ContentHTML: it.Content,
		SummaryHTML: it.Description,
		Categories:  it.Categories,
	}
	if item.Link == "" {
		for _, l := range it.Links {
			if l = strings.TrimSpace(l); l != "" {
				item.Link = l
				break
			}
		}
	}
	for _, p := range it.Authors {
		if p == nil {
			continue
		}
		name := strings.TrimSpace(p.Name)
		if name == "" {
			name = strings.TrimSpace(p.Email)
		}
		if name != "" {
			item.Authors = append(item.Authors, name)
		}
	}
	return item
}

// permalinkGUID returns an RSS item's guid when it doubles as the item's link
// (isPermaLink absent or true, and an http(s) URL), else "".
func permalinkGUID(it *rss.Item) string {
	if it == nil || it.GUID == nil || strings.EqualFold(strings.TrimSpace(it.GUID.IsPermalink), "false") {
		return ""
	}
	g := strings.TrimSpace(it.GUID.Value)
	if u, err := url.Parse(g); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		return g
	}
	return ""
}

// itemDate prefers gofeed's parse and falls back on ParseDate for the raw
// string; the zero time when neither yields a date.
func itemDate(parsed *time.Time, raw string) time.Time {
	if parsed != nil && !parsed.IsZero() {
		return parsed.UTC()
	}
	if t, ok := ParseDate(raw); ok {
		return t
	}
	return time.Time{}
}

// resolveAgainst resolves ref against base when both parse, else returns ref.
func resolveAgainst(ref, base string) string {
	if ref == "" || base == "" {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil || r.IsAbs() {
		return ref
	}
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() {
		return ref
	}
	return b.ResolveReference(r).String()
}

// describeBody says what a body that is not a feed looks like, for the error.
func describeBody(b []byte, contentType string) string {
	head := bytes.ToLower(bytes.TrimSpace(b))
	if len(head) > 512 {
		head = head[:512]
	}
	what := "no RSS, Atom or JSON Feed root"
	if bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.Contains(head, []byte("<html")) {
		what = "looks like an HTML page"
	}
	if contentType != "" {
		what += ", Content-Type " + contentType
	}
	return what
}
