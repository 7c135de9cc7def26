package store

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of a search query: a query longer or with more terms than a person
// types is refused rather than handed to FTS5 to plan.
const (
	MaxQueryBytes = 512
	maxQueryTerms = 32
)

// QueryError is Search's error for a query it will not run: Reason says
// why in words a person who typed it understands. Test with errors.As.
type QueryError struct {
	Reason string
}

func (e *QueryError) Error() string { return "search: bad query: " + e.Reason }

func badQuery(format string, args ...any) error {
	return &QueryError{Reason: fmt.Sprintf(format, args...)}
}

// queryFields are the field names a term may be limited to (author:brouer)
// and the index column each searches.
var queryFields = map[string]string{
	"title":      "title",
	"summary":    "summary",
	"author":     "authors",
	"tag":        "tags",
	"conference": "conference",
	"source":     "source",
}

// term is one word or phrase of a user's query.
type term struct {
	text   string // as typed, without quotes, field or '*'
	field  string // index column, "" for every column
	prefix bool   // word* or "a phrase"*: its last word is a prefix
	not    bool   // -word, NOT word
	or     bool   // the keyword OR, not a term
}

// ftsQuery translates a user's query into an FTS5 MATCH expression. Users
// type words, "phrases" and prefixes*, may limit a term to a field
// (author:brouer, tag:XDP, source:lwn, title:"page pool"), exclude one with
// -word or NOT word, and join alternatives with OR (which binds tighter than
// the implicit AND, as in web search: xdp ebpf OR bpf is xdp AND (ebpf OR
// bpf)). Every term becomes an FTS5 string, so that what FTS5 would read as
// syntax (- / : ' ^ + . parentheses) is only a separator between words:
// IPv6-only is the phrase "ipv6 only", tc's is "tc s", eBPF/XDP is "ebpf xdp",
// each matching the text as written.
func ftsQuery(q string) (string, error) {
	if len(q) > MaxQueryBytes {
		return "", badQuery("longer than %d bytes", MaxQueryBytes)
	}
	terms, err := lexQuery(q)
	if err != nil {
		return "", err
	}
	// Groups of alternatives joined by OR, ANDed together; exclusions last.
	var groups [][]string
	var excluded []string
	n := 0
	for i, t := range terms {
		if t.or {
			if i == 0 || i == len(terms)-1 || terms[i-1].or || terms[i-1].not || terms[i+1].or || terms[i+1].not {
				return "", badQuery("OR needs a word on each side, and cannot join an excluded one")
			}
			continue
		}
		n++
		if n > maxQueryTerms {
			return "", badQuery("more than %d words", maxQueryTerms)
		}
		if t.not {
			excluded = append(excluded, t.fts())
			continue
		}
		if i > 0 && terms[i-1].or {
			groups[len(groups)-1] = append(groups[len(groups)-1], t.fts())
		} else {
			groups = append(groups, []string{t.fts()})
		}
	}
	if len(groups) == 0 {
		if len(excluded) > 0 {
			return "", badQuery("only excluded words: say what to look for too")
		}
		return "", badQuery("no words to search for")
	}
	var b strings.Builder
	b.WriteString("(")
	for i, g := range groups {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString("(" + strings.Join(g, " OR ") + ")")
	}
	b.WriteString(")")
	for _, x := range excluded {
		b.WriteString(" NOT " + x)
	}
	return b.String(), nil
}

// fts is the term as an FTS5 phrase: a string (quotes doubled), with its
// column filter and prefix mark.
func (t term) fts() string {
	s := `"` + strings.ReplaceAll(t.text, `"`, `""`) + `"`
	if t.prefix {
		s += "*"
	}
	if t.field != "" {
		s = t.field + " : " + s
	}
	return s
}

// lexQuery splits a query into terms. Terms without a letter or digit (a
// lone dash, an ellipsis) are dropped: the index holds no such word.
func lexQuery(q string) ([]term, error) {
	// Control characters and broken UTF-8 separate words; FTS5 would read a
	// NUL as the end of the query.
	q = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, q)
	var out []term
	for {
		q = strings.TrimLeftFunc(q, unicode.IsSpace)
		if q == "" {
			return out, nil
		}
		var t term
		word, rest := cutWord(q)
		switch word {
		case "OR":
			out = append(out, term{or: true})
			q = rest
			continue
		case "AND":
			q = rest // what juxtaposition means anyway
			continue
		case "NOT":
			t.not = true
			q = strings.TrimLeftFunc(rest, unicode.IsSpace)
		}
		if len(q) > 1 && q[0] == '-' && !unicode.IsSpace(rune(q[1])) {
			t.not = true
			q = q[1:]
		}
		if name, after, ok := strings.Cut(q, ":"); ok && after != "" && !unicode.IsSpace(rune(after[0])) {
			if col, known := queryFields[strings.ToLower(name)]; known {
				t.field = col
				q = after
			}
		}
		if strings.HasPrefix(q, `"`) {
			end := strings.IndexByte(q[1:], '"')
			if end < 0 {
				return nil, badQuery(`a phrase has no closing quote (")`)
			}
			t.text, q = q[1:1+end], q[2+end:]
			if strings.HasPrefix(q, "*") {
				t.prefix = true
				q = strings.TrimLeft(q, "*")
			}
		} else {
			t.text, q = cutWord(q)
			if trimmed := strings.TrimRight(t.text, "*"); trimmed != t.text {
				t.text, t.prefix = trimmed, true
			}
		}
		if strings.IndexFunc(t.text, isWordChar) >= 0 {
			out = append(out, t)
		}
	}
}

// cutWord splits q at its first space.
func cutWord(q string) (word, rest string) {
	if i := strings.IndexFunc(q, unicode.IsSpace); i >= 0 {
		return q[:i], q[i:]
	}
	return q, ""
}

// isWordChar is what FTS5's unicode61 tokenizer keeps in a word.
func isWordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Co, r)
}
