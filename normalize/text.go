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
// absolute; otherwise, or when no URL in it would change, it returns
// fragment unchanged. Only the tags whose URLs change are re-serialized
// (attribute names lower-cased, values quoted); the rest of the markup
// comes back byte for byte, malformed or not: the sanitizer reads it next.
// SVG and MathML go through the HTML parser instead, whose tokenizing of
// foreign content differs from a bare tokenizer's, and come back as it
// fixed them up.
func AbsolutizeHTML(fragment, base string) string {
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() || strings.TrimSpace(fragment) == "" {
		return fragment
	}
	// Most feed bodies carry only absolute URLs: a byte scan proves that
	// for most, at a fraction of a tokenizer pass.
	if allURLsAbsolute(fragment) {
		return fragment
	}
	if out, ok := absolutizeTokens(fragment, b); ok {
		return out
	}
	return absolutizeTree(fragment, b)
}

// allURLsAbsolute reports whether every place in s where the tokenizer could
// read a URL attribute (a name isURLAttr or srcset accepts, after a byte
// that can precede an attribute name and before one that can end it) gives
// it a value starting with a scheme. It looks at every byte, in tags or not,
// so it never misses an attribute; false means only "not proven".
func allURLsAbsolute(s string) bool {
	// A table, not a switch: this loop runs over every byte of every body.
	var before, first [256]bool
	for _, c := range []byte(" \n\r\t\f/\"'") { // what readTag leaves before a name
		before[c] = true
	}
	for _, c := range []byte("hscplaHSCPLA") { // the names' first letters
		first[c] = true
	}
	for i := 1; i < len(s); i++ {
		if !first[s[i]] || !before[s[i-1]] {
			continue
		}
		n := urlAttrAt(s[i:])
		if n == 0 {
			continue
		}
		if n == len("srcset") && hasPrefixFold(s[i:], "srcset") {
			return false // a list: left to absolutizeTokens
		}
		if !schemeFollows(s[i+n:]) {
			return false
		}
		i += n - 1
	}
	return true
}

// urlAttrAt returns the length of the URL attribute name s starts with,
// ended as the tokenizer ends a name, or 0.
func urlAttrAt(s string) int {
	var names []string
	switch s[0] | 0x20 { // most words fail here, before any comparison
	case 'h':
		names = []string{"href"}
	case 's':
		names = []string{"srcset", "src"}
	case 'c':
		names = []string{"cite"}
	case 'p':
		names = []string{"poster"}
	case 'l':
		names = []string{"longdesc"}
	case 'a':
		names = []string{"action"}
	}
	for _, name := range names {
		n := len(name)
		if !hasPrefixFold(s, name) {
			continue
		}
		if len(s) == n {
			return n
		}
		switch s[n] {
		case '=', ' ', '\n', '\r', '\t', '\f', '/', '>':
			return n
		}
	}
	return 0
}

// hasPrefixFold reports whether s starts with lower, a lower-case ASCII
// word, in any case.
func hasPrefixFold(s, lower string) bool {
	if len(s) < len(lower) {
		return false
	}
	for i := 0; i < len(lower); i++ {
		if s[i]|0x20 != lower[i] {
			return false
		}
	}
	return true
}

// schemeFollows reports whether s, what follows an attribute name, is
// "=", an optional quote and "scheme:", spaces allowed around the "=".
// Entities and spaces inside the value are not read: they give false.
func schemeFollows(s string) bool {
	i := 0
	skip := func() {
		for i < len(s) && strings.IndexByte(" \n\r\t\f", s[i]) >= 0 {
			i++
		}
	}
	skip()
	if i == len(s) || s[i] != '=' {
		return false // no value: resolves to the base
	}
	i++
	skip()
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		i++
	}
	start := i
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c|0x20 && c|0x20 <= 'z':
		case i > start && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > start && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// absolutizeTree parses fragment, resolves its URL attributes against base
// and renders it back; fragment unchanged when it does not parse.
func absolutizeTree(fragment string, base *url.URL) string {
	body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(fragment), body)
	if err != nil {
		return fragment
	}
	var buf bytes.Buffer
	for _, n := range nodes {
		absolutizeNode(n, base)
		if err := html.Render(&buf, n); err != nil {
			return fragment
		}
	}
	return buf.String()
}

func absolutizeNode(n *html.Node, base *url.URL) {
	if n.Type == html.ElementNode {
		absolutizeAttrs(n.Attr, base)
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		absolutizeNode(c, base)
	}
}

// absolutizeTokens rewrites fragment's URL attributes token by token, as
// the HTML parser would tokenize it: a tag whose URLs change is rendered
// again from its token, everything else is copied raw, and a fragment where
// nothing changes comes back as it is. ok is false, and nothing is done,
// when the fragment holds SVG or MathML: in foreign content the parser reads
// <style>, <title> and CDATA as markup where a bare tokenizer sees text.
func absolutizeTokens(fragment string, base *url.URL) (out string, ok bool) {
	var b strings.Builder
	changed := false
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case html.ErrorToken:
			// The end: reading a string fails no other way. An unfinished
			// tag at the end is dropped, as the parser drops it.
			if !changed {
				return fragment, true
			}
			return b.String(), true
		case html.StartTagToken, html.SelfClosingTagToken:
			// Raw first: reading the attributes unescapes them in place.
			raw := string(z.Raw())
			t := z.Token()
			if t.DataAtom == atom.Svg || t.DataAtom == atom.Math {
				return "", false
			}
			if absolutizeAttrs(t.Attr, base) {
				changed = true
				b.WriteString(t.String())
			} else {
				b.WriteString(raw)
			}
		default:
			b.Write(z.Raw())
		}
	}
}

// absolutizeAttrs resolves the URL attributes among attrs against base in
// place, reporting whether any changed.
func absolutizeAttrs(attrs []html.Attribute, base *url.URL) bool {
	changed := false
	for i, a := range attrs {
		v := a.Val
		switch {
		case a.Namespace != "":
		case isURLAttr(a.Key):
			v = resolveRef(base, a.Val)
		case a.Key == "srcset":
			v = resolveSrcset(base, a.Val)
		}
		if v != a.Val {
			attrs[i].Val = v
			changed = true
		}
	}
	return changed
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
	// Which unknown tags are markup takes a pass of its own; most bodies
	// have none, so it runs only when the first one turns up.
	var paired map[string]bool
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
				if paired == nil {
					paired = pairedUnknownTags(s)
				}
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
