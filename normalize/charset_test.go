package normalize

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"

	"github.com/netdigest/netdigest/internal/shareddata"
)

// encodeWith encodes a UTF-8 test document into enc, failing the test on
// characters enc cannot represent.
func encodeWith(t *testing.T, enc encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode test input: %v", err)
	}
	return b
}

func rssWithTitle(decl, title string) string {
	return decl + `<rss version="2.0"><channel><title>feed</title><item><title>` + title +
		`</title><guid>urn:x:1</guid></item></channel></rss>`
}

func TestToUTF8ThroughParseFeed(t *testing.T) {
	win1252 := charmap.Windows1252
	tests := []struct {
		name        string
		body        []byte
		contentType string
		want        string
	}{
		{
			name:        "ISO-8859-1 via header",
			body:        encodeWith(t, charmap.ISO8859_1, rssWithTitle(`<?xml version="1.0"?>`, "Café déjà vu")),
			contentType: "application/rss+xml; charset=ISO-8859-1",
			want:        "Café déjà vu",
		},
		{
			name: "ISO-8859-1 via XML declaration",
			body: encodeWith(t, charmap.ISO8859_1, rssWithTitle(`<?xml version="1.0" encoding="ISO-8859-1"?>`, "Größe über alles")),
			want: "Größe über alles",
		},
		{
			name: "windows-1252 smart quotes via declaration",
			body: encodeWith(t, win1252, rssWithTitle(`<?xml version='1.0' encoding='windows-1252'?>`, "“Quoted” – it’s €5")),
			want: "“Quoted” – it’s €5",
		},
		{
			name: "undeclared windows-1252 is guessed",
			body: encodeWith(t, win1252, rssWithTitle("", "don’t panic")),
			want: "don’t panic",
		},
		{
			name: "UTF-16LE with BOM",
			body: encodeWith(t, unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), rssWithTitle(`<?xml version="1.0" encoding="utf-16"?>`, "Ünïcödé 16LE ✓")),
			want: "Ünïcödé 16LE ✓",
		},
		{
			name: "UTF-16BE with BOM",
			body: encodeWith(t, unicode.UTF16(unicode.BigEndian, unicode.UseBOM), rssWithTitle(`<?xml version="1.0" encoding="UTF-16"?>`, "Ünïcödé 16BE ✓")),
			want: "Ünïcödé 16BE ✓",
		},
		{
			name: "UTF-16LE without BOM, detected from <?xml",
			body: encodeWith(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), rssWithTitle(`<?xml version="1.0" encoding="utf-16le"?>`, "naïve")),
			want: "naïve",
		},
		{
			name: "UTF-32BE without BOM, detected from <?xml",
			body: encodeWith(t, utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), rssWithTitle(`<?xml version="1.0" encoding="utf_32"?>`, "naïve 32")),
			want: "naïve 32",
		},
		{
			name: "UTF-32LE with BOM",
			body: encodeWith(t, utf32.UTF32(utf32.LittleEndian, utf32.UseBOM), rssWithTitle(`<?xml version="1.0"?>`, "Ωmega")),
			want: "Ωmega",
		},
		{
			name:        "header overrides declaration",
			body:        encodeWith(t, win1252, rssWithTitle(`<?xml version="1.0" encoding="utf-8"?>`, "This is a £“test.”")),
			contentType: "text/xml; charset=windows-1252",
			want:        "This is a £“test.”",
		},
		{
			name:        "header charset in single quotes with spaces",
			body:        encodeWith(t, charmap.ISO8859_1, rssWithTitle(`<?xml version="1.0" encoding="utf-8"?>`, "señor")),
			contentType: "application/rss+xml;charset= 'iso-8859-1'",
			want:        "señor",
		},
		{
			name:        "UTF-8 passthrough",
			body:        []byte(rssWithTitle(`<?xml version="1.0" encoding="utf-8"?>`, "日本語 and ünïcode")),
			contentType: "application/rss+xml; charset=utf-8",
			want:        "日本語 and ünïcode",
		},
		{
			name: "UTF-8 with BOM",
			body: append([]byte("\xEF\xBB\xBF"), rssWithTitle(`<?xml version="1.0" encoding="utf-8"?>`, "bom ✓")...),
			want: "bom ✓",
		},
		{
			name: "UTF-8 mislabelled as ISO-8859-1 stays UTF-8",
			body: []byte(rssWithTitle(`<?xml version="1.0" encoding="ISO-8859-1"?>`, "Café")),
			want: "Café",
		},
		{
			name: "unknown declared encoding falls back to UTF-8",
			body: []byte(rssWithTitle(`<?xml version="1.0" encoding="bogus"?>`, "Café")),
			want: "Café",
		},
		{
			name: "declared UTF-8 but Latin-1 bytes read as windows-1252",
			body: encodeWith(t, charmap.ISO8859_1, rssWithTitle(`<?xml version="1.0" encoding="utf-8"?>`, "Anaïs and Jürgen")),
			want: "Anaïs and Jürgen",
		},
		{
			name: "UTF-8 with one stray byte keeps UTF-8",
			body: []byte(rssWithTitle(`<?xml version="1.0" encoding="utf-8"?>`, "Zürich, Genève, Köln \xE9t\xE9")),
			want: "Zürich, Genève, Köln \uFFFDt\uFFFD",
		},
		{
			name: "KOI8-R via declaration",
			body: encodeWith(t, charmap.KOI8R, rssWithTitle(`<?xml version="1.0" encoding="KOI8-R"?>`, "Пример ленты")),
			want: "Пример ленты",
		},
		{
			name: "C1 control transcoded from windows-1252 is repaired",
			body: []byte(rssWithTitle(`<?xml version="1.0" encoding="utf-8"?>`, "don\u0092t")),
			want: "don’t",
		},
	}
	n := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParseFeed(tt.body, tt.contentType, "https://example.org/feed")
			if err != nil {
				t.Fatalf("ParseFeed: %v", err)
			}
			es := n.Entries(Source{Name: "s"}, doc, testNow)
			if len(es) != 1 {
				t.Fatalf("got %d entries, want 1", len(es))
			}
			if es[0].Title != tt.want {
				t.Errorf("title = %q, want %q", es[0].Title, tt.want)
			}
		})
	}
}

