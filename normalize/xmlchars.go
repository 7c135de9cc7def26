package normalize

import (
	"strings"
	"unicode/utf8"

	"github.com/netdigest/netdigest/entry"
)

// XMLSafe returns s without the characters XML 1.0 forbids (U+0000–U+001F
// but tab, newline and carriage return; U+FFFE and U+FFFF), with each run of
// bytes that is not UTF-8 (a lone surrogate's encoding among them) replaced
// by U+FFFD. Every output netdigest writes is XML or embeds in it (RSS
// CDATA copies content verbatim), so entries are made safe once, here,
// rather than by each renderer.
func XMLSafe(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	invalid := false // in a run of invalid bytes
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			if !invalid {
				b.WriteRune(utf8.RuneError)
			}
			invalid = true
		case xmlChar(r):
			b.WriteString(s[i : i+size])
			invalid = false
		default:
			invalid = false
		}
		i += size
	}
	return b.String()
}

// firstUnsafe returns the offset of the first byte XMLSafe changes, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || !xmlChar(r) {
			return i
		}
		i += size
	}
	return -1
}

// xmlChar reports whether r is a Char of XML 1.0 (§2.2). Surrogates never
// decode from a Go string: their bytes are invalid UTF-8.
func xmlChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20:
		return false
	case r == 0xFFFE || r == 0xFFFF:
		return false
	}
	return true
}

// xmlSafeEntry applies XMLSafe to every text of an entry: whatever a
// parser, an entity (&#1;) or the sanitizer let through stops here.
func xmlSafeEntry(e *entry.Entry) {
	for _, p := range []*string{&e.ID, &e.GUID, &e.Source, &e.Link, &e.Content, &e.Conference} {
		*p = XMLSafe(*p)
	}
	// Plain one-line texts: what stood at an end may leave a space there.
	e.Title = strings.TrimSpace(XMLSafe(e.Title))
	e.Summary = strings.TrimSpace(XMLSafe(e.Summary))
	e.Authors = xmlSafeList(e.Authors)
	e.Tags = xmlSafeList(e.Tags)
	e.Session = strings.TrimSpace(XMLSafe(e.Session))
	e.Track = strings.TrimSpace(XMLSafe(e.Track))
	e.Role = entry.Role(XMLSafe(string(e.Role)))
	speakers := e.Speakers[:0:0]
	for _, s := range e.Speakers {
		s.Name, s.Affiliation = strings.TrimSpace(XMLSafe(s.Name)), strings.TrimSpace(XMLSafe(s.Affiliation))
		if s.Name != "" {
			speakers = append(speakers, s)
		}
	}
	if len(speakers) == 0 {
		speakers = nil
	}
	e.Speakers = speakers
}

// xmlSafeList is XMLSafe of each string, dropping those left empty; nil
// when none is left.
func xmlSafeList(l []string) []string {
	var out []string
	for _, s := range l {
		if s = strings.TrimSpace(XMLSafe(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}
