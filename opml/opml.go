// Package opml reads and writes OPML 2.0 subscription lists
// (http://opml.org/spec2.opml), the format every feed reader imports and
// exports. It knows nothing of netdigest's config: it holds the model, the
// encoding and the walk that flattens nested outlines into feeds.
//
// Reading is lenient where real exporters differ (OPML 1.0 or 2.0, title
// without text, type absent, attribute names in any case, HTML entities such
// as &nbsp;) and strict where a file is broken: a syntax error says its line.
package opml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// Namespace holds netdigest's own outline attributes. The spec allows
// namespaced attributes; readers ignore them.
const Namespace = "https://github.com/netdigest/netdigest/opml"

// TypeRSS is the type of an outline that is a feed, whatever its format
// (RSS, Atom or JSON Feed): the spec has one type for subscriptions.
const TypeRSS = "rss"

// Document is an OPML file.
type Document struct {
	Version  string
	Head     Head
	Outlines []Outline // the body
}

// Head is the document's <head>; only what subscription lists use.
type Head struct {
	Title       string `xml:"title,omitempty"`
	DateCreated string `xml:"dateCreated,omitempty"`
	OwnerName   string `xml:"ownerName,omitempty"`
	Docs        string `xml:"docs,omitempty"`
}

// Outline is one <outline>: a feed (XMLURL set), a page (HTMLURL only) or a
// folder of outlines.
type Outline struct {
	Text    string // as in the file: may carry HTML entities (see Label)
	Title   string
	Type    string
	XMLURL  string
	HTMLURL string
	// Category is the spec's comma-separated list of slash-delimited
	// categories ("/kernel,/news").
	Category string
	// Conference marks a folder as a netdigest conference group (attribute
	// conference in Namespace): importing its feeds sets their conference
	// rather than a tag, so that an export imports back as it was.
	Conference string
	Outlines   []Outline
	Line       int // where the outline starts in the file read; 0 when built
}

// Label is what a person would call the outline: its text, else its title
// (newsboat writes only title), with HTML entities decoded once, since the
// spec lets text carry encoded HTML and some exporters escape names twice
// (FreshRSS wrote "R&amp;amp;D" for "R&D").
func (o Outline) Label() string {
	s := o.Text
	if strings.TrimSpace(s) == "" {
		s = o.Title
	}
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}

// Categories splits Category into its entries without their leading slash.
func (o Outline) Categories() []string {
	var out []string
	for _, c := range strings.Split(html.UnescapeString(o.Category), ",") {
		if c = strings.Trim(strings.TrimSpace(c), "/"); c != "" {
			out = append(out, c)
		}
	}
	return out
}

