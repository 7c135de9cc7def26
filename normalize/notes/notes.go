// Package notes splits plain-text meeting notes (an etherpad export/txt)
// into one entry per talk, with speakers from the parentheses and the notes
// as the entry's content. It does no I/O.
//
// Etherpad's /p/<pad>/export/txt writes a bulleted line as one tab per list
// level, "* " and the text (a numbered one as tabs and "N. "), and any other
// line as it is. A talk is then a line at the shallowest indentation and its
// notes the deeper lines below it. Notes copied out of a pad lose that
// indentation; for those, Rules.Entry tells talk lines from note lines by
// their shape (ExampleEntryPattern).
//
// Etherpad's /export/html, recognised by the page itself (the generator
// meta, else its bullet lists and <br> lines), is read as the text export
// it stands for (see etherpad.go), so the same Rules apply to both URLs.
package notes

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/normalize"
	slugs "github.com/netdigest/netdigest/slug"
)

// Rules split plain-text notes (an etherpad export) into entries.
type Rules struct {
	// Entry matches a line that starts an entry; its named groups "title"
	// and "speakers" fill the entry. Nil uses top-level lines (no
	// indentation) as entry starts and `Title (Speakers)` as their shape.
	//
	// The pattern is matched against the whole line, indentation included,
	// without its line ending. Without a "title" group the title is the
	// line less its bullet and a trailing "(…)", which then gives the
	// speakers. Lines that do not match are notes of the entry above.
	Entry *regexp.Regexp
	// StartAfter, when set, skips everything up to and including the first
	// line equal to it (e.g. "SCHEDULE"), so a preamble yields no entries.
	// The comparison ignores case and surrounding whitespace; a StartAfter
	// that no line equals is an error.
	StartAfter string
	// Date is the date the notes are about (the notes carry none): the
	// entries' Published and the day of their talk (EventStart); zero
	// leaves the dates to first-seen.
	Date time.Time
}

// ExampleEntryPattern tells talk lines from note lines in notes that lost
// their indentation, such as the LPC 2015 networking microconference pad
// ("- VRF's in Linux (Shrijeet, David)"). A talk line is a "- " or "* "
// bullet whose title is at most 60 characters with no colon or parenthesis
// (so no "Q: …" or "Option: …" line), followed at the very end of the line
// by parentheses that hold only capitalised names, separated by ",", "&" or
// "and". Note lines that merely end in parentheses are left alone: "Key
// exchange could occur in user space … (davem)" and "IPVLAN avoids route
// lookup (lwt)" hold lower-case words. A speaker written in lower case is
// the pattern's blind spot. Use it with StartAfter "SCHEDULE".
const ExampleEntryPattern = `^\s*[-*]\s+(?P<title>[^:()]{1,60}?)\s*\((?P<speakers>` + names + `)\)\s*$`

// names is one or more capitalised names ("Shrijeet", "David Ahern",
// "Jean-Luc O'Neil") joined by ",", "&" or "and".
const (
	name  = `\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*)*`
	names = name + `(?:(?:\s*[,&]\s*|\s+and\s+)` + name + `)*`
)

// ErrNoEntries is wrapped by Parse's error when the notes hold no talk
// line: a pattern that matches nothing, or a pad with only a preamble.
var ErrNoEntries = errors.New("no entries")

var (
	// bullet is a list marker: Etherpad's "* " and "N. " (nested numbers
	// "1.2. "), and the "- " and "• " people type.
	bullet = regexp.MustCompile(`^(?:[-*•]|\d+(?:\.\d+)*\.)(?:\s+|$)`)
	// charRef is a numeric character reference: older Etherpads wrote every
	// non-ASCII character of a text export as one ("&#8217;").
	charRef = regexp.MustCompile(`&#(?:[0-9]{1,7}|[xX][0-9a-fA-F]{1,6});`)
	// padExport is the path of an Etherpad export, to link entries to the
	// pad itself rather than to a download.
	padExport = regexp.MustCompile(`^(.*/p/[^/]+)(?:/[0-9]+)?/export/[a-z]+$`)
	// webURL finds links in note text.
	webURL = regexp.MustCompile(`https?://[^\s<>"'\x60]+`)
	// htmlStart recognises an HTML page served where text was expected.
	htmlStart = regexp.MustCompile(`(?i)^\s*(?:<!doctype\s+html|<html[\s>])`)
)

