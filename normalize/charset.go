package normalize

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// xmlDecl matches an XML declaration at the start of a document (after
// optional whitespace) and captures its encoding pseudo-attribute.
var (
	xmlDecl     = regexp.MustCompile(`^\s*<\?xml\s[^>]*?\?>`)
	xmlEncoding = regexp.MustCompile(`(\sencoding\s*=\s*)(?:"([^"]*)"|'([^']*)')`)
)

// metaPrescanBytes is how far into an HTML document a <meta> charset is
// looked for, as in the WHATWG encoding sniffing algorithm.
const metaPrescanBytes = 1024

// ToUTF8 converts a feed or page body to UTF-8 and returns it without a byte
// order mark and with any XML declaration's encoding rewritten to "utf-8", so
// that a parser honouring the declaration does not decode a second time.
//
// The encoding is decided, first match wins, by: a byte order mark (UTF-8,
// UTF-16 LE/BE, UTF-32 LE/BE); the UTF-16/32 byte patterns of "<?" at the
// start (XML 1.0 Appendix F); the charset parameter of contentType; the XML
// declaration's encoding, or for a document without one an HTML <meta>
// charset in the first 1024 bytes; else UTF-8.
//
// Three repairs follow real feeds rather than the specs: a declared legacy
// charset (ISO-8859-x, windows-125x, KOI8-R, ...) is ignored when the body
// is valid UTF-8 containing non-ASCII bytes, since servers and generators
// mislabel UTF-8 far more often than legacy text happens to form valid UTF-8;
// a body that should be UTF-8 but is not is read as windows-1252 unless it
// is mostly valid UTF-8, when only the broken bytes become U+FFFD; and C1
// controls (U+0080..U+009F) become the windows-1252 characters they stand
// for ("don\u0092t" is "don’t").
func ToUTF8(body []byte, contentType string) ([]byte, error) {
	enc, name := detectEncoding(body)
	if enc == nil {
		if label := contentTypeCharset(contentType); label != "" {
			enc, name = usableEncoding(label, body)
		}
	}
	if enc == nil {
		if label := declaredCharset(body); label != "" {
			enc, name = usableEncoding(label, body)
		}
	}
	if enc != nil && !isUnicode(name) && hasHighBytes(body) && utf8.Valid(body) {
		enc = nil // a mislabelled UTF-8 document
	}
	if enc == nil || name == "utf-8" {
		if utf8.Valid(body) {
			return finishUTF8(body), nil
		}
		if mostlyUTF8(body) {
			return finishUTF8(bytes.ToValidUTF8(body, []byte("\uFFFD"))), nil
		}
		enc, name = charmap.Windows1252, "windows-1252"
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return nil, fmt.Errorf("charset: decode %s: %w", name, err)
	}
	return finishUTF8(out), nil
}

// finishUTF8 drops a UTF-8 byte order mark, repairs C1 controls and
// rewrites the XML declaration's encoding to the one the bytes now have.
func finishUTF8(b []byte) []byte {
	b = bytes.TrimPrefix(b, []byte("\xEF\xBB\xBF"))
	b = fixC1Controls(b)
	loc := xmlDecl.FindIndex(b)
	if loc == nil {
		return b
	}
	decl := xmlEncoding.ReplaceAll(b[loc[0]:loc[1]], []byte(`${1}"utf-8"`))
	out := make([]byte, 0, len(b)+len(decl)-(loc[1]-loc[0]))
	out = append(out, b[:loc[0]]...)
	out = append(out, decl...)
	return append(out, b[loc[1]:]...)
}

// detectEncoding reads the encoding from the first bytes alone: a byte order
// mark, or the layout of "<" in UTF-16/32 without one. nil when the start is
// ASCII-compatible and unmarked.
func detectEncoding(b []byte) (encoding.Encoding, string) {
	switch {
	case bytes.HasPrefix(b, []byte{0x00, 0x00, 0xFE, 0xFF}):
		return utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM), "utf-32be"
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0x00, 0x00}):
		return utf32.UTF32(utf32.LittleEndian, utf32.ExpectBOM), "utf-32le"
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8, "utf-8"
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16be"
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM), "utf-16le"
	case bytes.HasPrefix(b, []byte{0x00, 0x00, 0x00, '<'}):
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be"
	case bytes.HasPrefix(b, []byte{'<', 0x00, 0x00, 0x00}):
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le"
	case bytes.HasPrefix(b, []byte{0x00, '<'}):
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM), "utf-16be"
	case bytes.HasPrefix(b, []byte{'<', 0x00}):
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le"
	}
	return nil, ""
}