// Error is a file that is not a readable OPML document.
type Error struct {
	Line int // 0 when unknown
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// Parse reads an OPML document.
func Parse(data []byte) (*Document, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charset.NewReaderLabel
	// Exporters that build XML by hand leave HTML entities (&nbsp;, &eacute;)
	// in names; a strict XML parser would refuse the whole file for one.
	d.Entity = xml.HTMLEntity
	p := &parser{d: d}
	doc, err := p.document()
	if err != nil {
		var se *xml.SyntaxError
		var ee *Error
		switch {
		case errors.As(err, &ee):
			return nil, ee
		case errors.As(err, &se) && se.Msg == "unexpected EOF":
			return nil, &Error{Line: se.Line, Msg: "unexpected end of file: an element is not closed"}
		case errors.As(err, &se):
			return nil, &Error{Line: se.Line, Msg: se.Msg}
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, &Error{Line: p.line(), Msg: "unexpected end of file"}
		default:
			return nil, &Error{Line: p.line(), Msg: err.Error()}
		}
	}
	return doc, nil
}

type parser struct {
	d *xml.Decoder
}

func (p *parser) line() int {
	line, _ := p.d.InputPos()
	return line
}

// start returns the next start element, skipping text, comments and
// processing instructions; nil at the end of the enclosing element.
func (p *parser) start() (*xml.StartElement, int, error) {
	for {
		line := p.line()
		tok, err := p.d.Token()
		if err != nil {
			return nil, line, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return &t, line, nil
		case xml.EndElement:
			return nil, line, nil
		}
	}
}

func (p *parser) document() (*Document, error) {
	root, line, err := p.start()
	if errors.Is(err, io.EOF) {
		return nil, &Error{Msg: "empty file: no <opml> element"}
	}
	if err != nil {
		return nil, err
	}
	if root == nil || !strings.EqualFold(root.Name.Local, "opml") {
		name := "?"
		if root != nil {
			name = root.Name.Local
		}
		return nil, &Error{Line: line, Msg: fmt.Sprintf("not an OPML file: the root element is <%s>, not <opml>", name)}
	}
	doc := &Document{Version: attr(root, "version")}
	body := false
	for {
		el, _, err := p.start()
		if err != nil {
			return nil, err
		}
		if el == nil {
			break
		}
		switch strings.ToLower(el.Name.Local) {
		case "head":
			if err := p.d.DecodeElement(&doc.Head, el); err != nil {
				return nil, err
			}
		case "body":
			body = true
			if doc.Outlines, err = p.outlines(); err != nil {
				return nil, err
			}
		default:
			if err := p.d.Skip(); err != nil {
				return nil, err
			}
		}
	}
	if !body {
		return nil, &Error{Line: p.line(), Msg: "no <body> in <opml>: not a subscription list"}
	}
	return doc, nil
}

// outlines reads the outlines up to the end of the current element.
func (p *parser) outlines() ([]Outline, error) {
	var out []Outline
	for {
		el, line, err := p.start()
		if err != nil {
			return nil, err
		}
		if el == nil {
			return out, nil
		}
		if !strings.EqualFold(el.Name.Local, "outline") {
			if err := p.d.Skip(); err != nil {
				return nil, err
			}
			continue
		}
		o := Outline{
			Text:     attr(el, "text"),
			Title:    attr(el, "title"),
			Type:     attr(el, "type"),
			XMLURL:   strings.TrimSpace(attr(el, "xmlUrl")),
			HTMLURL:  strings.TrimSpace(attr(el, "htmlUrl")),
			Category: attr(el, "category"),
			Line:     line,
		}
		for _, a := range el.Attr {
			if a.Name.Space == Namespace && a.Name.Local == "conference" {
				o.Conference = a.Value
			}
		}
		if o.Outlines, err = p.outlines(); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
}

// attr is the value of the un-namespaced attribute name, in any case:
// exporters write xmlUrl, xmlurl and xmlURL.
func attr(el *xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Space == "" && strings.EqualFold(a.Name.Local, name) {
			return a.Value
		}
	}
	return ""
}

// Item is an outline that is not only a folder (a feed, a page, a note),
// with the folders that hold it, outermost first.
type Item struct {
	Outline
	Folders []Outline
}

// Walk returns the items of d in document order. A feed with children,
// rare but legal, is an item and a folder of its children.
func (d *Document) Walk() []Item {
	var out []Item
	var walk func(os []Outline, folders []Outline)
	walk = func(os []Outline, folders []Outline) {
		for _, o := range os {
			if o.XMLURL != "" || len(o.Outlines) == 0 {
				out = append(out, Item{Outline: o, Folders: folders})
			}
			if len(o.Outlines) > 0 {
				walk(o.Outlines, append(folders[:len(folders):len(folders)], o))
			}
		}
	}
	walk(d.Outlines, nil)
	return out
}

// The encoded form: attribute names as the spec spells them, netdigest's
// attribute under its prefix (declared on <opml>).
type xmlDocument struct {
	XMLName  xml.Name     `xml:"opml"`
	Version  string       `xml:"version,attr"`
	NS       string       `xml:"xmlns:netdigest,attr,omitempty"`
	Head     Head         `xml:"head"`
	Outlines []xmlOutline `xml:"body>outline"`
}

type xmlOutline struct {
	Text       string       `xml:"text,attr"`
	Title      string       `xml:"title,attr,omitempty"`
	Type       string       `xml:"type,attr,omitempty"`
	XMLURL     string       `xml:"xmlUrl,attr,omitempty"`
	HTMLURL    string       `xml:"htmlUrl,attr,omitempty"`
	Category   string       `xml:"category,attr,omitempty"`
	Conference string       `xml:"netdigest:conference,attr,omitempty"`
	Outlines   []xmlOutline `xml:"outline"`
}

// Marshal encodes d as an indented OPML document (version 2.0 unless d says
// otherwise), with the XML declaration.
func Marshal(d *Document) ([]byte, error) {
	x := xmlDocument{Version: d.Version, Head: d.Head, Outlines: encodeOutlines(d.Outlines)}
	if x.Version == "" {
		x.Version = "2.0"
	}
	if usesConference(d.Outlines) {
		x.NS = Namespace
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(x); err != nil {
		return nil, fmt.Errorf("opml: encode: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

func encodeOutlines(os []Outline) []xmlOutline {
	out := make([]xmlOutline, len(os))
	for i, o := range os {
		out[i] = xmlOutline{Text: o.Text, Title: o.Title, Type: o.Type, XMLURL: o.XMLURL, HTMLURL: o.HTMLURL,
			Category: o.Category, Conference: o.Conference, Outlines: encodeOutlines(o.Outlines)}
	}
	return out
}

func usesConference(os []Outline) bool {
	for _, o := range os {
		if o.Conference != "" || usesConference(o.Outlines) {
			return true
		}
	}
	return false
}