// maxWarnings bounds Document.Warnings: a pathological pad would otherwise
// report a line per line.
const maxWarnings = 20

// line is one line of the notes.
type line struct {
	no     int    // 1-based, in the body
	raw    string // without line ending and trailing whitespace
	indent int    // width of the leading whitespace, tabs to the next multiple of 8
	text   string // without indentation, list marker and surrounding whitespace
}

// talk is an entry being collected.
type talk struct {
	title    string
	speakers []entry.Speaker
	notes    []line
}

// parser carries the warnings of one Parse call.
type parser struct {
	warnings []string
	dropped  int
}

func (p *parser) warnf(format string, args ...any) {
	if len(p.warnings) >= maxWarnings {
		p.dropped++
		return
	}
	p.warnings = append(p.warnings, fmt.Sprintf(format, args...))
}

// Parse splits notes into one item per talk (kind text).
//
// The body is converted to UTF-8 (contentType's charset, else UTF-8 or
// windows-1252) and numeric character references are decoded. An
// etherpad HTML export becomes the lines of its text export first; any
// other HTML page is an error. Every item
// links to the pad (fetchURL without Etherpad's /export/txt) with an anchor
// made from the title, unique within the notes; its content is the talk's
// notes as a nested list; Speakers the names of the talk line; Role notes.
// The document's title is the first non-empty line (less a list marker).
// Errors start with "parse text: "; those for notes without a talk wrap
// ErrNoEntries.
func Parse(body []byte, contentType, fetchURL string, rules Rules) (*normalize.Document, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("parse text: empty body")
	}
	utf, err := normalize.ToUTF8(body, contentType)
	if err != nil {
		return nil, fmt.Errorf("parse text: %w", err)
	}
	if htmlStart.Match(utf) {
		text, ok := etherpadText(utf)
		if !ok {
			return nil, errors.New("parse text: body is an HTML page, not an etherpad export (use the pad's /export/txt or /export/html URL)")
		}
		utf = text
	}
	lines := splitLines(decodeCharRefs(string(utf)))

	doc := &normalize.Document{Link: padURL(fetchURL)}
	for _, l := range lines {
		if l.text != "" {
			doc.Title = l.text
			break
		}
	}

	if rules.StartAfter != "" {
		i := startIndex(lines, rules.StartAfter)
		if i < 0 {
			return nil, fmt.Errorf("parse text: start line %q not found", strings.TrimSpace(rules.StartAfter))
		}
		lines = lines[i+1:]
	}

	var p parser
	var talks []talk
	if rules.Entry != nil {
		talks = p.byPattern(lines, rules.Entry)
	} else {
		talks = p.byIndentation(lines)
	}
	if len(talks) == 0 {
		how := "no line at the top level"
		if rules.Entry != nil {
			how = "no line matches the entry pattern"
		}
		return nil, fmt.Errorf("parse text: %w: %s", ErrNoEntries, how)
	}

	anchors := slugger{seen: make(map[string]bool, len(talks)), next: make(map[string]int)}
	doc.Items = make([]normalize.Item, 0, len(talks))
	for _, t := range talks {
		doc.Items = append(doc.Items, normalize.Item{
			Title:  t.title,
			Link:   doc.Link,
			Anchor: anchors.unique(t.title),
			// The notes are the room's, written that day: the speakers
			// are the talk's, not the notes' authors.
			Speakers:    t.speakers,
			Published:   rules.Date,
			EventStart:  rules.Date,
			Role:        entry.RoleNotes,
			ContentHTML: notesHTML(t.notes),
		})
	}
	if p.dropped > 0 {
		p.warnings = append(p.warnings, fmt.Sprintf("%d more warnings not shown", p.dropped))
	}
	doc.Warnings = p.warnings
	return doc, nil
}

