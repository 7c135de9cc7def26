package page

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/normalize"
	slugs "github.com/netdigest/netdigest/slug"
)

// Split rules. Each element matching Split.Heading starts an entry. Its
// content is what follows it among its siblings (elements and text, in the
// same parent) up to the first sibling that is a heading or contains one;
// the end of the parent ends the last entry. So a run of <h3> and <p> in one
// <div> splits as expected, and so do headings each wrapped with their
// paragraphs in their own container (<div class="item"><h3>…</h3><p>…</p>
// </div>): every heading only takes siblings, so containers never spill into
// each other. A heading that is alone in its wrapper (<div><h3>…</h3></div>
// <p>…</p>, or <p><strong>Talk</strong></p> with heading "p > strong")
// stands for that wrapper: the wrapper's siblings are the content. What
// comes before the first heading of a parent (a page's preamble) belongs to
// no entry.
//
// Headings inside another matched heading, and headings in boilerplate (a
// sidebar's "Recent posts", "Share this:"; see readability.go) do not start
// entries, unless all the matches are in boilerplate. Boilerplate siblings
// are left out of the content.

// section is one split entry: its heading and the nodes of its content.
type section struct {
	heading *html.Node
	nodes   []*html.Node
}

// splitSections finds the headings matching rs.heading in scope and the
// content of each. It returns a *SelectorError when there is no heading.
func (p *page) splitSections(scope *goquery.Selection, rs *rules, scopeDesc string) ([]section, error) {
	matched := findIn(scope, rs.heading, true).Nodes
	if len(matched) == 0 {
		return nil, &SelectorError{Name: rs.heading.name, Selector: rs.heading.sel,
			Context: p.missContext(rs.heading, scopeDesc)}
	}
	isHeading := make(map[*html.Node]bool, len(matched))
	for _, h := range matched {
		isHeading[h] = true
	}
	var headings []*html.Node
	for _, h := range matched {
		if !insideAny(h.Parent, isHeading) && !inBoilerplate(h) {
			headings = append(headings, h)
		}
	}
	if len(headings) == 0 {
		// All in boilerplate: a page whose content wrapper looks like a
		// sidebar to the word list. The config asked for these headings.
		for _, h := range matched {
			if !insideAny(h.Parent, isHeading) {
				headings = append(headings, h)
			}
		}
	}
	kept := make(map[*html.Node]bool, len(headings))
	holds := make(map[*html.Node]bool) // the ancestors of kept headings
	for _, h := range headings {
		kept[h] = true
		for a := h.Parent; a != nil && !holds[a]; a = a.Parent {
			holds[a] = true
		}
	}
	secs := make([]section, 0, len(headings))
	for _, h := range headings {
		start := h
		for alone(start) {
			start = start.Parent
		}
		var nodes []*html.Node
		for sib := start.NextSibling; sib != nil; sib = sib.NextSibling {
			if kept[sib] || holds[sib] {
				break
			}
			if sib.Type == html.ElementNode || sib.Type == html.TextNode {
				nodes = append(nodes, sib)
			}
		}
		secs = append(secs, section{heading: h, nodes: nodes})
	}
	return secs, nil
}

// contentOf renders a section's content: its nodes less boilerplate and
// scripts, at any depth. It edits the page, so it runs after the section's
// other fields are read (a byline in the entry's <footer>).
func contentOf(nodes []*html.Node) string {
	var keep []*html.Node
	for _, n := range nodes {
		if n.Type == html.ElementNode && (isBoilerplate(n) || isCode(n)) {
			continue
		}
		keep = append(keep, n)
	}
	removeBoilerplate(keep)
	return renderRun(keep)
}

// insideAny reports whether n or an ancestor of n is in set.
func insideAny(n *html.Node, set map[*html.Node]bool) bool {
	for ; n != nil; n = n.Parent {
		if set[n] {
			return true
		}
	}
	return false
}

// alone reports whether n is the only content of its parent (other children
// being blank text or comments), and the parent is an ordinary element.
func alone(n *html.Node) bool {
	par := n.Parent
	if par == nil || par.Type != html.ElementNode || par.Data == "body" || par.Data == "html" {
		return false
	}
	for c := par.FirstChild; c != nil; c = c.NextSibling {
		if c == n || c.Type == html.CommentNode || (c.Type == html.TextNode && strings.TrimSpace(c.Data) == "") {
			continue
		}
		return false
	}
	return true
}

// splitOpts say how sections become items.
type splitOpts struct {
	// perEntry applies the date, author, link, summary and content rules
	// inside each entry (kind html); kind article reads them for the page.
	perEntry bool
	// inherit holds the date and authors of the page (kind article).
	inherit normalize.Item
}

// hits counts, per rule name, the entries where a rule was tried and where
// it matched, to tell a rule that matched in no entry (an error) from one
// that missed in some (a warning).
type hits struct{ tried, matched map[string]int }

func newHits() hits { return hits{tried: make(map[string]int), matched: make(map[string]int)} }

