package normalize

import (
	"regexp"
	"strings"

	"github.com/netdigest/netdigest/entry"
)

// speakerSep separates speakers in "A, B and C & D".
var speakerSep = regexp.MustCompile(`\s*(?:[,;&]|\band\b)\s*`)

// SplitSpeakers reads a list of speakers as talk lines and headings write
// it: names separated by ",", ";", "&" or "and", each optionally followed
// by its affiliation in parentheses ("Jesper Brouer (Red Hat), Tom
// Herbert"). Separators inside parentheses do not split ("A (X, Inc.)").
// Names and affiliations have their whitespace collapsed; empty names are
// dropped. The one rule for kinds text and html/article split.
func SplitSpeakers(s string) []entry.Speaker {
	var out []entry.Speaker
	add := func(part string) {
		name, aff := part, ""
		if i := strings.IndexByte(part, '('); i > 0 && strings.HasSuffix(strings.TrimSpace(part), ")") {
			name, aff = part[:i], strings.TrimSuffix(strings.TrimSpace(part[i+1:]), ")")
		}
		name, aff = collapse(name), collapse(aff)
		if name != "" {
			out = append(out, entry.Speaker{Name: name, Affiliation: aff})
		}
	}
	start := 0
	for _, m := range speakerSep.FindAllStringIndex(s, -1) {
		if depth(s[:m[0]]) != 0 {
			continue
		}
		add(s[start:m[0]])
		start = m[1]
	}
	add(s[start:])
	return out
}

// depth is how many parentheses are open at the end of s.
func depth(s string) int {
	return strings.Count(s, "(") - strings.Count(s, ")")
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