// byIndentation makes every line at the shallowest indentation a talk and
// the deeper lines below it its notes.
func (p *parser) byIndentation(lines []line) []talk {
	top, deeper, n := -1, false, 0
	for _, l := range lines {
		if l.raw == "" {
			continue
		}
		n++
		if top >= 0 && l.indent != top {
			deeper = true
		}
		if top < 0 || l.indent < top {
			top = l.indent
		}
	}
	if top < 0 {
		return nil
	}
	if !deeper && n > 1 {
		p.warnf("no line is indented: every line became an entry (indentation lost? set an entry pattern)")
	}
	var talks []talk
	orphans := 0
	for _, l := range lines {
		switch {
		case l.raw == "":
		case l.indent == top:
			title, speakers := splitSpeakers(l.text)
			if title == "" {
				p.warnf("line %d: entry without a title skipped", l.no)
				talks = append(talks, talk{}) // its notes go nowhere
				continue
			}
			talks = append(talks, talk{title: title, speakers: speakers})
		case len(talks) == 0:
			orphans++
		default:
			talks[len(talks)-1].notes = append(talks[len(talks)-1].notes, l)
		}
	}
	if orphans > 0 {
		p.warnf("%d indented lines before the first entry skipped", orphans)
	}
	return dropUntitled(talks)
}

// byPattern makes every line re matches a talk and the other lines below
// it its notes.
func (p *parser) byPattern(lines []line, re *regexp.Regexp) []talk {
	ti, si := re.SubexpIndex("title"), re.SubexpIndex("speakers")
	var talks []talk
	orphans := 0
	for _, l := range lines {
		if l.raw == "" {
			continue
		}
		m := re.FindStringSubmatchIndex(l.raw)
		if m == nil {
			if len(talks) == 0 {
				orphans++
				continue
			}
			talks[len(talks)-1].notes = append(talks[len(talks)-1].notes, l)
			continue
		}
		// The groups, where the pattern has them; else the line's shape.
		text := l.text
		if ti >= 0 {
			text = ""
			if m[2*ti] >= 0 {
				text = l.raw[m[2*ti]:m[2*ti+1]]
			}
		}
		title, speakers := clean(text), []entry.Speaker(nil)
		if si < 0 {
			title, speakers = splitSpeakers(text)
		} else if m[2*si] >= 0 {
			speakers = normalize.SplitSpeakers(l.raw[m[2*si]:m[2*si+1]])
		}
		if title == "" {
			p.warnf("line %d: entry without a title skipped", l.no)
			talks = append(talks, talk{})
			continue
		}
		talks = append(talks, talk{title: title, speakers: speakers})
	}
	if orphans > 0 {
		p.warnf("%d lines before the first entry skipped", orphans)
	}
	return dropUntitled(talks)
}

// dropUntitled removes the placeholders of skipped entries, which only kept
// their notes from joining the entry before.
func dropUntitled(talks []talk) []talk {
	out := talks[:0]
	for _, t := range talks {
		if t.title != "" {
			out = append(out, t)
		}
	}
	return out
}

// splitSpeakers cuts a trailing "(…)" off a talk line: "ILA (Tom)" is
// title "ILA" and speakers ["Tom"]. A line that is only parentheses keeps
// them as its title.
func splitSpeakers(s string) (title string, speakers []entry.Speaker) {
	s = clean(s)
	if !strings.HasSuffix(s, ")") {
		return s, nil
	}
	depth := 0
	for i := len(s) - 1; i >= 0; i-- {
		switch s[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				title := clean(s[:i])
				if title == "" {
					return s, nil
				}
				return title, normalize.SplitSpeakers(s[i+1 : len(s)-1])
			}
		}
	}
	return s, nil // unbalanced
}

// clean collapses whitespace.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

// splitLines splits text at "\n", "\r\n" or "\r" and measures each line.
func splitLines(text string) []line {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	parts := strings.Split(text, "\n")
	lines := make([]line, 0, len(parts))
	for i, raw := range parts {
		raw = strings.TrimRightFunc(raw, unicode.IsSpace)
		indent, rest := 0, raw
		for j, r := range raw {
			if !unicode.IsSpace(r) {
				rest = raw[j:]
				break
			}
			if r == '\t' {
				indent += 8 - indent%8
			} else {
				indent++
			}
		}
		if loc := bullet.FindStringIndex(rest); loc != nil {
			rest = rest[loc[1]:]
		}
		lines = append(lines, line{no: i + 1, raw: raw, indent: indent, text: clean(rest)})
	}
	return lines
}

