package page

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/andybalholm/cascadia"
)

// missContext says, for a SelectorError, why r matched nothing: where it
// was applied (scopeDesc, "" for the whole page), what the page has of the
// selector's parts (no <article> at all, no element with class post, the
// enclosing div.news missing), and the page's title, which tells a login
// wall or an error page at once.
func (p *page) missContext(r *rule, scopeDesc string) string {
	var parts []string
	if scopeDesc != "" {
		if n := len(r.m.MatchAll(p.doc.Get(0))); n > 0 {
			parts = append(parts, fmt.Sprintf("none inside %s, though the page has %s elsewhere", scopeDesc, count(n, "match", "matches")))
		} else {
			parts = append(parts, "none inside "+scopeDesc)
			parts = append(parts, p.selectorFacts(r.sel)...)
		}
	} else {
		parts = append(parts, p.selectorFacts(r.sel)...)
	}
	if p.title != "" {
		parts = append(parts, "its title is "+quote(p.title))
	} else {
		parts = append(parts, "it has no <title>")
	}
	return strings.Join(parts, "; ")
}

// selectorFacts explains, for each alternative of a selector group, what
// of it the page has.
func (p *page) selectorFacts(sel string) []string {
	var out []string
	for _, alt := range splitTop(sel, func(r rune) bool { return r == ',' }) {
		if f := p.altFacts(strings.TrimSpace(alt)); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// altFacts explains one complex selector ("div.news > h3.title"): first the
// parts of its last compound, then whether what encloses it exists.
func (p *page) altFacts(alt string) string {
	comps := compounds(alt)
	if len(comps) == 0 {
		return ""
	}
	last := comps[len(comps)-1]
	if f, ok := p.compoundFacts(last.text); !ok {
		return f
	}
	if len(comps) == 1 {
		return ""
	}
	outer := strings.TrimRight(strings.TrimSpace(alt[:last.start]), " >+~")
	lastN := p.count(last.text)
	outerN := p.count(outer)
	switch {
	case outerN == 0:
		msg := fmt.Sprintf("the page has %s matching %s, but the enclosing %s does not exist", count(lastN, "element", "elements"), last.text, outer)
		if f, ok := p.compoundFacts(comps[len(comps)-2].text); !ok {
			msg += ": " + f
		}
		return msg
	case outerN > 0 && lastN > 0:
		return fmt.Sprintf("the enclosing %s exists (%s) and the page has %s matching %s, but not inside it",
			outer, count(outerN, "match", "matches"), count(lastN, "element", "elements"), last.text)
	}
	return ""
}

// compoundFacts checks the parts of one compound selector ("article.post")
// one by one; ok is false when the page lacks a part or the combination,
// and the message says which.
func (p *page) compoundFacts(comp string) (string, bool) {
	tag, classes, ids, attrs, parsed := pieces(comp)
	if !parsed {
		if p.count(comp) == 0 {
			return "the page has no element matching " + comp, false
		}
		return "", true
	}
	var have []string
	if tag != "" && tag != "*" {
		n := p.count(tag)
		if n == 0 {
			return fmt.Sprintf("the page has no <%s> elements at all", tag), false
		}
		have = append(have, count(n, "<"+tag+"> element", "<"+tag+"> elements"))
	}
	for _, c := range classes {
		n := p.count("." + c)
		if n == 0 {
			return "the page has no element with class " + c, false
		}
		have = append(have, count(n, "element", "elements")+" with class "+c)
	}
	for _, id := range ids {
		if p.count("#"+id) == 0 {
			return "the page has no element with id " + id, false
		}
		have = append(have, "an element with id "+id)
	}
	for _, a := range attrs {
		n := p.count("[" + a + "]")
		if n == 0 {
			return fmt.Sprintf("the page has no element with a %s attribute", a), false
		}
		have = append(have, count(n, "element", "elements")+" with a "+a+" attribute")
	}
	if p.count(comp) == 0 {
		if len(have) > 1 {
			return fmt.Sprintf("the page has %s, but none is %s", strings.Join(have, " and "), comp), false
		}
		return "the page has no element matching " + comp, false
	}
	return "", true
}

// count is how many elements of the page match sel; -1 when sel does not
// compile (a piece cut out of a larger selector).
func (p *page) count(sel string) int {
	m, err := cascadia.Compile(sel)
	if err != nil {
		return -1
	}
	return len(m.MatchAll(p.doc.Get(0)))
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// compound is one compound selector of a complex one, and where it starts.
type compound struct {
	text  string
	start int
}

// compounds splits a complex selector at its combinators (whitespace, >, +,
// ~) outside brackets, parentheses and quotes.
func compounds(sel string) []compound {
	var out []compound
	start := -1
	scan(sel, func(i int, r rune, top bool) {
		sep := top && (unicode.IsSpace(r) || r == '>' || r == '+' || r == '~')
		switch {
		case sep && start >= 0:
			out = append(out, compound{sel[start:i], start})
			start = -1
		case !sep && start < 0:
			start = i
		}
	})
	if start >= 0 {
		out = append(out, compound{sel[start:], start})
	}
	return out
}

// splitTop splits s at the runes sep accepts outside brackets,
// parentheses and quotes.
func splitTop(s string, sep func(rune) bool) []string {
	var out []string
	last := 0
	scan(s, func(i int, r rune, top bool) {
		if top && sep(r) {
			out = append(out, s[last:i])
			last = i + len(string(r))
		}
	})
	return append(out, s[last:])
}

// scan calls f for each rune of a selector with whether it is at the top
// level (outside (), [], quotes and escapes).
func scan(s string, f func(i int, r rune, top bool)) {
	depth := 0
	var quoteRune rune
	escaped := false
	for i, r := range s {
		top := depth == 0 && quoteRune == 0 && !escaped
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case quoteRune != 0:
			if r == quoteRune {
				quoteRune = 0
			}
		case r == '"' || r == '\'':
			quoteRune = r
		case r == '(' || r == '[':
			depth++
		case r == ')' || r == ']':
			if depth > 0 {
				depth--
			}
		}
		f(i, r, top && r != '(' && r != '[')
	}
}

// pieces takes a compound selector apart: its type, classes, ids and
// attribute names; parsed is false for what it does not follow (escapes).
func pieces(comp string) (tag string, classes, ids, attrs []string, parsed bool) {
	if strings.ContainsRune(comp, '\\') {
		return "", nil, nil, nil, false
	}
	rs := []rune(comp)
	i := 0
	ident := func() string {
		j := i
		for j < len(rs) && (rs[j] == '-' || rs[j] == '_' || unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] > unicode.MaxASCII) {
			j++
		}
		s := string(rs[i:j])
		i = j
		return s
	}
	if i < len(rs) && rs[i] == '*' {
		tag = "*"
		i++
	} else {
		tag = strings.ToLower(ident())
	}
	for i < len(rs) {
		switch rs[i] {
		case '.':
			i++
			if c := ident(); c != "" {
				classes = append(classes, c)
			}
		case '#':
			i++
			if id := ident(); id != "" {
				ids = append(ids, id)
			}
		case '[':
			i++
			for i < len(rs) && rs[i] == ' ' {
				i++
			}
			if a := ident(); a != "" {
				attrs = append(attrs, a)
			}
			for depth := 1; i < len(rs) && depth > 0; i++ {
				switch rs[i] {
				case '[':
					depth++
				case ']':
					depth--
				}
			}
		case ':':
			i++
			for i < len(rs) && rs[i] == ':' {
				i++
			}
			ident()
			if i < len(rs) && rs[i] == '(' {
				for depth := 0; i < len(rs); i++ {
					if rs[i] == '(' {
						depth++
					} else if rs[i] == ')' {
						depth--
						if depth == 0 {
							i++
							break
						}
					}
				}
			}
		default:
			return tag, classes, ids, attrs, false
		}
	}
	return tag, classes, ids, attrs, true
}
