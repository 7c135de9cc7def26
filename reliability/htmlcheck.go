package reliability

import (
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Mode says what kind of HTML UnsafeHTML checks.
type Mode int

const (
	// Fragment is entry content, embedded in someone else's page (a feed
	// reader, the web page, the email): nothing in it may run script,
	// navigate, submit, frame another document, change the base URL or
	// bring its own stylesheet.
	Fragment Mode = iota
	// Document is a whole page netdigest writes itself (the digest email):
	// its own <head>, <meta charset> and inline CSS are allowed; script,
	// handlers, dangerous URLs, refresh, frames and forms are not.
	Document
)

// forbidden elements in every mode, and those only entry content may not
// hold. SVG animation elements can set an href to javascript: without any
// handler attribute, so they are refused outright.
var (
	forbiddenAlways = map[string]string{
		"script": "runs script", "iframe": "frames a document", "frame": "frames a document",
		"frameset": "frames documents", "object": "embeds a plugin or document", "embed": "embeds a plugin",
		"applet": "runs a plugin", "form": "submits data", "isindex": "submits data", "base": "changes the base URL",
		"link": "loads a stylesheet or document", "portal": "embeds a document",
		"animate": "can set an href to script", "set": "can set an href to script",
		"animatemotion": "can set an href to script", "animatetransform": "can set an href to script",
		"handler": "runs script", "listener": "runs script",
	}
	forbiddenInFragment = map[string]string{
		"style": "restyles the host page", "meta": "can refresh or redirect the host page",
	}
)

// urlAttrs hold one URL; srcset and ping hold several.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "data": true, "codebase": true,
	"background": true, "poster": true, "cite": true, "longdesc": true, "lowsrc": true, "dynsrc": true,
	"usemap": true, "profile": true, "manifest": true, "icon": true, "archive": true, "classid": true,
}

// dangerousSchemes run script or carry a whole document in the URL.
var dangerousSchemes = map[string]bool{
	"javascript": true, "vbscript": true, "data": true, "livescript": true, "mocha": true,
}

var (
	cssComment = regexp.MustCompile(`/\*.*?\*/`)
	// cssDanger: IE expressions and behaviors, Mozilla bindings, imports and
	// script URLs, matched after comments, escapes and spaces are removed.
	cssDanger = regexp.MustCompile(`expression\(|javascript:|vbscript:|behavior:|-moz-binding|@import|url\(['"]?(javascript|vbscript|data):`)
)

// UnsafeHTML parses src as a browser does (golang.org/x/net/html, the
// HTML5 algorithm, so malformed and entity-encoded markup is seen as a
// browser sees it) and returns one line per construct that could run
// script or act on the reader's behalf: forbidden elements, on* attributes,
// javascript:/vbscript:/data: URLs (after the URL parser's stripping of
// whitespace and controls), meta refresh, dangerous CSS, and comments
// carrying script (Outlook reads conditional comments). nil means clean.
func UnsafeHTML(src string, mode Mode) []string {
	// Entry content is checked in two contexts: inside a page's body (how
	// readers and the web page embed it) and as the start of a document
	// (a naive reader writing it first), where <body onload>, <frameset>
	// and head elements take effect that the body context ignores.
	var roots []*html.Node
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		// x/net/html only fails on a reader error; treat it as unsafe
		// rather than silently passing.
		return []string{fmt.Sprintf("does not parse: %v", err)}
	}
	roots = append(roots, doc)
	if mode == Fragment {
		body := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
		nodes, err := html.ParseFragment(strings.NewReader(src), body)
		if err != nil {
			return []string{fmt.Sprintf("does not parse: %v", err)}
		}
		roots = append(roots, nodes...)
	}
	var problems []string
	seen := map[string]bool{}
	for _, n := range roots {
		var found []string
		walk(n, mode, &found)
		for _, p := range found {
			if !seen[p] {
				seen[p] = true
				problems = append(problems, p)
			}
		}
	}
	return problems
}