// patternMiss returns a *PatternError when rs has a pattern and it
// matches none of the sections' headings: a wrong pattern or a changed
// site, where one heading not matching is a gap (a warning).
func patternMiss(secs []section, rs *rules) *PatternError {
	if rs.pattern == nil || len(secs) == 0 {
		return nil
	}
	for _, sec := range secs {
		if rs.pattern.MatchString(nodeText(sec.heading)) {
			return nil
		}
	}
	return &PatternError{Pattern: rs.pattern.String(), Heading: rs.heading.sel,
		Headings: len(secs), First: nodeText(secs[0].heading)}
}

// sectionItems makes items of sections, in page order.
func (p *page) sectionItems(secs []section, rs *rules, o splitOpts) error {
	if err := patternMiss(secs, rs); err != nil {
		return err
	}
	anchors := p.newAnchors(secs)
	h := newHits()
	for i, sec := range secs {
		n := i + 1
		scope := nodesSel(p.doc.Selection, sec.nodes...)
		headText := nodeText(sec.heading)
		title := headText
		var dateStr string
		var speakers []entry.Speaker
		if rs.pattern != nil {
			m := rs.pattern.FindStringSubmatch(headText)
			if m == nil {
				p.itemWarnf(n, headText, "heading does not match pattern %s; the title is the heading's text", rs.pattern)
			} else {
				if k := rs.pattern.SubexpIndex("title"); k >= 0 && strings.TrimSpace(m[k]) != "" {
					title = strings.TrimSpace(m[k])
				}
				if k := rs.pattern.SubexpIndex("date"); k >= 0 {
					dateStr = m[k]
				}
				if k := rs.pattern.SubexpIndex("speakers"); k >= 0 {
					speakers = normalize.SplitSpeakers(m[k])
				}
			}
		}
		it := normalize.Item{
			Title:     title,
			Link:      p.link,
			BaseURL:   p.base,
			Anchor:    anchors[i],
			Published: o.inherit.Published,
			Authors:   slices.Clone(o.inherit.Authors),
			Speakers:  speakers,
		}
		if rs.time != nil {
			it.EventStart = p.itemTime(n, title, nodesSel(p.doc.Selection, append([]*html.Node{sec.heading}, sec.nodes...)...), rs, h)
		}
		if dateStr != "" {
			if t, ok := parseDate(dateStr, rs.layouts); ok {
				it.Published = t
			} else {
				p.itemWarnf(n, title, "date: cannot parse %s from the heading", quote(dateStr))
			}
		}
		custom := false // content from rs.content rather than the section
		if o.perEntry {
			headScope := nodesSel(p.doc.Selection, sec.heading)
			if rs.date != nil && dateStr == "" {
				it.Published = p.itemDate(n, title, scope, rs, h, true)
			}
			if rs.author != nil {
				it.Authors = p.itemAuthors(n, title, scope, rs, h, true)
			}
			if rs.link != nil {
				l := findIn(headScope, rs.link, true).AddSelection(findIn(scope, rs.link, true))
				if href, ok := p.linkOf(n, title, l, rs, h); ok {
					it.Link, it.Anchor = href, ""
				}
			}
			if rs.summary != nil {
				it.SummaryHTML = p.itemHTML(n, title, scope, rs.summary, h, true)
			}
			if rs.content != nil {
				it.ContentHTML = p.itemHTML(n, title, scope, rs.content, h, true)
				custom = true
			}
		}
		if !custom {
			it.ContentHTML = contentOf(sec.nodes)
		}
		if it.Title == "" && !hasText(it.ContentHTML) && !hasText(it.SummaryHTML) {
			p.itemWarnf(n, "", "skipped: the heading has no text and nothing follows it")
			continue
		}
		p.items = append(p.items, it)
	}
	if !o.perEntry {
		return p.unmatched([]*rule{rs.time}, h, fmt.Sprintf("any of the %d entries split at heading=%s", len(secs), rs.heading.sel))
	}
	return p.unmatched([]*rule{rs.link, rs.date, rs.author, rs.summary, rs.content, rs.time}, h,
		fmt.Sprintf("any of the %d entries split at heading=%s", len(secs), rs.heading.sel))
}

// maxSlug bounds anchors made from heading text.
const maxSlug = 80

// newAnchors names each section's place on the page: the heading's id (or
// the id or name of an element inside it, as in <h2><span id="…">), else
// a slug of the heading's text. The slug is of the whole heading, date
// included when it has one ("2015-02-17-schedule-changes"), so that a
// title used twice on a page keeps apart without a counter that would
// shift when an entry is added above it. Anchors are unique on the page:
// a taken name (another entry's, or any element's id) gets "-2", "-3"….
func (p *page) newAnchors(secs []section) []string {
	own := make(map[*html.Node]bool, len(secs))
	for _, s := range secs {
		own[s.heading] = true
	}
	used := make(map[string]bool)
	for _, n := range p.doc.Find("[id]").Nodes {
		if !insideAny(n, own) {
			used[attr(n, "id")] = true
		}
	}
	out := make([]string, len(secs))
	for i, s := range secs {
		base := headingID(s.heading)
		if base != "" {
			base = (&url.URL{Fragment: base}).EscapedFragment()
		} else {
			base = slug(nodeText(s.heading))
		}
		name := base
		for k := 2; used[name]; k++ {
			name = fmt.Sprintf("%s-%d", base, k)
		}
		used[name] = true
		out[i] = name
	}
	return out
}

