package normalize

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"
)

func TestXMLSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain ASCII, tab\tnewline\ncr\r", "plain ASCII, tab\tnewline\ncr\r"},
		{"élan — 日本 🚀 \u0085 \uFFFD", "élan — 日本 🚀 \u0085 \uFFFD"},
		{"a\x00b\x01c\x08d\x0be\x0cf\x1fg", "abcdefg"},
		{"x\uFFFEy\uFFFFz", "xyz"},
		{"lone surrogate \xed\xa0\x80 end", "lone surrogate \uFFFD end"},
		{"bad bytes \xff\xfe\xfd and \xc3", "bad bytes \uFFFD and \uFFFD"},
		{"\x01", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := XMLSafe(tt.in); got != tt.want {
			t.Errorf("XMLSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestEntriesXMLSafe: a hostile item (as a JSON Feed or a scraped page can
// carry it: JSON escapes and character references are not refused the way
// an XML parser refuses raw control bytes) yields entries with no character
// XML forbids in any field.
func TestEntriesXMLSafe(t *testing.T) {
	bad := "\x01\x0b\uFFFE\xed\xa0\x80"
	doc := &Document{Link: "https://site.example/", Items: []Item{{
		GUID:        "urn:x:" + bad,
		Title:       "Ti" + bad + "tle &#1;&#x1F;",
		Link:        "https://site.example/p/1",
		Authors:     []string{"Ann" + bad, bad},
		ContentHTML: "<p>co" + bad + "ntent &#1; &#xFFFF;</p>",
		SummaryHTML: "sum" + bad + "mary",
		Categories:  []string{"xdp" + bad, bad},
	}}}
	es := New().Entries(Source{Name: "s", Conference: "Netdev" + bad, Tags: []string{"t" + bad}}, doc, testNow)
	if len(es) != 1 {
		t.Fatalf("%d entries, want 1", len(es))
	}
	e := es[0]
	fields := map[string]string{"id": e.ID, "guid": e.GUID, "title": e.Title, "link": e.Link,
		"content": e.Content, "summary": e.Summary, "conference": e.Conference,
		"authors": strings.Join(e.Authors, ","), "tags": strings.Join(e.Tags, ",")}
	for name, v := range fields {
		if i := firstUnsafe(v); i >= 0 {
			t.Errorf("%s %q: a character XML forbids at byte %d", name, v, i)
		}
	}
	// \x0b is a space to PlainText, a forbidden character to XML.
	if e.Title != "Ti \uFFFDtle" || e.Content != "<p>co\uFFFDntent  </p>" ||
		!slices.Equal(e.Authors, []string{"Ann \uFFFD", "\uFFFD"}) || e.Conference != "Netdev\uFFFD" {
		t.Errorf("title %q, content %q, authors %q, conference %q: want the text kept around what was stripped",
			e.Title, e.Content, e.Authors, e.Conference)
	}
	if e.ContentHash != ContentHash(&e) {
		t.Error("ContentHash was computed before the fields were made safe")
	}
}

// balanced reports whether every element opened in s is closed in order.
func balanced(s string) error {
	var open []string
	z := xhtml.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			if len(open) > 0 {
				return fmt.Errorf("left open: %v", open)
			}
			return nil
		case xhtml.StartTagToken:
			if name, _ := z.TagName(); !isVoid(string(name)) {
				open = append(open, string(name))
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			if len(open) == 0 || open[len(open)-1] != string(name) {
				return fmt.Errorf("</%s> closes %v", name, open)
			}
			open = open[:len(open)-1]
		}
	}
}

func TestCapContent(t *testing.T) {
	const link = "https://site.example/p?a=1&b=2"
	more := `<p><a href="https://site.example/p?a=1&amp;b=2" rel="nofollow">Continued at the source…</a></p>`
	tests := []struct {
		name, in string
		max      int
		want     string // the kept part, before the link
	}{
		{"fits", "<p>short</p>", 100, "<p>short</p>"},
		{"at a tag", "<p>one</p><p>two</p><p>three</p>", 24, "<p>one</p><p>two</p>"},
		{"open elements closed", "<div><p>one <b>two</b> three four five six</p></div>", 40, "<div><p>one <b>two</b> three</p></div>"},
		{"no room for a start tag and its end", "<p>aaaa</p><blockquote>b</blockquote>", 24, "<p>aaaa</p>"},
		{"inside a word without a space near", "<p>" + strings.Repeat("x", 50) + "</p>", 20, "<p>" + strings.Repeat("x", 13) + "</p>"},
		{"not inside an entity", "<p>ab&amp;cd</p>", 12, "<p>ab</p>"},
		{"not inside a UTF-8 sequence", "<p>ab日本</p>", 11, "<p>ab</p>"},
		{"void and self-closing elements", "<p>a<br>b<img src=\"x\"/>c</p><p>more text here</p>", 34, "<p>a<br>b<img src=\"x\"/>c</p>"},
		{"a stray end tag is dropped", "<p>a</b>b</p><p>more text here</p>", 15, "<p>ab</p>"},
		{"an end tag closes what it left open", "<div><p>a</div><p>more text here</p>", 20, "<div><p>a</p></div>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := capContent(tt.in, tt.max, link)
			if len(tt.in) <= tt.max {
				if got != tt.in {
					t.Errorf("capContent = %q, want it unchanged", got)
				}
				return
			}
			kept, ok := strings.CutSuffix(got, more)
			if !ok {
				t.Fatalf("capContent = %q, want it to end with the link %q", got, more)
			}
			if kept != tt.want {
				t.Errorf("kept %q, want %q", kept, tt.want)
			}
			if len(kept) > tt.max {
				t.Errorf("kept %d bytes, cap %d", len(kept), tt.max)
			}
			if err := balanced(got); err != nil {
				t.Errorf("%q: %v", got, err)
			}
		})
	}
	if got := capContent("<p>"+strings.Repeat("y ", 20)+"</p>", 10, ""); got != "<p>y y</p><p>…</p>" {
		t.Errorf("without a link: %q", got)
	}
	// Over the cap only by end tags closing nothing: all is kept, no link.
	if got := capContent("<p>a</b></i></b></i></p>", 12, link); got != "<p>a</p>" {
		t.Errorf("stray end tags: %q, want all the content and no link", got)
	}
}

// TestEntriesContentCap is the 9 MiB item: its content is kept up to the
// cap (the default, and a configured one), closed, and linked.
func TestEntriesContentCap(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 9<<20; i++ {
		fmt.Fprintf(&b, "<h2>Part %d</h2><p>XDP &amp; <b>eBPF</b> — paragraph %d of a very long post.</p>\n", i, i)
	}
	huge := "<div>" + b.String() + "<p>the last words</p></div>"
	doc := &Document{Items: []Item{{GUID: "urn:x:1", Title: "Big", Link: "https://site.example/big", ContentHTML: huge}}}
	more := `<p><a href="https://site.example/big" rel="nofollow">Continued at the source…</a></p>`
	for _, max := range []int{0, 64 << 10} {
		t.Run(fmt.Sprintf("MaxContentBytes %d", max), func(t *testing.T) {
			cap := max
			if cap == 0 {
				cap = DefaultMaxContentBytes
			}
			es := New().Entries(Source{Name: "s", MaxContentBytes: max}, doc, testNow)
			c := es[0].Content
			if len(c) > cap+len(more) || len(c) < cap*9/10 {
				t.Errorf("content is %d bytes, want about the cap %d (at most %d with the link)", len(c), cap, cap+len(more))
			}
			if !strings.HasSuffix(c, "</div>"+more) || !strings.HasPrefix(c, "<div><h2>Part 0</h2>") {
				t.Errorf("content %q … %q: want the start kept, the div closed, then the link", c[:40], c[len(c)-200:])
			}
			if err := balanced(c); err != nil {
				t.Error(err)
			}
		})
	}
	small := &Document{Items: []Item{{GUID: "urn:x:2", ContentHTML: "<p>small</p>"}}}
	if c := New().Entries(Source{Name: "s", MaxContentBytes: 100}, small, testNow)[0].Content; c != "<p>small</p>" {
		t.Errorf("content under the cap = %q, want it whole", c)
	}
	other := RawHash(Source{Name: "s", MaxContentBytes: 100}, small, &small.Items[0])
	if RawHash(Source{Name: "s"}, small, &small.Items[0]) == other {
		t.Error("RawHash ignores the content cap: a changed cap would not rewrite stored entries")
	}
}

func TestEntriesMaxItems(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 12, 0, 0, 0, time.UTC) }
	dated := func(days ...int) *Document {
		doc := &Document{}
		for _, d := range days {
			doc.Items = append(doc.Items, Item{GUID: fmt.Sprintf("urn:d:%d", d), Title: fmt.Sprintf("day %d", d), Published: day(d)})
		}
		return doc
	}
	undated := &Document{}
	for i := range 6 {
		undated.Items = append(undated.Items, Item{GUID: fmt.Sprintf("urn:u:%d", i), Title: fmt.Sprintf("talk %d", i)})
	}
	tests := []struct {
		name    string
		doc     *Document
		max     int
		want    []string // titles, in document order
		warning string
	}{
		{"under the cap", dated(3, 1, 2), 3, []string{"day 3", "day 1", "day 2"}, ""},
		{"newest kept in document order", dated(2, 9, 4, 7, 1, 8), 3, []string{"day 9", "day 7", "day 8"},
			"6 items, more than max_items 3: took the 3 newest, dropped 3 dated 2026-01-01 to 2026-01-04"},
		{"undated: the first ones", undated, 4, []string{"talk 0", "talk 1", "talk 2", "talk 3"},
			`6 items, more than max_items 4: took the 4 newest, dropped 2 from "talk 4" to "talk 5"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := *tt.doc
			doc.Warnings = nil
			es := New().Entries(Source{Name: "s", MaxItems: tt.max}, &doc, testNow)
			var titles []string
			for _, e := range es {
				titles = append(titles, e.Title)
			}
			if !reflect.DeepEqual(titles, tt.want) {
				t.Errorf("titles = %q, want %q", titles, tt.want)
			}
			var want []string
			if tt.warning != "" {
				want = []string{tt.warning}
			}
			if !reflect.DeepEqual(doc.Warnings, want) {
				t.Errorf("warnings = %q, want %q", doc.Warnings, want)
			}
		})
	}
	t.Run("default", func(t *testing.T) {
		doc := &Document{}
		for i := range DefaultMaxItems + 5 {
			doc.Items = append(doc.Items, Item{GUID: fmt.Sprintf("urn:n:%d", i), Title: "n"})
		}
		if n := len(New().Entries(Source{Name: "s"}, doc, testNow)); n != DefaultMaxItems {
			t.Errorf("%d entries, want DefaultMaxItems %d", n, DefaultMaxItems)
		}
	})
}
