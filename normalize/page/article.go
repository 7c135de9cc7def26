package page

import (
	"errors"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"github.com/netdigest/netdigest/normalize"
)

// errNoText is a kind article page with neither a title nor any text in
// its content: not a write-up (an image, a script-built page).
var errNoText = errors.New("the page has no title and no text")

// articleDefaults are tried in order, first match wins, for the fields of a
// kind article page whose rule is not set. They follow what blog engines
// emit: WordPress's h1.entry-title and time.entry-date.published, Open
// Graph and article: meta tags, hCard authors.
var articleDefaults = struct {
	title, date, author []cascadia.Selector
}{
	title: compileAll("h1.entry-title", "article h1", `meta[property="og:title"]`, "h1", "title"),
	date: compileAll(`meta[property="article:published_time"]`, "time.published[datetime]",
		"time[datetime]"),
	author: compileAll(`meta[name="author"]`, `[rel~="author"]`, ".author .fn", ".author"),
}

func compileAll(sels ...string) []cascadia.Selector {
	out := make([]cascadia.Selector, len(sels))
	for i, s := range sels {
		out[i] = cascadia.MustCompile(s)
	}
	return out
}

// article reads a write-up page (kind article): one item, or one per
// heading with rs.heading.
func (p *page) article(rs *rules) error {
	root := p.doc.Selection
	var page normalize.Item

	// Page metadata first: removing boilerplate from the content below
	// would take the byline and date of a WordPress footer with it.
	title, err := p.articleTitle(root, rs)
	if err != nil {
		return err
	}
	if page.Published, err = p.articleDate(root, rs); err != nil {
		return err
	}
	if page.Authors, err = p.articleAuthors(root, rs); err != nil {
		return err
	}
	if rs.link != nil {
		l := root.FindMatcher(rs.link.m)
		if l.Length() == 0 {
			return &SelectorError{Name: rs.link.name, Selector: rs.link.sel, Context: p.missContext(rs.link, "")}
		}
		if v, ok := attrDeep(l.Get(0), rs.linkAttr); ok && strings.TrimSpace(v) != "" {
			p.link = resolve(strings.TrimSpace(v), p.base, p.fetchURL)
		} else {
			p.warnf("link: %s has no %s attribute; the link is the page's", rs.link.sel, rs.linkAttr)
		}
	}
	var summary string
	if rs.summary != nil {
		s := root.FindMatcher(rs.summary.m)
		if s.Length() == 0 {
			return &SelectorError{Name: rs.summary.name, Selector: rs.summary.sel, Context: p.missContext(rs.summary, "")}
		}
		summary = htmlOf(s)
	}

	var content *goquery.Selection
	scopeDesc := ""
	switch {
	case rs.content != nil:
		content = root.FindMatcher(rs.content.m)
		if content.Length() == 0 {
			return &SelectorError{Name: rs.content.name, Selector: rs.content.sel, Context: p.missContext(rs.content, "")}
		}
		scopeDesc = "content=" + rs.content.sel
	case rs.heading != nil:
		// Split without a content rule: headings anywhere on the page but
		// in boilerplate. The heuristic's pick could hold only one talk of
		// a page that wraps each talk in its own <section>.
		content = root
	default:
		content = nodesSel(root, mainContent(p.doc))
	}

	if rs.heading != nil {
		secs, err := p.splitSections(content, rs, scopeDesc)
		if err != nil {
			return err
		}
		return p.sectionItems(secs, rs, splitOpts{inherit: page})
	}

	removeBoilerplate(content.Nodes)
	page.Title = title
	page.Link = p.link
	page.BaseURL = p.base
	page.ContentHTML = htmlOf(content)
	page.SummaryHTML = summary
	if page.Title == "" && !hasText(page.ContentHTML) && !hasText(summary) {
		return errNoText
	}
	p.items = append(p.items, page)
	return nil
}

func (p *page) articleTitle(root *goquery.Selection, rs *rules) (string, error) {
	if rs.title != nil {
		t := root.FindMatcher(rs.title.m)
		if t.Length() == 0 {
			return "", &SelectorError{Name: rs.title.name, Selector: rs.title.sel, Context: p.missContext(rs.title, "")}
		}
		return textOf(t), nil
	}
	for _, m := range articleDefaults.title {
		for _, n := range root.FindMatcher(m).Nodes {
			if t := nodeText(n); t != "" {
				return t, nil
			}
		}
	}
	p.warnf("title: none found (no h1, og:title or <title>)")
	return "", nil
}

func (p *page) articleDate(root *goquery.Selection, rs *rules) (time.Time, error) {
	if rs.date != nil {
		d := root.FindMatcher(rs.date.m)
		if d.Length() == 0 {
			return time.Time{}, &SelectorError{Name: rs.date.name, Selector: rs.date.sel, Context: p.missContext(rs.date, "")}
		}
		s, ok := dateText(d.Get(0), rs.dateAttr)
		if !ok {
			p.warnf("date: %s has no %s attribute", rs.date.sel, rs.dateAttr)
			return time.Time{}, nil
		}
		t, ok := parseDate(s, rs.layouts)
		if !ok {
			p.warnf("date: cannot parse %s", quote(s))
		}
		return t, nil
	}
	var unparsed string
	for _, m := range articleDefaults.date {
		for _, n := range root.FindMatcher(m).Nodes {
			s, _ := dateText(n, "")
			if strings.TrimSpace(s) == "" {
				continue
			}
			if t, ok := parseDate(s, rs.layouts); ok {
				return t, nil
			}
			if unparsed == "" {
				unparsed = s
			}
		}
	}
	if unparsed != "" {
		p.warnf("date: cannot parse %s", quote(unparsed))
	} else {
		p.warnf("date: none found (no article:published_time meta or time[datetime])")
	}
	return time.Time{}, nil
}

func (p *page) articleAuthors(root *goquery.Selection, rs *rules) ([]string, error) {
	if rs.author != nil {
		a := root.FindMatcher(rs.author.m)
		if a.Length() == 0 {
			return nil, &SelectorError{Name: rs.author.name, Selector: rs.author.sel, Context: p.missContext(rs.author, "")}
		}
		return textsOf(a), nil
	}
	for _, m := range articleDefaults.author {
		if names := textsOf(root.FindMatcher(m)); len(names) > 0 {
			return names, nil
		}
	}
	return nil, nil
}