func headingID(h *html.Node) string {
	if id := strings.TrimSpace(attr(h, "id")); id != "" {
		return id
	}
	var found string
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if id := strings.TrimSpace(attr(c, "id")); id != "" {
				found = id
				return true
			}
			if c.Data == "a" {
				if name := strings.TrimSpace(attr(c, "name")); name != "" {
					found = name
					return true
				}
			}
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(h)
	return found
}

// slug makes an ASCII anchor of text (the project's one rule, package
// slug), at most maxSlug bytes cut at a "-". Text with no ASCII letter or
// digit (a Japanese title) gets "h-" and a hash of it.
func slug(text string) string {
	if s := slugs.Cut(slugs.Make(text), maxSlug); s != "" {
		return s
	}
	return slugs.Hashed(text)
}

// splitListing reads a listing page in split mode (kind html).
func (p *page) splitListing(rs *rules) error {
	secs, err := p.splitSections(p.doc.Selection, rs, "")
	if err != nil {
		return err
	}
	return p.sectionItems(secs, rs, splitOpts{perEntry: true})
}

// itemDate reads and parses an entry's date with rs.date inside scope.
func (p *page) itemDate(n int, title string, scope *goquery.Selection, rs *rules, h hits, self bool) time.Time {
	h.tried[rs.date.name]++
	d := findIn(scope, rs.date, self)
	if d.Length() == 0 {
		p.itemWarnf(n, title, "date: no match for %s", rs.date.sel)
		return time.Time{}
	}
	h.matched[rs.date.name]++
	s, ok := dateText(d.Get(0), rs.dateAttr)
	if !ok {
		p.itemWarnf(n, title, "date: %s has no %s attribute", rs.date.sel, rs.dateAttr)
		return time.Time{}
	}
	t, ok := parseDate(s, rs.layouts)
	if !ok {
		p.itemWarnf(n, title, "date: cannot parse %s", quote(s))
		return time.Time{}
	}
	return t
}

// itemTime reads a split entry's talk time with rs.time inside scope (its
// heading and content), keeping the offset written.
func (p *page) itemTime(n int, title string, scope *goquery.Selection, rs *rules, h hits) time.Time {
	h.tried[rs.time.name]++
	d := findIn(scope, rs.time, true)
	if d.Length() == 0 {
		p.itemWarnf(n, title, "time: no match for %s", rs.time.sel)
		return time.Time{}
	}
	h.matched[rs.time.name]++
	s, ok := dateText(d.Get(0), rs.timeAttr)
	if !ok {
		p.itemWarnf(n, title, "time: %s has no %s attribute", rs.time.sel, rs.timeAttr)
		return time.Time{}
	}
	if t, ok := parseTime(s, rs.layouts); ok {
		return t
	}
	p.itemWarnf(n, title, "time: cannot parse %s", quote(s))
	return time.Time{}
}

func (p *page) itemAuthors(n int, title string, scope *goquery.Selection, rs *rules, h hits, self bool) []string {
	h.tried[rs.author.name]++
	a := findIn(scope, rs.author, self)
	if a.Length() == 0 {
		p.itemWarnf(n, title, "author: no match for %s", rs.author.sel)
		return nil
	}
	h.matched[rs.author.name]++
	return textsOf(a)
}

func (p *page) itemHTML(n int, title string, scope *goquery.Selection, r *rule, h hits, self bool) string {
	h.tried[r.name]++
	s := findIn(scope, r, self)
	if s.Length() == 0 {
		p.itemWarnf(n, title, "%s: no match for %s", r.name, r.sel)
		return ""
	}
	h.matched[r.name]++
	return htmlOf(s)
}

// linkOf reads the link attribute of the first of l (or of the first
// element inside it that has the attribute).
func (p *page) linkOf(n int, title string, l *goquery.Selection, rs *rules, h hits) (string, bool) {
	h.tried[rs.link.name]++
	if l.Length() == 0 {
		p.itemWarnf(n, title, "link: no match for %s", rs.link.sel)
		return "", false
	}
	h.matched[rs.link.name]++
	v, ok := attrDeep(l.Get(0), rs.linkAttr)
	if !ok || strings.TrimSpace(v) == "" {
		p.itemWarnf(n, title, "link: %s has no %s attribute", rs.link.sel, rs.linkAttr)
		return "", false
	}
	return strings.TrimSpace(v), true
}

// unmatched returns a *SelectorError for the first of rs that was tried
// and matched in none of the page's entries: a typo or a changed site, not
// a gap in one entry.
func (p *page) unmatched(rs []*rule, h hits, scopeDesc string) error {
	for _, r := range rs {
		if r != nil && h.tried[r.name] > 0 && h.matched[r.name] == 0 {
			return &SelectorError{Name: r.name, Selector: r.sel, Context: p.missContext(r, scopeDesc)}
		}
	}
	return nil
}