// usableEncoding looks label up and returns nil when it is unknown, or when
// it names UTF-16/32 while the unmarked bytes are plainly ASCII-compatible
// (detectEncoding already caught every real UTF-16/32 start).
func usableEncoding(label string, body []byte) (encoding.Encoding, string) {
	enc, name := lookupEncoding(label)
	if enc == nil {
		return nil, ""
	}
	if isUnicode(name) && name != "utf-8" && len(body) >= 2 && body[0] != 0 && body[1] != 0 {
		return nil, ""
	}
	return enc, name
}

// lookupEncoding resolves a charset label: the Unicode forms by hand (the
// WHATWG index maps "utf-16" to little-endian and knows no UTF-32), the rest
// by WHATWG label, then by IANA name.
func lookupEncoding(label string) (encoding.Encoding, string) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if label == "" {
		return nil, ""
	}
	key := strings.NewReplacer("-", "", "_", "", " ", "").Replace(label)
	switch key {
	case "utf8", "u8":
		return unicode.UTF8, "utf-8"
	case "utf16", "u16", "ucs2", "utf16be", "unicodefffe":
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM), "utf-16be"
	case "utf16le", "unicode":
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "utf-16le"
	case "utf32", "u32", "ucs4", "utf32be":
		return utf32.UTF32(utf32.BigEndian, utf32.UseBOM), "utf-32be"
	case "utf32le":
		return utf32.UTF32(utf32.LittleEndian, utf32.UseBOM), "utf-32le"
	}
	if enc, name := charset.Lookup(label); enc != nil {
		return enc, name
	}
	if enc, err := ianaindex.IANA.Encoding(label); err == nil && enc != nil {
		if name, err := ianaindex.IANA.Name(enc); err == nil {
			return enc, strings.ToLower(name)
		}
		return enc, label
	}
	return nil, ""
}

// isUnicode reports whether the canonical encoding name is a UTF (as opposed
// to a legacy charset that could be a mislabel for UTF-8).
func isUnicode(name string) bool {
	return strings.HasPrefix(name, "utf-")
}

// contentTypeCharset returns the charset parameter of an HTTP Content-Type,
// read leniently: feeds are served with `charset='x'`, `charset = x` and
// trailing semicolons, which mime.ParseMediaType rejects.
func contentTypeCharset(contentType string) string {
	parts := strings.Split(contentType, ";")
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "charset") {
			continue
		}
		return strings.Trim(strings.TrimSpace(v), `"'`)
	}
	return ""
}

// declaredCharset returns the XML declaration's encoding, or for a document
// without an XML declaration the charset of an HTML <meta> near its start.
func declaredCharset(body []byte) string {
	if loc := xmlDecl.FindIndex(body); loc != nil {
		m := xmlEncoding.FindSubmatch(body[loc[0]:loc[1]])
		if m == nil {
			return ""
		}
		return string(m[2]) + string(m[3])
	}
	return metaCharset(body)
}

// metaCharset finds <meta charset> or <meta http-equiv="content-type"
// content="...; charset=..."> in the first metaPrescanBytes of an HTML page.
func metaCharset(body []byte) string {
	if len(body) > metaPrescanBytes {
		body = body[:metaPrescanBytes]
	}
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "meta" || !hasAttr {
				continue
			}
			var cs, content string
			httpEquiv := false
			for more := true; more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "charset":
					cs = string(v)
				case "content":
					content = string(v)
				case "http-equiv":
					httpEquiv = strings.EqualFold(string(v), "content-type")
				}
			}
			if cs != "" {
				return strings.TrimSpace(cs)
			}
			if httpEquiv {
				if cs := contentTypeCharset(content); cs != "" {
					return cs
				}
			}
		}
	}
}

// fixC1Controls replaces the C1 control characters U+0080..U+009F, which no
// feed means, by the windows-1252 characters whose byte values they carry:
// they are what windows-1252 text (smart quotes, dashes, "€") becomes when
// transcoded as ISO-8859-1.
func fixC1Controls(b []byte) []byte {
	if !hasC1(b) {
		return b
	}
	out := make([]byte, 0, len(b)+8)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r >= 0x80 && r <= 0x9F && size == 2 {
			out = utf8.AppendRune(out, charmap.Windows1252.DecodeByte(byte(r)))
		} else {
			out = append(out, b[:size]...)
		}
		b = b[size:]
	}
	return out
}

// hasC1 reports whether b holds a UTF-8 encoded U+0080..U+009F.
func hasC1(b []byte) bool {
	for i := 0; i+1 < len(b); i++ {
		if b[i] == 0xC2 && b[i+1] >= 0x80 && b[i+1] <= 0x9F {
			return true
		}
	}
	return false
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// mostlyUTF8 reports whether invalid bytes are a minority next to valid
// multi-byte sequences: a UTF-8 document with a few broken bytes, not
// legacy 8-bit text.
func mostlyUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size == 1:
			invalid++
		case size > 1:
			valid++
		}
		b = b[size:]
	}
	return valid > invalid
}
