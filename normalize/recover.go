package normalize

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mmcdole/gofeed"
)

// Recovery of XML feeds gofeed reads only in part. gofeed needs a whole
// document (its decoder forgives a mismatched end tag, not a missing end):
// a feed cut off before its end (a missing </rss>, a server that stopped
// writing) fails whole with "unexpected EOF", and items inside an element
// left unclosed (<itunes:category> without its end tag) are skipped as that
// element's children. scanFeed finds the complete items
// with encoding/xml, which reports where the document broke, and
// rebuildFeed writes a document gofeed can read: everything before the
// first item, the complete items and nothing else, and the end tags of the
// root and channel.

const atomNS = "http://www.w3.org/2005/Atom"

// xmlElem is an element open at some point of the scan.
type xmlElem struct {
	local string
	qname string // as written in the document ("itunes:category"), for its end tag
	start int64  // offset of its "<"
	line  int
}

// itemSpan is one complete, outermost item element: doc[start:end].
type itemSpan struct{ start, end int64 }

// feedScan is what scanFeed learnt of an XML document.
type feedScan struct {
	item  string     // the local name of its items: "item" or "entry"
	items []itemSpan // complete items not inside another item
	// firstOpen is the stack of open elements when the first item started
	// (the item not included), at offset prefixEnd.
	firstOpen []xmlElem
	prefixEnd int64
	// broke is the syntax error that ended the scan early, nil when the
	// document ended cleanly; brokeAt is the stack open then, brokeOffset
	// and brokeLine where.
	broke       error
	brokeAt     []xmlElem
	brokeOffset int64
	brokeLine   int
	// halfItem: an item was open when the document broke (it is dropped).
	halfItem bool
}

// scanFeed reads doc (UTF-8) with encoding/xml as leniently as gofeed does
// (Strict off; a mismatched end tag closes the elements opened after its
// start) and records the complete items and where the document broke. ok is false
// when doc has no RSS, RDF or Atom root.
func scanFeed(doc []byte) (s feedScan, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	var stack []xmlElem
	itemDepth := -1 // depth of the open outermost item, -1 when none
	for {
		before := d.InputOffset()
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.broke = err
			s.brokeAt = append([]xmlElem(nil), stack...)
			s.brokeOffset = d.InputOffset()
			s.brokeLine, _ = d.InputPos()
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				s.brokeLine = se.Line
			}
			s.halfItem = itemDepth >= 0
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line, _ := d.InputPos()
			e := xmlElem{local: t.Name.Local, qname: qualified(t.Name), start: before, line: line}
			if len(stack) == 0 {
				if s.item = itemName(t); s.item == "" {
					return s, false
				}
			} else if itemDepth < 0 && t.Name.Local == s.item {
				itemDepth = len(stack)
				if s.firstOpen == nil {
					s.firstOpen = append([]xmlElem{}, stack...)
					s.prefixEnd = before
				}
			}
			stack = append(stack, e) // <x/> comes as a start and an end
		case xml.EndElement:
			// RawToken does not check nesting: an end tag closes the
			// innermost open element of its name and every element opened
			// after it, as the lenient decoder gofeed uses does.
			i := len(stack) - 1
			for i >= 0 && stack[i].qname != qualified(t.Name) {
				i--
			}
			if i < 0 {
				continue // an end tag with no start: ignored
			}
			if itemDepth >= 0 && i <= itemDepth {
				if i == itemDepth {
					s.items = append(s.items, itemSpan{stack[i].start, d.InputOffset()})
				}
				// else the item was closed by an ancestor's end tag: a half item
				itemDepth = -1
			}
			stack = stack[:i]
			if len(stack) == 0 {
				return s, true // the root's end: what follows is not read
			}
		}
	}
	if s.broke == nil && len(stack) > 0 {
		// The document ended with elements open (a missing </rss>).
		s.broke = io.ErrUnexpectedEOF
		s.brokeAt = stack
		s.brokeOffset = int64(len(doc))
		s.brokeLine = 1 + bytes.Count(doc, []byte("\n"))
		s.halfItem = itemDepth >= 0
	}
	return s, s.item != ""
}

// itemName is the local name of the items under root, "" when root is not
// a feed root netdigest reads.
func itemName(root xml.StartElement) string {
	switch strings.ToLower(root.Name.Local) {
	case "rss", "rdf":
		return "item"
	case "feed":
		return "entry"
	}
	return ""
}

// qualified is a name as RawToken gives it back: prefix:local.
func qualified(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// containerDepth is how many elements of the stack at an item's start are
// where the format puts items: the root, and RSS's channel under it.
func (s *feedScan) containerDepth(open []xmlElem) int {
	n := 0
	if len(open) > 0 {
		n = 1
	}
	if s.item == "item" && len(open) > 1 && open[1].local == "channel" {
		n = 2
	}
	return n
}

// misplaced is the elements left open around the first item that are no
// container of items (an unclosed <itunes:category>), outermost first.
func (s *feedScan) misplaced() []xmlElem {
	return s.firstOpen[s.containerDepth(s.firstOpen):]
}

// rebuildFeed writes doc again with only its complete items: what comes
// before the first item (the misplaced open elements closed), the items,
// and the end tags of the containers.
func (s *feedScan) rebuildFeed(doc []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(doc) + 64)
	b.Write(doc[:s.prefixEnd])
	mis := s.misplaced()
	for i := len(mis) - 1; i >= 0; i-- {
		b.WriteString("</" + mis[i].qname + ">")
	}
	for _, it := range s.items {
		b.Write(doc[it.start:it.end])
		b.WriteByte('\n')
	}
	containers := s.firstOpen[:s.containerDepth(s.firstOpen)]
	for i := len(containers) - 1; i >= 0; i-- {
		b.WriteString("</" + containers[i].qname + ">")
	}
	return b.Bytes()
}

