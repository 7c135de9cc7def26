package page

import (
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// boilerplateWord reports whether a class or id word marks boilerplate:
// what surrounds an entry on a page without being part of it (navigation,
// sidebars, site footers, comment sections, share and "related posts"
// blocks).
//
// An element is boilerplate when it is a <nav>, <aside> or <footer>; has
// role navigation, complementary, contentinfo or banner; or has a class or
// id token that is such a word, or begins or ends with one at a "-" or "_"
// ("comment-list", "site-footer", "jp-relatedposts"; not
// "content-sidebar-wrap", whose middle word does not count, nor
// <body class="has-sidebar">, since <html> and <body> never are).
//
// Boilerplate is left out when finding content (readability heuristic) and
// when choosing split headings, and is removed from a kind article's
// content and from split entries, since WordPress appends its share and
// like buttons inside .entry-content.
func boilerplateWord(w string) bool {
	switch w {
	case "comment", "comments", "respond", "disqus",
		"sidebar", "widget", "widgets",
		"share", "sharing", "sharedaddy", "social",
		"related", "relatedposts",
		"breadcrumb", "breadcrumbs",
		"nav", "navigation", "menu", "pagination",
		"footer", "masthead":
		return true
	}
	return false
}

func isBoilerplate(n *html.Node) bool {
	if n.Type != html.ElementNode {
		return false
	}
	switch n.DataAtom {
	case atom.Nav, atom.Aside, atom.Footer:
		return true
	case atom.Html, atom.Body:
		return false
	}
	for _, a := range n.Attr {
		switch a.Key {
		case "role":
			switch strings.ToLower(strings.TrimSpace(a.Val)) {
			case "navigation", "complementary", "contentinfo", "banner":
				return true
			}
		case "class", "id":
			for _, tok := range strings.Fields(strings.ToLower(a.Val)) {
				if boilerplateToken(tok) {
					return true
				}
			}
		}
	}
	return false
}

func boilerplateToken(tok string) bool {
	if boilerplateWord(tok) {
		return true
	}
	parts := strings.FieldsFunc(tok, func(r rune) bool { return r == '-' || r == '_' })
	return len(parts) > 1 && (boilerplateWord(parts[0]) || boilerplateWord(parts[len(parts)-1]))
}

// inBoilerplate reports whether n or one of its ancestors is boilerplate.
func inBoilerplate(n *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if isBoilerplate(n) {
			return true
		}
	}
	return false
}

// notContent are elements whose text is never an entry's: code and
// templates, and (for the heuristic only) page and section headers.
func notContent(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Header, atom.Form:
		return true
	}
	return false
}

// removeBoilerplate drops boilerplate, scripts and styles from inside the
// scope's nodes (not the nodes themselves).
func removeBoilerplate(nodes []*html.Node) {
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; {
			next := c.NextSibling
			if c.Type == html.ElementNode && (isBoilerplate(c) || isCode(c)) {
				n.RemoveChild(c)
			} else {
				walk(c)
			}
			c = next
		}
	}
	for _, n := range nodes {
		walk(n)
	}
}

func isCode(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Template:
		return true
	}
	return false
}

// minParagraph is the length under which a paragraph does not count
// ("Share this:", "Like", a date line).
const minParagraph = 25

// mainContent finds a page's content element the way readability does, kept
// simple: every <p> and <pre> of at least minParagraph characters outside
// boilerplate and <header>/<form>/<script> adds its text length to its
// parent's score and half of it to its grandparent's; the highest score
// wins (the first on a tie). That is the element holding the most paragraph
// text directly, not the <body> that holds everything. A page without such
// paragraphs falls back on <article>, <main>, [role=main], then <body>.
// When every paragraph is in boilerplate, they all count after all.
func mainContent(doc *goquery.Document) *html.Node {
	paras := doc.Find("p, pre").Nodes
	if n := bestParent(paras, true); n != nil {
		return n
	}
	if n := bestParent(paras, false); n != nil {
		return n
	}
	for _, sel := range []string{"article", "main", "[role=main]", "body"} {
		if s := doc.Find(sel); s.Length() > 0 {
			return s.Get(0)
		}
	}
	return doc.Get(0)
}

func bestParent(paras []*html.Node, skipBoilerplate bool) *html.Node {
	score := make(map[*html.Node]int)
	var order []*html.Node
	add := func(n *html.Node, v int) {
		if n == nil || n.Type != html.ElementNode {
			return
		}
		if _, ok := score[n]; !ok {
			order = append(order, n)
		}
		score[n] += v
	}
	for _, p := range paras {
		if skipBoilerplate && excludedFromContent(p) {
			continue
		}
		l := utf8.RuneCountInString(nodeText(p))
		if l < minParagraph {
			continue
		}
		add(p.Parent, l)
		if p.Parent != nil {
			add(p.Parent.Parent, l/2)
		}
	}
	var best *html.Node
	for _, n := range order {
		if best == nil || score[n] > score[best] {
			best = n
		}
	}
	return best
}

func excludedFromContent(n *html.Node) bool {
	for a := n; a != nil; a = a.Parent {
		if a.Type == html.ElementNode && (isBoilerplate(a) || notContent(a)) {
			return true
		}
	}
	return false
}
