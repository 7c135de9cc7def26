package normalize

import (
	"cmp"
	"fmt"
	"html"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"
)

// Defaults of the per-source bounds (Source.MaxItems, MaxContentBytes):
// a source posting a 9 MiB item on every fetch, or a page of 300,000 items,
// must not make the store or the daemon grow with it.
const (
	DefaultMaxItems        = 1000
	DefaultMaxContentBytes = 256 << 10
)

// maxItems is the effective MaxItems.
func (src *Source) maxItems() int {
	if src.MaxItems > 0 {
		return src.MaxItems
	}
	return DefaultMaxItems
}

// maxContentBytes is the effective MaxContentBytes.
func (src *Source) maxContentBytes() int {
	if src.MaxContentBytes > 0 {
		return src.MaxContentBytes
	}
	return DefaultMaxContentBytes
}

// keptItems returns which of doc's items Entries takes, in document order:
// all of them, or the src.maxItems() newest when there are more (the
// others are dropped before any work is done on them), with a warning
// naming what was dropped. An undated item counts as newest: it will be
// dated when first seen. A document without dates keeps its own order
// (the first ones), as the sort is stable.
func keptItems(src *Source, doc *Document) (keep []bool, warning string) {
	max := src.maxItems()
	if len(doc.Items) <= max {
		return nil, ""
	}
	order := make([]int, len(doc.Items))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		da, db := sortDate(&doc.Items[a]), sortDate(&doc.Items[b])
		switch {
		case da.IsZero() && db.IsZero():
			return 0
		case da.IsZero():
			return -1
		case db.IsZero():
			return 1
		}
		return db.Compare(da) // newest first
	})
	keep = make([]bool, len(doc.Items))
	for _, i := range order[:max] {
		keep[i] = true
	}
	dropped := order[max:]
	newest, oldest := sortDate(&doc.Items[dropped[0]]), sortDate(&doc.Items[dropped[len(dropped)-1]])
	what := fmt.Sprintf("from %q to %q", itemLabel(&doc.Items[dropped[0]]), itemLabel(&doc.Items[dropped[len(dropped)-1]]))
	if !newest.IsZero() && !oldest.IsZero() {
		what = fmt.Sprintf("dated %s to %s", oldest.UTC().Format(time.DateOnly), newest.UTC().Format(time.DateOnly))
	}
	return keep, fmt.Sprintf("%d items, more than max_items %d: took the %d newest, dropped %d %s",
		len(doc.Items), max, max, len(dropped), what)
}

// sortDate is the date an item sorts by: published, else updated.
func sortDate(it *Item) time.Time {
	return cmp.Or(it.Published, it.Updated)
}

// itemLabel names an item in a warning: its title, else its link.
func itemLabel(it *Item) string {
	label := Truncate(PlainText(cmp.Or(it.Title, it.Link, it.GUID)), 60)
	return XMLSafe(label)
}

// capContent returns content, sanitized HTML, when it holds at most max
// bytes; else its first elements up to max bytes, cut between tokens (never
// inside a tag, an entity or a UTF-8 sequence; a text is cut at a space
// when one is near), the elements still open closed, and a paragraph
// linking the rest at link. The result is at most max bytes plus that
// paragraph.
func capContent(content string, max int, link string) string {
	if len(content) <= max {
		return content
	}
	var b strings.Builder
	b.Grow(max + 256)
	var open []string // names of the elements open at b's end
	closers := 0      // bytes of their end tags
	z := xhtml.NewTokenizer(strings.NewReader(content))
	whole := false // everything fit: only stray end tags made it too long
cut:
	for {
		tt := z.Next()
		raw := z.Raw()
		room := max - b.Len() - closers
		switch tt {
		case xhtml.ErrorToken:
			whole = true // the end (a string reads no other way)
			break cut
		case xhtml.TextToken:
			if len(raw) > room {
				b.Write(cutText(raw, room))
				break cut
			}
			b.Write(raw)
		case xhtml.StartTagToken:
			name, _ := z.TagName()
			end := 0
			if !isVoid(string(name)) {
				end = len(name) + 3
			}
			if len(raw)+end > room {
				break cut
			}
			b.Write(raw)
			if end > 0 {
				open = append(open, string(name))
				closers += end
			}
		case xhtml.EndTagToken:
			// Written as the end tags reserved for it (and for the elements
			// opened inside it and left open); one closing nothing is dropped.
			name, _ := z.TagName()
			i := slices.Index(open, string(name))
			for j := len(open) - 1; i >= 0 && j >= i; j-- {
				b.WriteString("</" + open[j] + ">")
				closers -= len(open[j]) + 3
			}
			if i >= 0 {
				open = open[:i]
			}
		default: // self-closing tags, comments, doctypes
			if len(raw) > room {
				break cut
			}
			b.Write(raw)
		}
	}
	for j := len(open) - 1; j >= 0; j-- {
		b.WriteString("</" + open[j] + ">")
	}
	if whole {
		return b.String()
	}
	if link == "" {
		b.WriteString("<p>…</p>")
	} else {
		b.WriteString(`<p><a href="` + html.EscapeString(link) + `" rel="nofollow">Continued at the source…</a></p>`)
	}
	return b.String()
}

// cutText returns the head of raw, HTML text, of at most room bytes: not
// inside a UTF-8 sequence or a character reference, at the last space when
// one is in its last quarter.
func cutText(raw []byte, room int) []byte {
	if room <= 0 {
		return nil
	}
	cut := room
	for cut > 0 && !utf8.RuneStart(raw[cut]) {
		cut--
	}
	head := raw[:cut]
	if amp := strings.LastIndexByte(string(head), '&'); amp >= 0 && !strings.Contains(string(head[amp:]), ";") {
		head = head[:amp]
	}
	if sp := strings.LastIndexAny(string(head), " \t\n\r"); sp >= 0 && sp >= len(head)*3/4 {
		head = head[:sp]
	}
	return head
}

// isVoid reports whether an HTML element has no end tag.
func isVoid(name string) bool {
	switch name {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr":
		return true
	}
	return false
}