// startIndex returns the index of the first line equal to marker, or -1.
func startIndex(lines []line, marker string) int {
	marker = strings.TrimSpace(marker)
	for i, l := range lines {
		if strings.EqualFold(strings.TrimSpace(l.raw), marker) {
			return i
		}
	}
	return -1
}

// decodeCharRefs turns "&#8217;" into "’" and leaves other text, named
// entities included, alone: notes are text, and "&amp;" in them is text.
func decodeCharRefs(s string) string {
	if !strings.Contains(s, "&#") {
		return s
	}
	return charRef.ReplaceAllStringFunc(s, html.UnescapeString)
}

// padURL returns the pad's own URL for an export URL
// (https://host/p/pad/export/txt → https://host/p/pad), otherwise fetchURL.
func padURL(fetchURL string) string {
	u, err := url.Parse(fetchURL)
	if err != nil || u.Scheme == "" {
		return fetchURL
	}
	m := padExport.FindStringSubmatch(u.Path)
	if m == nil {
		return fetchURL
	}
	u.Path, u.RawPath, u.RawQuery, u.Fragment = m[1], "", "", ""
	return u.String()
}

// notesHTML renders notes as nested lists following their indentation;
// "" when there are none.
func notesHTML(notes []line) string {
	if len(notes) == 0 {
		return ""
	}
	var b strings.Builder
	var open []int // indentation of each open <ul>
	for _, n := range notes {
		switch {
		case len(open) == 0 || n.indent > open[len(open)-1]:
			b.WriteString("<ul><li>")
			open = append(open, n.indent)
		default:
			for len(open) > 1 && n.indent < open[len(open)-1] {
				b.WriteString("</li></ul>")
				open = open[:len(open)-1]
			}
			b.WriteString("</li><li>")
		}
		b.WriteString(linkify(n.text))
	}
	for range open {
		b.WriteString("</li></ul>")
	}
	return b.String()
}

// linkify escapes text and makes its http(s) URLs links.
func linkify(s string) string {
	var b strings.Builder
	last := 0
	for _, loc := range webURL.FindAllStringIndex(s, -1) {
		u := trimURL(s[loc[0]:loc[1]])
		b.WriteString(html.EscapeString(s[last:loc[0]]))
		fmt.Fprintf(&b, `<a href="%s">%s</a>`, html.EscapeString(u), html.EscapeString(u))
		last = loc[0] + len(u)
	}
	b.WriteString(html.EscapeString(s[last:]))
	return b.String()
}

// trimURL drops punctuation that ends the sentence rather than the URL.
func trimURL(u string) string {
	for len(u) > 0 {
		c := u[len(u)-1]
		switch {
		case strings.IndexByte(".,;:!?'\"", c) >= 0:
		case c == ')' && strings.Count(u, "(") < strings.Count(u, ")"):
		default:
			return u
		}
		u = u[:len(u)-1]
	}
	return u
}

// maxSlug bounds an anchor's length; long titles are cut at a dash.
const maxSlug = 60

// slugger makes unique anchors.
type slugger struct {
	seen map[string]bool
	next map[string]int // next suffix to try per slug, so repeats cost O(1)
}

// unique makes an anchor from title: lower-case ASCII letters and digits
// joined by dashes, apostrophes dropped ("VRF's in Linux" →
// "vrfs-in-linux"), "-2", "-3"… appended to a slug already given.
func (s *slugger) unique(title string) string {
	base := slug(title)
	out := base
	n := max(s.next[base], 2)
	for s.seen[out] {
		out = base + "-" + strconv.Itoa(n)
		n++
	}
	s.next[base] = n
	s.seen[out] = true
	return out
}

// slug is the project's one rule (package slug) with apostrophes dropped
// first, so a possessive stays one word; "talk" when nothing is left.
func slug(title string) string {
	title = strings.Map(func(r rune) rune {
		if r == '\'' || r == '\u2019' {
			return -1
		}
		return r
	}, title)
	if s := slugs.Cut(slugs.Make(title), maxSlug); s != "" {
		return s
	}
	return "talk"
}
