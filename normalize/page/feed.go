package page

import (
	"errors"
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/netdigest/netdigest/normalize"
)

// SplitFeed splits each item of a parsed feed at its talk headings (kind
// feed with split), the way ParseArticle splits a write-up page: the item's
// content (ContentHTML, e.g. RSS content:encoded, else SummaryHTML) is read
// as a page, and each heading matching split.Heading (and split.Pattern,
// when set, in at least one heading of the item) starts an item with the
// heading's title, the content up to the next heading, the post's link
// with an Anchor naming the heading, and the post's dates, authors and
// categories. Its GUID is the post's GUID and "#" and the anchor, so ids
// stay stable and distinct; a post without a GUID takes its id from its
// link and the anchor, as a split page does.
//
// Items in which no heading matches stay whole, so a blog's other posts
// pass through. Nothing in the whole feed matching is an error, as for a
// page: a *SelectorError when no item has such a heading, a *PatternError
// when headings exist and the pattern matches none of them.
func SplitFeed(doc *normalize.Document, split Split) (*normalize.Document, error) {
	rs, err := compileRules(Rules{Split: &split})
	if err != nil {
		return nil, fmt.Errorf("split feed: %w", err)
	}
	out := *doc
	out.Items = make([]normalize.Item, 0, len(doc.Items))
	out.Warnings = append([]string(nil), doc.Warnings...)
	var (
		splitPosts int           // items that were split
		headings   int           // headings found in items the pattern missed
		miss       *PatternError // the first such item's
	)
	for i := range doc.Items {
		it := doc.Items[i]
		items, warns, err := splitItem(&it, rs)
		var perr *PatternError
		switch {
		case errors.As(err, &perr):
			headings += perr.Headings
			if miss == nil {
				miss = perr
			}
		case err != nil:
			return nil, fmt.Errorf("split feed: item %d (%s): %w", i+1, quote(it.Title), err)
		}
		if items == nil {
			out.Items = append(out.Items, it)
			continue
		}
		splitPosts++
		out.Items = append(out.Items, items...)
		for _, w := range warns {
			out.Warnings = append(out.Warnings, fmt.Sprintf("post %s: %s", quote(it.Title), w))
		}
	}
	switch {
	case splitPosts > 0 || len(doc.Items) == 0:
		return &out, nil
	case miss != nil:
		miss.Headings = headings
		return nil, fmt.Errorf("split feed: %w", miss)
	default:
		return nil, fmt.Errorf("split feed: %w", &SelectorError{Name: "heading", Selector: rs.heading.sel,
			Context: fmt.Sprintf("in none of the %s' content", count(len(doc.Items), "item", "items"))})
	}
}

// splitItem splits one feed item; nil items (and a nil error, or a
// *PatternError) when it stays whole.
func splitItem(it *normalize.Item, rs *rules) ([]normalize.Item, []string, error) {
	body := it.ContentHTML
	if strings.TrimSpace(body) == "" {
		body = it.SummaryHTML
	}
	if strings.TrimSpace(body) == "" {
		return nil, nil, nil
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("parse content: %w", err)
	}
	// The post's link stands for the page: split items link to it with an
	// anchor; relative links in the content resolve against the item's
	// xml:base, then its link (normalize does that, not the page).
	p := &page{doc: doc, fetchURL: it.Link, link: it.Link, base: it.BaseURL}
	secs, err := p.splitSections(doc.Selection, rs, "")
	var serr *SelectorError
	if errors.As(err, &serr) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if err := p.sectionItems(secs, rs, splitOpts{inherit: *it}); err != nil {
		return nil, nil, err
	}
	for k := range p.items {
		s := &p.items[k]
		s.Updated = it.Updated
		s.Categories = append([]string(nil), it.Categories...)
		if g := strings.TrimSpace(it.GUID); g != "" {
			s.GUID = g + "#" + s.Anchor
		}
	}
	return p.items, p.document().Warnings, nil
}
