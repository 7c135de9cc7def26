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
	jsonfeed "github.com/mmcdole/gofeed/json"
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
//
// Nothing is lost silently: an XML feed cut off before its end or with an
// element left open around its items yields its complete items and a
// warning that says where it broke (recover.go); a document with no items
// is a warning; JSON that is no JSON Feed is an error (ErrNotJSONFeed); an
// Atom Entry Document is a feed of one entry.
func ParseFeed(body []byte, contentType, fetchURL string) (*Document, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("parse: empty body: %w", ErrNotFeed)
	}
	utf, err := ToUTF8(body, contentType)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	f, err := parseGofeed(utf)
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		if wrapped, ok := atomEntryDocument(utf); ok {
			utf = wrapped
			f, err = parseGofeed(utf)
		}
	}
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, fmt.Errorf("parse: %w (%s): %w", ErrNotFeed, describeBody(utf, contentType), err)
	}
	f, warnings, err := recoverItems(utf, f, err)
	if err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if err := checkJSONFeed(f); err != nil {
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
		if len(item.Authors) == 0 {
			item.Authors = inheritedAuthors(f, i)
		}
		if item.Link == "" && rssItems != nil {
			item.Link = permalinkGUID(rssItems[i])
		}
		doc.Items = append(doc.Items, item)
	}
	KeepDistinctFragments(doc, fetchURL)
	if len(doc.Items) == 0 {
		warnings = append(warnings, emptyWarning(len(body), f.FeedType))
	}
	doc.Warnings = warnings
	return doc, nil
}

// parseGofeed runs gofeed over UTF-8 bytes.
func parseGofeed(utf []byte) (*gofeed.Feed, error) {
	p := gofeed.NewParser()
	p.KeepOriginalFeed = true // for RSS guid isPermaLink, which gofeed does not translate
	return p.Parse(bytes.NewReader(utf))
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
	item.Authors = personNames(it.Authors)
	return item
}

// personNames is each person's name, else e-mail address.
func personNames(ps []*gofeed.Person) []string {
	var out []string
	for _, p := range ps {
		if p == nil {
			continue
		}
		name := strings.TrimSpace(p.Name)
		if name == "" {
			name = strings.TrimSpace(p.Email)
		}
		if name != "" {
			out = append(out, name)
		}
	}
	return out
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

// ErrNotJSONFeed is wrapped (with ErrNotFeed) by ParseFeed's error for a
// JSON body that is not a JSON Feed: {}, an API's {"error": …}, GeoJSON.
// Taken for an empty feed, an error body would read as "nothing new".
var ErrNotJSONFeed = errors.New("not a JSON Feed (no version/items)")

// checkJSONFeed refuses a JSON document that has neither a JSON Feed
// version nor an items array (gofeed decodes any object as an empty feed).
func checkJSONFeed(f *gofeed.Feed) error {
	orig, ok := f.OriginalFeed().(*jsonfeed.Feed)
	if !ok || orig.Items != nil || strings.HasPrefix(strings.TrimSpace(orig.Version), "https://jsonfeed.org/version/") {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrNotJSONFeed, ErrNotFeed)
}

// emptyWarning is the warning on a document that parsed and holds no
// items: whatever the cause, it must not pass for a quiet success.
func emptyWarning(size int, feedType string) string {
	format := map[string]string{"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}[feedType]
	if format == "" {
		format = "a feed"
	}
	amount := fmt.Sprintf("%d bytes", size)
	if size >= 1024 {
		amount = fmt.Sprintf("%d KB", (size+512)/1024)
	}
	return fmt.Sprintf("0 entries parsed from %s of %s", amount, format)
}
