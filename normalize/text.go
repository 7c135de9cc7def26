package normalize

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

const (
	// summaryRunes bounds Entry.Summary, the ellipsis included.
	summaryRunes = 300
	// titleWords is how many words of the text stand in for a missing title.
	titleWords = 10
	ellipsis   = "…"
)

// newContentPolicy is the sanitizing policy for Entry.Content: bluemonday's
// UGC policy (no script, style, event handlers, iframes, forms, or URL
// schemes other than http, https and mailto; links get rel="nofollow"),
// plus the language-* classes that code highlighters key on.
func newContentPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[\w+#-]+$`)).OnElements("code")
	return p
}

// isURLAttr reports whether an attribute holds one URL to make absolute
// before sanitizing; srcset, holding several, is handled apart.
func isURLAttr(key string) bool {
	switch key {
	case "href", "src", "cite", "poster", "longdesc", "action":
		return true
	}
	return false
}

// AbsolutizeHTML rewrites relative URLs in the attributes of an HTML
// fragment (href, src, srcset, cite, poster, ...) against base, which must be
// absolute; otherwise, or when the fragment does not parse, it returns
// fragment unchanged. Malformed markup comes back as the HTML parser fixed
// it up.
func AbsolutizeHTML(fragment, base string) string {
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() || strings.TrimSpace(fragment) == "" {
		return fragment
	}
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), body)
	if err != nil {
		return fragment
	}
	var buf bytes.Buffer
	for _, n := range nodes {
		absolutizeNode(n, b)
		if err := html.Render(&buf, n); err != nil {
			return fragment
		}
	}
	return buf.String()
}

func absolutizeNode(n *html.Node, base *url.URL) {
	if n.Type == html.ElementNode {
		for i, a := range n.Attr {
			switch {
			case a.Namespace != "":
			case isURLAttr(a.Key):
				n.Attr[i].Val = resolveRef(base, a.Val)
			case a.Key == "srcset":
				n.Attr[i].Val = resolveSrcset(base, a.Val)
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		absolutizeNode(c, base)
	}
}

// resolveRef resolves one URL reference; unparseable ones are left for the
// sanitizer to drop.
func resolveRef(base *url.URL, ref string) string {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || u.IsAbs() {
		return ref
	}
	return base.ResolveReference(u).String()
}

// resolveSrcset resolves each candidate of a srcset ("url [descriptor], ...").
func resolveSrcset(base *url.URL, srcset string) string {
	cands := strings.Split(srcset, ",")
	for i, c := range cands {
		f := strings.Fields(c)
		if len(f) == 0 {
			continue
		}
		f[0] = resolveRef(base, f[0])
		cands[i] = strings.Join(f, " ")
	}
	return strings.Join(cands, ", ")
}

// PlainText turns an HTML fragment or text into one line of plain text: tags
// dropped (block-level ones leave a space), the content of script, style and
// similar elements dropped, entities decoded, whitespace collapsed.
//
// Text that only looks like a tag is kept, since feeds about C and the shell
// are full of it ("<linux/if.h>", "<sk_buff>", "ip link set <dev> up",
// IRC quotes): a name that is not an HTML element counts as markup only when
// the fragment also closes it ("<datagrid>...</datagrid>").
func PlainText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return strings.Join(strings.Fields(s), " ")
	}
	paired := pairedUnknownTags(s)
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside elements whose text is not content
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.Join(strings.Fields(b.String()), " ")
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			if !isHTMLElement(string(name)) {
				if skip == 0 && !paired[string(name)] {
					b.Write(z.Raw())
				}
				continue
			}
			a := atom.Lookup(name)
			if skipsContent(a) {
				switch {
				case tt == html.EndTagToken:
					if skip > 0 {
						skip--
					}
				// The tokenizer reads raw text after <iframe/> as after
				// <iframe>, up to </iframe>, as browsers do.
				case tt == html.StartTagToken || isRawText(a):
					skip++
				}
			}
			if !isInline(a) {
				b.WriteByte(' ')
			}
		}
	}
}

