package page

import (
	"bytes"
	"regexp"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/netdigest/netdigest/normalize"
)

// textOf is the plain text of the first element of s: a <meta>'s content,
// else the element's text as normalize.PlainText reads it (block elements
// leave a space, script and style dropped, whitespace collapsed).
func textOf(s *goquery.Selection) string {
	if s.Length() == 0 {
		return ""
	}
	return nodeText(s.Get(0))
}

func nodeText(n *html.Node) string {
	if n.Type == html.ElementNode && n.DataAtom == atom.Meta {
		return strings.Join(strings.Fields(attr(n, "content")), " ")
	}
	if n.Type == html.TextNode {
		return normalize.PlainText(html.EscapeString(n.Data))
	}
	return normalize.PlainText(innerHTML(n))
}

// textsOf is the non-empty texts of all of s, without repeats: several
// author elements are several authors.
func textsOf(s *goquery.Selection) []string {
	var out []string
	seen := make(map[string]bool)
	for _, n := range s.Nodes {
		t := nodeText(n)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// htmlOf is the HTML of s as matched: one element gives its inner HTML,
// several give their outer HTML one after the other (content=".post p"
// keeps the paragraphs).
func htmlOf(s *goquery.Selection) string {
	switch s.Length() {
	case 0:
		return ""
	case 1:
		return strings.TrimSpace(innerHTML(s.Get(0)))
	}
	return renderNodes(s.Nodes)
}

func innerHTML(n *html.Node) string {
	var buf bytes.Buffer
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		// Render fails only on writer errors, which a Buffer has none of.
		_ = html.Render(&buf, c)
	}
	return buf.String()
}

// renderNodes is the outer HTML of nodes, one per line: for elements
// matched apart, whose spacing in the page says nothing.
func renderNodes(nodes []*html.Node) string {
	var buf bytes.Buffer
	for _, n := range nodes {
		if buf.Len() > 0 {
			buf.WriteByte('\n')
		}
		_ = html.Render(&buf, n)
	}
	return strings.TrimSpace(buf.String())
}

// renderRun is the HTML of a run of siblings as the page has it, the text
// and spacing between elements included ("foo<b>bar</b>" stays one word).
func renderRun(nodes []*html.Node) string {
	var buf bytes.Buffer
	for _, n := range nodes {
		_ = html.Render(&buf, n)
	}
	return strings.TrimSpace(buf.String())
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	if n == nil || n.Type != html.ElementNode {
		return "", false
	}
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

// attrDeep returns the attribute key of n, else of its first descendant
// that has it: link=h2.entry-title finds the href of the <a> inside.
func attrDeep(n *html.Node, key string) (string, bool) {
	if v, ok := attrOK(n, key); ok {
		return v, true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if v, ok := attrDeep(c, key); ok {
			return v, true
		}
	}
	return "", false
}

// dateText is the date as written on the element: the attribute when one
// is configured, else a <time>'s datetime, a <meta>'s content, or the text.
// ok is false when the configured attribute is missing.
func dateText(n *html.Node, attrName string) (string, bool) {
	if attrName != "" {
		return attrOK(n, attrName)
	}
	switch n.DataAtom {
	case atom.Time:
		if v, ok := attrOK(n, "datetime"); ok && strings.TrimSpace(v) != "" {
			return v, true
		}
	case atom.Meta:
		return attrOK(n, "content")
	}
	return nodeText(n), true
}

// extraLayouts are date forms seen on web pages that normalize.ParseDate
// does not know, tried after it on the text cleaned by cleanDate.
var extraLayouts = [...]string{
	"2006/01/02",
	"2006/1/2",
	"2006.01.02",
	"January 2 2006",
	"Jan 2 2006",
	"2 January, 2006",
	"Monday, January 2, 2006",
	"Mon, January 2, 2006",
	"Mon, Jan 2, 2006",
	"Monday, 2 January 2006",
	"Monday 2 January 2006",
	"January 2, 2006 at 3:04 pm", // WordPress's "F j, Y \a\t g:i a"
	"January 2, 2006 at 15:04",
	"January 2, 2006 3:04 pm",
}

var (
	ordinalDay  = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)\b`)
	dottedMonth = regexp.MustCompile(`(?i)\b(Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?:t)?\.`)
	septMonth   = regexp.MustCompile(`(?i)\bSept\b`)
)

// cleanDate rewrites what Go layouts cannot express: ordinal days ("March
// 3rd"), abbreviations with a dot ("Jan.") and "Sept".
func cleanDate(s string) string {
	s = ordinalDay.ReplaceAllString(s, "$1")
	s = dottedMonth.ReplaceAllString(s, "$1")
	return septMonth.ReplaceAllString(s, "Sep")
}

// parseDate tries the configured layouts in order, then normalize.ParseDate,
// then extraLayouts. Dates without a zone are UTC. The result is in UTC.
func parseDate(s string, layouts []string) (time.Time, bool) {
	t, ok := parseTime(s, layouts)
	return t.UTC(), ok
}

// parseTime is parseDate keeping the offset written (a talk's local time).
func parseTime(s string, layouts []string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range layouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t, true
		}
	}
	if t, ok := normalize.ParseEventTime(s); ok {
		return t, true
	}
	c := cleanDate(s)
	if c != s {
		if t, ok := normalize.ParseEventTime(c); ok {
			return t, true
		}
	}
	for _, l := range extraLayouts {
		if t, err := time.ParseInLocation(l, c, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// hasText reports whether an HTML fragment shows any text.
func hasText(fragment string) bool {
	return strings.TrimSpace(fragment) != "" && normalize.PlainText(fragment) != ""
}