func walk(n *html.Node, mode Mode, problems *[]string) {
	add := func(format string, args ...any) { *problems = append(*problems, fmt.Sprintf(format, args...)) }
	switch n.Type {
	case html.CommentNode:
		if c := strings.ToLower(n.Data); strings.Contains(c, "<script") || strings.Contains(c, "javascript:") {
			add("comment carrying script: <!--%s-->", clip(n.Data))
		}
	case html.ElementNode:
		name := strings.ToLower(n.Data)
		if why, ok := forbiddenAlways[name]; ok {
			add("<%s> element (%s)", name, why)
		}
		if why, ok := forbiddenInFragment[name]; ok && mode == Fragment {
			add("<%s> element (%s)", name, why)
		}
		if name == "meta" && mode == Document {
			for _, a := range n.Attr {
				if strings.EqualFold(a.Key, "http-equiv") && strings.EqualFold(strings.TrimSpace(a.Val), "refresh") {
					add("<meta http-equiv=refresh> (navigates)")
				}
			}
		}
		if name == "style" && mode == Document {
			if css := textOf(n); dangerousCSS(css) {
				add("<style> with script-capable CSS: %s", clip(css))
			}
		}
		for _, a := range n.Attr {
			checkAttr(name, a, add)
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, mode, problems)
	}
}

func checkAttr(elem string, a html.Attribute, add func(string, ...any)) {
	key := strings.ToLower(a.Key)
	full := key
	if a.Namespace != "" {
		full = a.Namespace + ":" + key
	}
	switch {
	case strings.HasPrefix(key, "on"):
		add("%s attribute on <%s> (event handler)", full, elem)
	case key == "style":
		if dangerousCSS(a.Val) {
			add("style attribute on <%s> with script-capable CSS: %s", elem, clip(a.Val))
		}
	case urlAttrs[key]:
		if s := URLScheme(a.Val); dangerousSchemes[s] {
			add("<%s %s=%q> (%s: URL)", elem, full, clip(a.Val), s)
		}
	case key == "srcset" || key == "ping":
		for _, cand := range strings.Split(a.Val, ",") {
			f := strings.Fields(cand)
			if len(f) > 0 && dangerousSchemes[URLScheme(f[0])] {
				add("<%s %s=%q> (%s: URL)", elem, full, clip(a.Val), URLScheme(f[0]))
			}
		}
	}
}

// URLScheme returns the lower-cased scheme a browser would read in an
// attribute value, or "" for a relative URL. Like the WHATWG URL parser it
// trims leading and trailing C0 controls and spaces and drops tabs and
// newlines anywhere, so "  java\tscript:" is "javascript". Entities are
// already decoded by the HTML parser.
func URLScheme(v string) string {
	v = strings.TrimFunc(v, func(r rune) bool { return r <= 0x20 })
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	i := strings.IndexByte(v, ':')
	if i <= 0 {
		return ""
	}
	s := strings.ToLower(v[:i])
	for j, r := range s {
		alpha := r >= 'a' && r <= 'z'
		if !alpha && (j == 0 || !(r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return ""
		}
	}
	return s
}

func dangerousCSS(css string) bool {
	c := cssComment.ReplaceAllString(css, "")
	c = strings.ToLower(cssUnescape(c))
	c = strings.NewReplacer(" ", "", "\t", "", "\n", "", "\r", "", "\f", "").Replace(c)
	return cssDanger.MatchString(c)
}

// cssUnescape decodes CSS escapes (CSS Syntax 4.3.7): a backslash and up to
// six hex digits (plus one optional whitespace) is that code point; a
// backslash and any other character is the character.
func cssUnescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		j := i + 1
		for j < len(s) && j < i+7 && isHex(s[j]) {
			j++
		}
		if j == i+1 {
			b.WriteByte(s[j]) // escaped literal character
			i = j
			continue
		}
		var r rune
		for _, h := range s[i+1 : j] {
			r = r*16 + hexVal(byte(h))
		}
		b.WriteRune(r)
		if j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
			j++
		}
		i = j - 1
	}
	return b.String()
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) rune {
	switch {
	case c >= 'a':
		return rune(c-'a') + 10
	case c >= 'A':
		return rune(c-'A') + 10
	}
	return rune(c - '0')
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		return string(r[:79]) + "…"
	}
	return s
}
