package render

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// wrapText fills the words of s into lines of at most cols columns. The
// first line starts with prefix, the others with as many spaces, so "* "
// gives a hanging bullet and "  " an indented paragraph. A URL longer than a
// line gets a line of its own and is never broken (it would stop working); a
// longer word of any other kind is cut to fit.
func wrapText(prefix, s string, cols int) string {
	indent := strings.Repeat(" ", textWidth(prefix))
	avail := max(cols-len(indent), 2) // 2: room for one wide character
	var b strings.Builder
	line, lineW := prefix, 0 // lineW counts the words on the line, not the prefix
	empty := true
	flush := func() {
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
		line, lineW, empty = indent, 0, true
	}
	for _, w := range strings.Fields(s) {
		ww := textWidth(w)
		if !empty && lineW+1+ww > avail {
			flush()
		}
		if ww > avail && !isURL(w) {
			for ww > avail-lineW-boolInt(!empty) {
				room := avail - lineW - boolInt(!empty)
				head, rest := cutColumns(w, room)
				if head == "" { // no room left on this line
					flush()
					continue
				}
				if !empty {
					line += " "
				}
				line += head
				flush()
				w, ww = rest, textWidth(rest)
			}
		}
		if w == "" {
			continue
		}
		if !empty {
			line += " "
			lineW++
		}
		line += w
		lineW += ww
		empty = false
	}
	if !empty || b.Len() == 0 {
		flush()
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// headingText wraps s and underlines it with mark as wide as its widest line.
func headingText(mark, s string, cols int) string {
	wrapped := wrapText("", s, cols)
	w := 0
	for l := range strings.SplitSeq(wrapped, "\n") {
		w = max(w, textWidth(l))
	}
	return wrapped + "\n" + strings.Repeat(mark, min(max(w, 1), cols))
}

// textWidth is the number of terminal columns s takes: East Asian wide and
// fullwidth characters take two, combining marks and format characters none.
func textWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// cutColumns splits s after at most cols columns.
func cutColumns(s string, cols int) (head, rest string) {
	n := 0
	for i, r := range s {
		w := runeWidth(r)
		if n+w > cols {
			return s[:i], s[i:]
		}
		n += w
	}
	return s, ""
}

func isURL(w string) bool {
	return strings.Contains(w, "://") || strings.HasPrefix(strings.ToLower(w), "mailto:")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
