package page

import (
	"bytes"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/normalize"
)

// maxWarnings bounds Document.Warnings: a listing of 500 entries that all
// lack a date says so in a few lines, not 500.
const maxWarnings = 30

// page is a parsed HTML page and what is collected while reading it.
type page struct {
	doc      *goquery.Document
	fetchURL string
	link     string // the page's own URL: canonical link, else the fetch URL
	base     string // <base href>, resolved; "" when absent
	title    string // <title>, else og:site_name
	items    []normalize.Item
	warn     []string
	dropped  int // warnings beyond maxWarnings
}

// load converts body to UTF-8, refuses what is not HTML and parses it.
func load(body []byte, contentType, fetchURL string) (*page, error) {
	if len(body) == 0 {
		return nil, ErrEmptyBody
	}
	utf, err := normalize.ToUTF8(body, contentType)
	if err != nil {
		return nil, fmt.Errorf("convert to UTF-8: %w", err)
	}
	if len(bytes.TrimSpace(utf)) == 0 {
		return nil, fmt.Errorf("%w (only whitespace)", ErrEmptyBody)
	}
	if err := sniff(utf, contentType); err != nil {
		return nil, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(utf))
	if err != nil {
		return nil, fmt.Errorf("parse HTML: %w", err)
	}
	p := &page{doc: doc, fetchURL: fetchURL}
	p.readHead()
	return p, nil
}

// sniff tells HTML from the other bodies a misconfigured source returns:
// JSON (an API), a feed (the source should be kind feed) or plain text. It
// trusts the content, not the Content-Type (servers send feeds as
// text/html), except for types that cannot be HTML.
func sniff(b []byte, contentType string) error {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		switch {
		case mt == "application/json" || strings.HasSuffix(mt, "+json"):
			return fmt.Errorf("%w: content type %s", ErrNotHTML, mt)
		case mt == "application/rss+xml" || mt == "application/atom+xml" || mt == "application/rdf+xml":
			return fmt.Errorf("%w: content type %s is a feed (use kind feed)", ErrNotHTML, mt)
		}
	}
	trimmed := bytes.TrimSpace(b)
	if trimmed[0] == '{' || trimmed[0] == '[' {
		return fmt.Errorf("%w: the body is JSON (starts with %q)", ErrNotHTML, normalize.Truncate(string(trimmed), 20))
	}
	z := html.NewTokenizer(bytes.NewReader(trimmed))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return fmt.Errorf("%w: the body has no HTML tags (starts with %q)", ErrNotHTML,
				normalize.Truncate(strings.Join(strings.Fields(string(trimmed)), " "), 40))
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch strings.ToLower(string(name)) {
			case "rss", "feed", "rdf:rdf", "rdf":
				return fmt.Errorf("%w: the body is a feed (<%s>; use kind feed)", ErrNotHTML, name)
			}
			return nil
		}
	}
}

// readHead reads the page-level facts: base URL, canonical link, title.
func (p *page) readHead() {
	if href, ok := p.doc.Find("base[href]").First().Attr("href"); ok {
		p.base = resolve(strings.TrimSpace(href), p.fetchURL)
	}
	p.link = p.fetchURL
	if href, ok := p.doc.Find(`link[rel~="canonical"][href]`).First().Attr("href"); ok && strings.TrimSpace(href) != "" {
		p.link = resolve(strings.TrimSpace(href), p.base, p.fetchURL)
	}
	p.title = strings.Join(strings.Fields(p.doc.Find("title").First().Text()), " ")
	if p.title == "" {
		p.title = metaContent(p.doc.Selection, `meta[property="og:site_name"]`)
	}
}

// resolve makes ref absolute against the first absolute base, or returns it
// as written when there is none (normalize resolves again later).
func resolve(ref string, bases ...string) string {
	u, err := url.Parse(ref)
	if err != nil || u.IsAbs() {
		return ref
	}
	for _, b := range bases {
		bu, err := url.Parse(b)
		if err == nil && bu.IsAbs() {
			return bu.ResolveReference(u).String()
		}
	}
	return ref
}

func metaContent(s *goquery.Selection, selector string) string {
	v, _ := s.Find(selector).First().Attr("content")
	return strings.Join(strings.Fields(v), " ")
}

// warnf records a warning; past maxWarnings it only counts.
func (p *page) warnf(format string, args ...any) {
	if len(p.warn) >= maxWarnings {
		p.dropped++
		return
	}
	p.warn = append(p.warn, fmt.Sprintf(format, args...))
}

// itemWarnf records a warning about the n-th (1-based) entry of the page.
func (p *page) itemWarnf(n int, title, format string, args ...any) {
	prefix := fmt.Sprintf("item %d", n)
	if title != "" {
		prefix += " (" + quote(title) + ")"
	}
	p.warnf(prefix+": "+format, args...)
}

func (p *page) document() *normalize.Document {
	d := &normalize.Document{Title: p.title, Link: p.link, Items: p.items, Warnings: p.warn}
	if p.dropped > 0 {
		d.Warnings = append(d.Warnings, fmt.Sprintf("… and %d more warnings", p.dropped))
	}
	return d
}
