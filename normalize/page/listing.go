package page

import (
	"fmt"
	"strings"

	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/normalize"
)

// Defaults of an item without the rule (kind html).
var (
	// defaultTitle is the item's first heading.
	defaultTitle = cascadia.MustCompile("h1, h2, h3, h4, h5, h6")
	// defaultLink is the first link of the title element, else of the item.
	defaultLink = cascadia.MustCompile("a[href]")
)

// itemListing reads a listing page with one element per entry (kind html).
//
// Inside each item (the item element itself excluded): the title is the
// text of the first match of Title (default: the first h1–h6); the link
// the LinkAttr of the first match of Link (or of the first element inside
// it having that attribute; default: the first a[href] in the title element,
// the title element itself included, else in the item); the date the first
// match of Date, read as dateText says; authors the text of every match of
// Author; summary and content the HTML of the matches of Summary and
// Content (see htmlOf). Without Summary and Content the content is the
// item's inner HTML.
func (p *page) itemListing(rs *rules) error {
	items := p.doc.FindMatcher(rs.item.m)
	if items.Length() == 0 {
		return &SelectorError{Name: rs.item.name, Selector: rs.item.sel, Context: p.missContext(rs.item, "")}
	}
	h := newHits()
	for i := range items.Nodes {
		n := i + 1
		el := items.Eq(i)
		it := normalize.Item{BaseURL: p.base}

		var titleNode *html.Node
		if rs.title != nil {
			h.tried[rs.title.name]++
			if t := findIn(el, rs.title, false); t.Length() > 0 {
				h.matched[rs.title.name]++
				titleNode = t.Get(0)
			} else {
				p.itemWarnf(n, "", "title: no match for %s", rs.title.sel)
			}
		} else if t := el.FindMatcher(defaultTitle); t.Length() > 0 {
			titleNode = t.Get(0)
		}
		if titleNode != nil {
			it.Title = nodeText(titleNode)
		}

		if rs.link != nil {
			if href, ok := p.linkOf(n, it.Title, findIn(el, rs.link, false), rs, h); ok {
				it.Link = href
			}
		} else {
			if it.Link = defaultItemLink(titleNode, el.Get(0)); it.Link == "" {
				p.itemWarnf(n, it.Title, "link: no a[href] in the title or the item")
			}
		}
		if rs.date != nil {
			it.Published = p.itemDate(n, it.Title, el, rs, h, false)
		}
		if rs.author != nil {
			it.Authors = p.itemAuthors(n, it.Title, el, rs, h, false)
		}
		if rs.summary != nil {
			it.SummaryHTML = p.itemHTML(n, it.Title, el, rs.summary, h, false)
		}
		if rs.content != nil {
			it.ContentHTML = p.itemHTML(n, it.Title, el, rs.content, h, false)
		}
		if rs.summary == nil && rs.content == nil {
			it.ContentHTML = strings.TrimSpace(innerHTML(el.Get(0)))
		}
		if it.Title == "" && !hasText(it.ContentHTML) && !hasText(it.SummaryHTML) {
			p.itemWarnf(n, "", "skipped: no title and no content")
			continue
		}
		p.items = append(p.items, it)
	}
	return p.unmatched([]*rule{rs.title, rs.link, rs.date, rs.author, rs.summary, rs.content}, h,
		fmt.Sprintf("any of the %d elements matching item=%s", items.Length(), rs.item.sel))
}

// defaultItemLink is the href of the first a[href] in the title element
// (itself included), else in the item.
func defaultItemLink(title, item *html.Node) string {
	for _, scope := range []*html.Node{title, item} {
		if scope == nil {
			continue
		}
		if a := defaultLink.MatchFirst(scope); a != nil {
			return strings.TrimSpace(attr(a, "href"))
		}
	}
	return ""
}
