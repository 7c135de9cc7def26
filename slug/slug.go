// Package slug is the one rule for turning a name into the ASCII token that
// addresses it: a topic's or a conference's feed and page
// (/topics/tls-ktls), an anchor split from a page or notes. A leaf: it
// imports nothing of netdigest, so normalize, pipeline and server share it.
package slug

import (
	"fmt"
	"hash/fnv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Make is name lower-cased, with every run of characters other than a-z
// and 0-9 turned into one "-" and none at either end: "TLS/kTLS" →
// "tls-ktls", "LPC 2015 · Networking MC" → "lpc-2015-networking-mc".
// Accents are dropped first (NFKD), so "Café" gives "cafe" rather than
// "caf"; a name with no such letter or digit ("日本語", "!!!") gives "".
func Make(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(name) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// A combining mark of a decomposed letter: "é" is "e" and this.
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r + ('a' - 'A'))
		default:
			dash = true
		}
	}
	return b.String()
}

// Cut shortens a slug to at most max bytes, at a "-" when one falls in the
// second half, so a long title keeps whole words.
func Cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	s = s[:max]
	if i := strings.LastIndexByte(s, '-'); i > max/2 {
		s = s[:i]
	}
	return strings.TrimRight(s, "-")
}

// Hashed is the slug of a name Make leaves empty: "h-" and a hash of the
// name, stable and distinct per name.
func Hashed(name string) string {
	h := fnv.New32a()
	h.Write([]byte(name))
	return fmt.Sprintf("h-%08x", h.Sum32())
}
