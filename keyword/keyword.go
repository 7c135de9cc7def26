// Package keyword matches text against a list of keywords and regular
// expressions, as written in feeds.yaml for topics and for a source's
// include/exclude filters. Keywords match whole words, ignoring case, so
// "tc" matches "TC workshop" and "tc's" but not "etc"; an entry written
// /like this/ is a case-insensitive regular expression.
package keyword

import (
	"fmt"
	"regexp"
	"strings"
)

// Matcher reports whether any of its patterns occurs in a text. The zero
// value and nil match nothing. A Matcher is safe for concurrent use.
type Matcher struct {
	patterns []string
	words    *regexp.Regexp // all plain keywords in one alternation
	regexps  []*regexp.Regexp
}

// Word characters for the boundaries: Go's \b is ASCII-only and would see a
// boundary inside "Høiland".
const (
	before = `(?:^|[^\pL\pN_])`
	after  = `(?:$|[^\pL\pN_])`
)

// Compile builds a Matcher. A pattern of the form /re/ is a regular
// expression; anything else is a keyword. Errors name the bad pattern.
func Compile(patterns []string) (*Matcher, error) {
	m := &Matcher{patterns: patterns}
	var words []string
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
			return nil, fmt.Errorf("empty keyword")
		case len(p) >= 2 && strings.HasPrefix(p, "/") && strings.HasSuffix(p, "/"):
			re, err := regexp.Compile("(?i)" + p[1:len(p)-1])
			if err != nil {
				return nil, fmt.Errorf("pattern %s: %w", p, err)
			}
			m.regexps = append(m.regexps, re)
		default:
			// Any run of spaces in a keyword matches any run of white space.
			words = append(words, strings.Join(mapQuote(strings.Fields(p)), `\s+`))
		}
	}
	if len(words) > 0 {
		m.words = regexp.MustCompile("(?i)" + before + "(?:" + strings.Join(words, "|") + ")" + after)
	}
	return m, nil
}

func mapQuote(parts []string) []string {
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	return parts
}

// Match reports whether any pattern occurs in any of texts.
func (m *Matcher) Match(texts ...string) bool {
	if m == nil {
		return false
	}
	for _, t := range texts {
		if m.words != nil && m.words.MatchString(t) {
			return true
		}
		for _, re := range m.regexps {
			if re.MatchString(t) {
				return true
			}
		}
	}
	return false
}

// Patterns returns the patterns the Matcher was compiled from.
func (m *Matcher) Patterns() []string {
	if m == nil {
		return nil
	}
	return m.patterns
}
