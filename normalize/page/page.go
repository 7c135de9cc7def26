// Package page extracts entries from HTML pages with goquery CSS selectors
// from the source's config: listing pages (kind html: one element per entry,
// or a run of headings in split mode) and write-ups (kind article: the page
// as one entry, or one entry per talk heading). It does no I/O.
package page

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/netdigest/netdigest/normalize"
)

// Rules select entries on an HTML page with goquery CSS selectors. For
// kind html (a listing page) Item matches one element per entry and the
// other selectors apply inside it; for kind article the whole page is one
// entry and Item is unused. Empty selectors are not applied.
type Rules struct {
	Item     string
	Title    string
	Link     string // the element carrying the link (default: the title's or item's first a[href])
	LinkAttr string // default "href"
	Date     string
	DateAttr string // read the date from this attribute (e.g. datetime) instead of the text
	// DateLayouts are Go time layouts tried in order; without them ParseDate's
	// common formats are tried.
	DateLayouts []string
	Summary     string
	Content     string
	Author      string
	// Split, when set, makes each heading matching Split.Heading start an
	// entry whose content is the following siblings up to the next heading.
	Split *Split
}

// Split describes pages whose entries are not wrapped in one element.
type Split struct {
	Heading string // CSS selector of the headings that start entries
	// Pattern, when set, pulls named groups "date" and "title" out of the
	// heading's text (e.g. `^(?P<date>\d{4}-\d{2}-\d{2}):\s*(?P<title>.+)$`).
	Pattern *regexp.Regexp
}

// SelectorError says which selector matched nothing, so a person fixing a
// source's config knows where to look.
type SelectorError struct {
	Name     string // the rule's name: item, title, heading…
	Selector string
	// Context says where the selector was applied and what the page had
	// instead (e.g. "the page has no <article> elements at all").
	Context string
}

func (e *SelectorError) Error() string {
	msg := fmt.Sprintf("selector %s=%s matched 0 elements", e.Name, e.Selector)
	if e.Context != "" {
		msg += " (" + e.Context + ")"
	}
	return msg
}

var errNotImplemented = errors.New("not implemented")

// ParseListing extracts entries from a listing page with rules (kind html).
func ParseListing(body []byte, contentType, fetchURL string, rules Rules) (*normalize.Document, error) {
	return nil, fmt.Errorf("parse html: %w", errNotImplemented)
}

// ParseArticle makes one entry of a write-up page, or one per talk with
// rules.Split (kind article).
func ParseArticle(body []byte, contentType, fetchURL string, rules Rules) (*normalize.Document, error) {
	return nil, fmt.Errorf("parse article: %w", errNotImplemented)
}
