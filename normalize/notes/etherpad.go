package notes

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Etherpad's /p/<pad>/export/html (src/node/utils/ExportHtml.ts and
// templates/export_html.html) is a page with <meta name="generator"
// content="Etherpad">, whose body is the pad's lines: a plain line is its
// text and a <br>; list lines are <li>s of <ul class="bullet">, <ul
// class="indent"> (indented, no marker) or <ol class="number">, one nested
// list per level. /export/txt (ExportTxt.ts) writes the same lines as one
// tab per list level, then "* " for a bullet or "N. " ("1.2. " nested) for a
// number, then the text. etherpadText turns the first into the second, so
// that Rules apply to both URLs alike.

// etherpadText returns the text export of an etherpad HTML export, and
// false for any other page.
func etherpadText(body []byte) ([]byte, bool) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, false
	}
	var bodyNode *html.Node
	generator, lists, breaks := false, false, false
	var scan func(n *html.Node)
	scan = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Meta:
				generator = generator || (strings.EqualFold(attr(n, "name"), "generator") &&
					strings.Contains(strings.ToLower(attr(n, "content")), "etherpad"))
			case atom.Body:
				bodyNode = n
			case atom.Ul, atom.Ol:
				lists = lists || hasClass(n, "bullet") || hasClass(n, "indent") || hasClass(n, "number")
			case atom.Br:
				breaks = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			scan(c)
		}
	}
	scan(doc)
	// The generator meta says so; without it (an older Etherpad, a proxy
	// that rewrote the head) etherpad's lists and <br> lines do.
	if bodyNode == nil || !(generator || (lists && breaks)) {
		return nil, false
	}
	w := &padWriter{}
	w.children(bodyNode)
	w.flush()
	return []byte(w.out.String()), true
}

// padWriter writes the lines of an etherpad HTML body as ExportTxt does.
type padWriter struct {
	out     strings.Builder
	line    strings.Builder // text of the line being read
	prefix  string          // its indentation and list marker
	pending bool            // a line was started (by <li> or text)
	lists   []padList       // the lists the walk is in, outermost first
}

type padList struct {
	kind string // bullet, indent, number
	n    int    // the number of its current item (kind number)
}

// flush ends the line being read; a list item without text (a level
// skipped) writes nothing.
func (w *padWriter) flush() {
	if !w.pending {
		return
	}
	text := w.line.String()
	if w.prefix == "" || strings.TrimSpace(text) != "" {
		w.out.WriteString(w.prefix)
		w.out.WriteString(text)
		w.out.WriteByte('\n')
	}
	w.line.Reset()
	w.prefix, w.pending = "", false
}

func (w *padWriter) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.node(c)
	}
}

func (w *padWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		// ExportHtml writes each line on one source line: newlines come
		// from the template around the body, not from the pad. Spaces it
		// keeps from collapsing are no-break spaces; the text export has
		// plain ones.
		t := strings.NewReplacer("\r", "", "\n", "", "\u00a0", " ").Replace(n.Data)
		if t == "" {
			return
		}
		w.pending = true
		w.line.WriteString(t)
		return
	case html.ElementNode:
	default:
		return
	}
	switch n.DataAtom {
	case atom.Br:
		w.pending = true
		w.flush()
	case atom.Ul, atom.Ol:
		w.flush()
		l := padList{kind: "bullet"}
		switch {
		case n.DataAtom == atom.Ol:
			l.kind = "number"
			if s, err := strconv.Atoi(attr(n, "start")); err == nil && s > 0 {
				l.n = s - 1
			}
		case hasClass(n, "indent"):
			l.kind = "indent"
		}
		w.lists = append(w.lists, l)
		w.children(n)
		w.flush()
		w.lists = w.lists[:len(w.lists)-1]
	case atom.Li:
		w.flush()
		w.pending = true
		w.prefix = w.itemPrefix()
		w.children(n)
		w.flush()
	case atom.Script, atom.Style, atom.Head, atom.Title:
	case atom.Div, atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Pre:
		// Plugins (ep_headings, ep_align) wrap a line in a block.
		w.flush()
		w.children(n)
		w.flush()
	default:
		w.children(n) // b, i, u, s, a, span, code: the text only
	}
}

// itemPrefix is a list line's start in the text export: a tab per level,
// then "* " (bullet), "N. " with the outer numbers ("1.2. ", number) or
// nothing (indent).
func (w *padWriter) itemPrefix() string {
	depth := len(w.lists)
	if depth == 0 {
		return ""
	}
	prefix := strings.Repeat("\t", depth)
	cur := &w.lists[depth-1]
	switch cur.kind {
	case "bullet":
		return prefix + "* "
	case "number":
		cur.n++
		var nums []string
		for _, l := range w.lists {
			if l.kind == "number" {
				nums = append(nums, strconv.Itoa(l.n))
			}
		}
		return prefix + strings.Join(nums, ".") + ". "
	}
	return prefix
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), class)
}
