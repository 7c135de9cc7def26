// Package page extracts entries from HTML pages with goquery CSS selectors
// from the source's config: listing pages (kind html: one element per entry,
// or a run of headings in split mode) and write-ups (kind article: the page
// as one entry, or one entry per talk heading). It does no I/O.
//
// Items come back raw, as normalize.Normalizer.Entries expects them: titles
// and authors as plain text, ContentHTML as found on the page (not
// sanitized), links as written (Entries resolves them against the item's
// BaseURL, the document's link and the fetch URL).
//
// Selectors that match nothing are errors (*SelectorError), so a changed
// site shows up as a failed fetch rather than as a source that went quiet;
// gaps in single items (one entry without a date) are Document.Warnings.
package page

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

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
	// Pattern, when set, pulls named groups "date", "title" and "speakers"
	// out of the heading's text (e.g. `^(?P<date>\d{4}-\d{2}-\d{2}):\s*(?P<title>.+)$`);
	// speakers are split as normalize.SplitSpeakers does.
	Pattern *regexp.Regexp
	// Time, when set, selects the talk's time in each entry (the heading
	// and its content): the entry's EventStart, read from TimeAttr (a
	// <time>'s datetime by default) or the text, with Rules.DateLayouts.
	Time, TimeAttr string
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

// PatternError says that a split pattern matched none of the headings:
// like a *SelectorError, the config no longer fits the page. Headings
// counts them, First is the first one's text, to compare with the pattern.
type PatternError struct {
	Pattern, Heading string
	Headings         int
	First            string
}

func (e *PatternError) Error() string {
	return fmt.Sprintf("split pattern %s matched none of the %d headings (heading=%s; the first is %s)",
		e.Pattern, e.Headings, e.Heading, quote(e.First))
}

var (
	// ErrEmptyBody is returned for a body with no bytes, or only whitespace.
	ErrEmptyBody = errors.New("empty body")
	// ErrNotHTML is returned for a body that is not an HTML page: JSON, a
	// feed, plain text.
	ErrNotHTML = errors.New("not an HTML page")
)

// ParseListing extracts entries from a listing page with rules (kind html).
//
// With rules.Item, each element matching it is one entry and the other
// selectors apply inside it (see Rules). With rules.Split (and no Item),
// each heading starts an entry (see the package's split rules in split.go):
// its title is the heading's text or the pattern's "title" group, its date
// the pattern's "date" group, and it links to the page itself with
// Item.Anchor naming the heading. In split mode rules.Title is not used;
// rules.Date, Author, Summary and Content, when set, apply inside each
// entry (the heading's wrapper's siblings, see split.go); rules.Link is
// looked for in the heading then in the entry, and replaces the anchor link.
func ParseListing(body []byte, contentType, fetchURL string, rules Rules) (*normalize.Document, error) {
	doc, err := parseListing(body, contentType, fetchURL, rules)
	if err != nil {
		return nil, fmt.Errorf("parse html: %w", err)
	}
	// Listed items linking to anchors of one page (a schedule's #talk-1,
	// #talk-2) keep them, as split items do.
	normalize.KeepDistinctFragments(doc, fetchURL)
	return doc, nil
}

// ParseArticle makes one entry of a write-up page, or one per talk with
// rules.Split (kind article).
//
// The page's title, date, author and content come from rules.Title, Date,
// Author and Content when set, else from defaults (see articleDefaults in
// article.go; the content then is found by a readability-style heuristic,
// see readability.go). The link is the page's canonical link, else the
// fetch URL. With rules.Split the content is split at the headings matching
// Split.Heading inside it: one item per heading, with the page's date and
// authors and an Anchor naming the heading.
func ParseArticle(body []byte, contentType, fetchURL string, rules Rules) (*normalize.Document, error) {
	doc, err := parseArticle(body, contentType, fetchURL, rules)
	if err != nil {
		return nil, fmt.Errorf("parse article: %w", err)
	}
	return doc, nil
}

func parseListing(body []byte, contentType, fetchURL string, rules Rules) (*normalize.Document, error) {
	rs, err := compileRules(rules)
	if err != nil {
		return nil, err
	}
	splitMode := rs.heading != nil
	switch {
	case rs.item != nil && splitMode:
		return nil, errors.New("rules: use either an item selector or split, not both")
	case rs.item == nil && !splitMode:
		return nil, errors.New("rules: kind html needs an item selector or split.heading")
	}
	p, err := load(body, contentType, fetchURL)
	if err != nil {
		return nil, err
	}
	if splitMode {
		err = p.splitListing(rs)
	} else {
		err = p.itemListing(rs)
	}
	if err != nil {
		return nil, err
	}
	return p.document(), nil
}

func parseArticle(body []byte, contentType, fetchURL string, rules Rules) (*normalize.Document, error) {
	rs, err := compileRules(rules)
	if err != nil {
		return nil, err
	}
	p, err := load(body, contentType, fetchURL)
	if err != nil {
		return nil, err
	}
	if err := p.article(rs); err != nil {
		return nil, err
	}
	return p.document(), nil
}

// quote shortens s for a message and quotes it.
func quote(s string) string {
	return fmt.Sprintf("%q", normalize.Truncate(strings.Join(strings.Fields(s), " "), 60))
}