// warning says where the document broke and what was recovered; perr is
// the feed parser's error on the document as it came, if any.
func (s *feedScan) warning(recovered int, perr error) string {
	var parts []string
	if mis := s.misplaced(); len(mis) > 0 {
		names := make([]string, len(mis))
		for i, e := range mis {
			names[i] = fmt.Sprintf("<%s> (line %d)", e.qname, e.line)
		}
		parts = append(parts, fmt.Sprintf("the items are inside %s, left unclosed", strings.Join(names, ", ")))
	}
	if s.broke != nil {
		path := make([]string, len(s.brokeAt))
		for i, e := range s.brokeAt {
			path[i] = e.qname
		}
		where := "at its start"
		if len(path) > 0 {
			where = "inside <" + strings.Join(path, "><") + ">"
		}
		what := s.broke.Error()
		var se *xml.SyntaxError
		if errors.Is(s.broke, io.ErrUnexpectedEOF) || (errors.As(s.broke, &se) && se.Msg == "unexpected EOF") {
			what = "cut off before its end"
		}
		parts = append(parts, fmt.Sprintf("the document broke at line %d (byte %d) %s: %s",
			s.brokeLine, s.brokeOffset, where, what))
	}
	if len(parts) == 0 && perr != nil {
		parts = append(parts, "the feed parser failed: "+perr.Error())
	} else if len(parts) == 0 {
		parts = append(parts, "the feed parser missed items")
	}
	plural := map[string]string{"item": "items", "entry": "entries"}[s.item]
	msg := fmt.Sprintf("%s; recovered %d complete %s", strings.Join(parts, "; "), recovered, plural)
	if s.halfItem {
		msg += fmt.Sprintf(", dropped the incomplete %s after them", s.item)
	}
	return msg
}

// atomEntryDocument wraps a standalone Atom Entry Document (RFC 4287
// §4.1.2: an atom:entry as the root) in a feed, so that it is read as a
// feed of one entry. ok is false for any other document.
func atomEntryDocument(doc []byte) (wrapped []byte, ok bool) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			return nil, false
		}
		se, isStart := tok.(xml.StartElement)
		if !isStart {
			continue
		}
		if se.Name.Local != "entry" || se.Name.Space != atomNS {
			return nil, false
		}
		var b bytes.Buffer
		b.Grow(len(doc) + 64)
		b.Write(doc[:before])
		b.WriteString(`<feed xmlns="` + atomNS + `">`)
		b.Write(doc[before:])
		b.WriteString("</feed>")
		return b.Bytes(), true
	}
}

// mayHaveMoreItems reports whether doc holds more start tags named like
// items than want: a cheap test run before the full scan, which most feeds
// (every item read) then skip.
func mayHaveMoreItems(doc []byte, want int) bool {
	n := 0
	for _, name := range []string{"item", "entry"} {
		n += countStartTags(doc, name)
	}
	return n > want
}

// countStartTags counts "<local" and "<prefix:local" followed by a
// character that ends a tag name.
func countStartTags(doc []byte, local string) int {
	n := 0
	pat := []byte(local)
	for i := 0; ; {
		j := bytes.Index(doc[i:], pat)
		if j < 0 {
			return n
		}
		at := i + j
		i = at + len(pat)
		if at == 0 || (doc[at-1] != '<' && doc[at-1] != ':') {
			continue
		}
		if i < len(doc) && !strings.ContainsRune(" \t\r\n/>", rune(doc[i])) {
			continue
		}
		n++
	}
}

// recoverItems returns gofeed's result for utf (f, err) when it read every
// complete item, else the parse of the document rebuilt around them with a
// warning that says where it broke. A JSON document is not rebuilt, and err
// stands when nothing complete can be recovered.
func recoverItems(utf []byte, f *gofeed.Feed, err error) (*gofeed.Feed, []string, error) {
	if !bytes.HasPrefix(bytes.TrimSpace(utf), []byte("<")) {
		return f, nil, err
	}
	got := 0
	if err == nil {
		got = len(f.Items)
		if !mayHaveMoreItems(utf, got) {
			return f, nil, nil
		}
	}
	s, ok := scanFeed(utf)
	if !ok || len(s.items) <= got {
		return f, nil, err
	}
	rf, rerr := parseGofeed(s.rebuildFeed(utf))
	if rerr != nil || len(rf.Items) <= got {
		return f, nil, err
	}
	return rf, []string{s.warning(len(rf.Items), err)}, nil
}
