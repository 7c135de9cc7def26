package config

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxMadeName keeps names made from titles short enough to type in -source.
const maxMadeName = 40

// ValidName says whether name is allowed as a source name.
func ValidName(name string) bool { return validName.MatchString(name) }

// MakeName turns a title ("Tom's R&D blog", "Café Réseau") into a valid
// source name ("tom-s-r-d-blog", "cafe-reseau"): accents dropped, lower
// case, every run of other characters one '-', at most 40 characters. It
// returns "" when nothing usable is left (a title in another script); the
// caller picks a fallback. taken reports names already used: a clash gets
// "-2", "-3"… (nil: nothing is taken).
func MakeName(title string, taken func(string) bool) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(title) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// The accent of a decomposed letter: keep the letter only.
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		default:
			dash = true
		}
	}
	name := b.String()
	if len(name) > maxMadeName {
		cutInWord := name[maxMadeName] != '-'
		name = name[:maxMadeName]
		if i := strings.LastIndexByte(name, '-'); cutInWord && i > maxMadeName/2 {
			name = name[:i] // cut at a word boundary when one is near
		}
		name = strings.TrimRight(name, "-")
	}
	if name == "" || taken == nil || !taken(name) {
		return name
	}
	for n := 2; ; n++ {
		if c := name + "-" + strconv.Itoa(n); !taken(c) {
			return c
		}
	}
}
