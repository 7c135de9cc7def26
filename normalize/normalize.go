// Package normalize turns the bytes of a source into entries: it parses
// (gofeed for feeds; later goquery for pages), converts to UTF-8, makes links
// absolute and canonical, sanitizes HTML, writes a plain summary and picks a
// stable id. It does no I/O and imports neither the store nor the config.
package normalize

import (
	"errors"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// Source is what normalize needs to know of where items came from.
type Source struct {
	Name       string
	URL        string // the URL the bytes were fetched from (final, after redirects)
	Conference string
	Tags       []string
}

// Item is one parsed item before normalization: the common output of every
// source kind's parser. Fields hold the source's raw values.
type Item struct {
	GUID        string
	Title       string
	Link        string
	BaseURL     string // xml:base in effect for the item, "" for the document's
	Authors     []string
	Published   time.Time // zero when the item has no usable date
	Updated     time.Time
	ContentHTML string
	SummaryHTML string // description/summary as published (HTML or text)
	Categories  []string
}

// Document is a parsed source: its own metadata and its items.
type Document struct {
	Title string
	Link  string // the site the document describes (alternate link)
	Items []Item
}

// Normalizer holds what is built once and reused (the sanitizing policy).
// The zero value is not usable; call New.
type Normalizer struct{}

// New returns a Normalizer.
func New() *Normalizer { return &Normalizer{} }

// ParseFeed parses RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed bytes.
// contentType is the HTTP Content-Type header ("" for files); its charset
// and the document's own declaration decide the conversion to UTF-8.
func ParseFeed(body []byte, contentType, fetchURL string) (*Document, error) {
	return nil, errors.New("normalize: not implemented")
}

// Entries normalizes a document's items into entries, dropping duplicates
// within the document (same id or same canonical link: first wins).
// now clamps dates more than a day in the future.
func (n *Normalizer) Entries(src Source, doc *Document, now time.Time) []entry.Entry {
	return nil
}