// pairedUnknownTags returns the non-HTML tag names that s both opens and
// closes: those are markup (obsolete or custom elements), the rest is text.
func pairedUnknownTags(s string) map[string]bool {
	opened := make(map[string]bool)
	paired := make(map[string]bool)
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return paired
		}
		if tt != html.StartTagToken && tt != html.EndTagToken {
			continue
		}
		name, _ := z.TagName()
		if isHTMLElement(string(name)) {
			continue
		}
		if tt == html.StartTagToken {
			opened[string(name)] = true
		} else if opened[string(name)] {
			paired[string(name)] = true
		}
	}
}

// isHTMLElement reports whether name (lower case) is an element of HTML,
// current or obsolete, as opposed to text in angle brackets.
func isHTMLElement(name string) bool {
	switch name {
	case "a", "abbr", "acronym", "address", "applet", "area", "article", "aside", "audio",
		"b", "base", "basefont", "bdi", "bdo", "bgsound", "big", "blink", "blockquote", "body", "br", "button",
		"canvas", "caption", "center", "cite", "code", "col", "colgroup",
		"data", "datalist", "dd", "del", "details", "dfn", "dialog", "dir", "div", "dl", "dt",
		"em", "embed", "fieldset", "figcaption", "figure", "font", "footer", "form", "frame", "frameset",
		"h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html",
		"i", "iframe", "image", "img", "input", "ins", "isindex", "kbd", "keygen",
		"label", "legend", "li", "link", "listing", "main", "map", "mark", "marquee", "math", "menu",
		"menuitem", "meta", "meter", "nav", "nobr", "noembed", "noframes", "noscript",
		"object", "ol", "optgroup", "option", "output", "p", "param", "picture", "plaintext", "pre", "progress",
		"q", "rb", "rp", "rt", "rtc", "ruby", "s", "samp", "script", "search", "section", "select", "slot",
		"small", "source", "spacer", "span", "strike", "strong", "style", "sub", "summary", "sup", "svg",
		"table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead", "time", "title", "tr", "track", "tt",
		"u", "ul", "var", "video", "wbr", "xmp":
		return true
	}
	return false
}

// skipsContent reports whether a reader never sees an element's text.
func skipsContent(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Template, atom.Noscript, atom.Iframe,
		atom.Object, atom.Title, atom.Head, atom.Noembed, atom.Noframes:
		return true
	}
	return false
}

// isRawText reports whether the tokenizer reads an element's content as raw
// text (for the elements skipsContent lists).
func isRawText(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Noscript, atom.Iframe, atom.Title,
		atom.Noembed, atom.Noframes:
		return true
	}
	return false
}

// isInline reports whether an element joins its neighbours without a space.
func isInline(a atom.Atom) bool {
	switch a {
	case atom.A, atom.Abbr, atom.B, atom.Bdi, atom.Bdo, atom.Cite, atom.Code,
		atom.Data, atom.Dfn, atom.Em, atom.Font, atom.I, atom.Kbd, atom.Mark,
		atom.Q, atom.S, atom.Samp, atom.Small, atom.Span, atom.Strike,
		atom.Strong, atom.Sub, atom.Sup, atom.Time, atom.Tt, atom.U, atom.Var,
		atom.Wbr, atom.Del, atom.Ins:
		return true
	}
	return false
}

// Truncate cuts s to at most max runes at a word boundary, ending it with
// "…" when anything was cut. A single word longer than max is cut inside.
func Truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	limit := max - utf8.RuneCountInString(ellipsis)
	if limit <= 0 {
		return ellipsis
	}
	// byte offset of the first rune past the limit
	cut := len(s)
	for i := range s {
		if limit == 0 {
			cut = i
			break
		}
		limit--
	}
	head := s[:cut]
	if s[cut] != ' ' { // the cut falls inside a word: back up to its start
		if sp := strings.LastIndexByte(head, ' '); sp > 0 {
			head = head[:sp]
		}
	}
	head = strings.TrimRight(head, " ,;:-–—")
	return head + ellipsis
}

// firstWords returns the first n words of s, with "…" when there were more.
func firstWords(s string, n int) string {
	words := strings.Fields(s)
	if len(words) <= n {
		return strings.Join(words, " ")
	}
	return strings.TrimRight(strings.Join(words[:n], " "), ",;:-–—") + ellipsis
}