func TestToUTF8RewritesDeclaration(t *testing.T) {
	in := encodeWith(t, charmap.ISO8859_1, `<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?><a>é</a>`)
	got, err := ToUTF8(in, "")
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="utf-8" standalone="yes"?><a>é</a>`
	if string(got) != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestToUTF8HTMLMeta(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		ct   string
		want string
	}{
		{
			name: "meta charset",
			body: encodeWith(t, charmap.ISO8859_1, `<!DOCTYPE html><html><head><meta charset="iso-8859-1"><title>Frédéric</title></head></html>`),
			want: "Frédéric",
		},
		{
			name: "meta http-equiv",
			body: encodeWith(t, charmap.Windows1251, `<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"><title>Привет</title></head></html>`),
			want: "Привет",
		},
		{
			name: "header beats meta",
			body: encodeWith(t, charmap.ISO8859_1, `<html><head><meta charset="utf-8"><title>Café</title></head></html>`),
			ct:   "text/html; charset=iso-8859-1",
			want: "Café",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ToUTF8(tt.body, tt.ct)
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(got) || !bytes.Contains(got, []byte(tt.want)) {
				t.Errorf("got %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

// TestToUTF8MinifluxEncodingFiles runs miniflux's encoding fixtures (real
// mislabelled and legacy-charset documents) through ToUTF8.
func TestToUTF8MinifluxEncodingFiles(t *testing.T) {
	dir := shareddata.Path(t, "corpus", "realworld", "miniflux", "encoding")
	tests := []struct {
		file, contentType, want string
	}{
		{"iso-8859-1.xml", "", "Café"},
		{"iso-8859-1.xml", "text/html; charset=ISO-8859-1", "Café"},
		{"utf8.xml", "", "Café"},
		{"utf8-incorrect-prolog.xml", "", "Café"},
		{"invalid-prolog.xml", "", "Café"},
		{"windows-1252.xml", "", "Euro €"},
		{"windows-1252-incorrect-prolog.xml", "", "Euro €"},
		{"koi8r.xml", "", "Пример RSS ленты"},
		{"iso-8859-1.html", "text/html", "Café"},
		{"iso-8859-1-meta-after-1024.html", "text/html", "Café"},
		{"utf8.html", "text/html", "Café"},
		{"utf8-meta-after-1024.html", "text/html", "Café"},
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.contentType, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := ToUTF8(body, tt.contentType)
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(got) {
				t.Fatalf("output is not valid UTF-8")
			}
			if !strings.Contains(string(got), tt.want) {
				t.Errorf("output lacks %q:\n%s", tt.want, got)
			}
		})
	}
}
