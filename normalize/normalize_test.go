package normalize

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// testNow is the clock of these tests: a fixed instant, so the future-date
// clamp is deterministic.
var testNow = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func TestEntriesTitles(t *testing.T) {
	tests := []struct {
		name string
		item Item
		want string
	}{
		{name: "tags and entities stripped", item: Item{Title: " <b>Linux</b>  6.9 &amp; <i>nftables</i>\n"}, want: "Linux 6.9 & nftables"},
		{name: "missing title from content", item: Item{ContentHTML: "<p>The quick brown fox jumps over the lazy dog near the river bank today.</p>"},
			want: "The quick brown fox jumps over the lazy dog near…"},
		{name: "missing title from short summary", item: Item{SummaryHTML: "Tiny note."}, want: "Tiny note."},
		{name: "no title and no text", item: Item{}, want: ""},
	}
	n := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.item.GUID = "urn:x:1"
			es := n.Entries(Source{Name: "s"}, &Document{Items: []Item{tt.item}}, testNow)
			if got := es[0].Title; got != tt.want {
				t.Errorf("title = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEntriesDuplicatesCollapse(t *testing.T) {
	doc := &Document{Link: "https://site.example/", Items: []Item{
		{GUID: "urn:a", Title: "first", Link: "/p/1"},
		{GUID: "urn:a", Title: "same guid", Link: "/p/2"},
		{GUID: "urn:b", Title: "other guid, same link modulo fragment: a distinct post", Link: "https://SITE.example/p/1?utm_source=x#c"},
		{Title: "no guid, new link", Link: "/p/3"},
		{Title: "no guid, link seen", Link: "https://site.example/p/3"},
		{Title: "neither, A"},
		{Title: "neither, B"},
		{Title: "neither, A"},
	}}
	es := New().Entries(Source{Name: "s"}, doc, testNow)
	var titles []string
	for _, e := range es {
		titles = append(titles, e.Title)
	}
	want := []string{"first", "other guid, same link modulo fragment: a distinct post", "no guid, new link", "neither, A", "neither, B"}
	if !reflect.DeepEqual(titles, want) {
		t.Errorf("titles = %q, want %q", titles, want)
	}
}

func TestEntriesLinks(t *testing.T) {
	tests := []struct {
		name string
		item Item
		doc  string
		src  string
		want string
	}{
		{name: "xml:base first", item: Item{Link: "a", BaseURL: "https://base.example/x/"}, doc: "https://doc.example/", src: "https://src.example/f", want: "https://base.example/x/a"},
		{name: "document link second", item: Item{Link: "a"}, doc: "https://doc.example/d/", src: "https://src.example/f", want: "https://doc.example/d/a"},
		{name: "fetch URL last", item: Item{Link: "a"}, src: "https://src.example/f/feed", want: "https://src.example/f/a"},
		{name: "javascript link dropped", item: Item{Link: "javascript:alert(1)"}, src: "https://src.example/", want: ""},
		{name: "no link", item: Item{}, src: "https://src.example/", want: ""},
	}
	n := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.item.GUID = "urn:x"
			es := n.Entries(Source{Name: "s", URL: tt.src}, &Document{Link: tt.doc, Items: []Item{tt.item}}, testNow)
			if es[0].Link != tt.want {
				t.Errorf("link = %q, want %q", es[0].Link, tt.want)
			}
		})
	}
}

func TestEntriesTagsAndSource(t *testing.T) {
	doc := &Document{Items: []Item{{GUID: "urn:x", Title: "t", Categories: []string{" Netfilter ", "netfilter", "", "XDP", "tc  offload"}}}}
	src := Source{Name: "lpc", Conference: "LPC 2026", Tags: []string{"xdp", "conference"}}
	e := New().Entries(src, doc, testNow)[0]
	if want := []string{"Netfilter", "XDP", "tc offload", "conference"}; !reflect.DeepEqual(e.Tags, want) {
		t.Errorf("tags = %q, want %q", e.Tags, want)
	}
	if e.Source != "lpc" || e.Conference != "LPC 2026" {
		t.Errorf("source, conference = %q, %q", e.Source, e.Conference)
	}
}

func TestEntriesContentHash(t *testing.T) {
	base := Item{GUID: "urn:x", Title: "t", Link: "https://example.org/a", ContentHTML: "<p>body</p>",
		SummaryHTML: "sum", Authors: []string{"A"}, Published: testNow.Add(-time.Hour), Categories: []string{"c"}}
	n := New()
	hash := func(it Item) string {
		return n.Entries(Source{Name: "s"}, &Document{Items: []Item{it}}, testNow)[0].ContentHash
	}
	h0 := hash(base)
	if h0 != hash(base) {
		t.Fatal("hash not stable across calls")
	}
	changes := map[string]func(*Item){
		"title":     func(it *Item) { it.Title = "t2" },
		"link":      func(it *Item) { it.Link = "https://example.org/b" },
		"content":   func(it *Item) { it.ContentHTML = "<p>body 2</p>" },
		"summary":   func(it *Item) { it.SummaryHTML = "sum 2" },
		"authors":   func(it *Item) { it.Authors = []string{"B"} },
		"published": func(it *Item) { it.Published = testNow.Add(-2 * time.Hour) },
		"updated":   func(it *Item) { it.Updated = testNow },
	}
	for name, change := range changes {
		it := base
		change(&it)
		if hash(it) == h0 {
			t.Errorf("changing %s left the hash unchanged", name)
		}
	}
	it := base
	it.Categories = []string{"other"}
	if hash(it) != h0 {
		t.Errorf("changing categories changed the hash; tags are not what a reader sees change")
	}
	it = base
	it.ContentHTML = "<p>body</p><script>x()</script>"
	if hash(it) != h0 {
		t.Errorf("a change the sanitizer removes changed the hash")
	}
}

func TestEntriesNilDocument(t *testing.T) {
	if es := New().Entries(Source{Name: "s"}, nil, testNow); len(es) != 0 {
		t.Errorf("got %d entries from nil document", len(es))
	}
}

func TestEntriesContentFallsBackOnSummary(t *testing.T) {
	doc := &Document{Items: []Item{{GUID: "urn:x", Title: "t", SummaryHTML: "<p>only a <em>summary</em></p>"}}}
	e := New().Entries(Source{Name: "s"}, doc, testNow)[0]
	if e.Content != "<p>only a <em>summary</em></p>" {
		t.Errorf("content = %q", e.Content)
	}
	if e.Summary != "only a summary" {
		t.Errorf("summary = %q", e.Summary)
	}
	if strings.Contains(e.Summary, "<") {
		t.Errorf("summary has markup")
	}
}

// TestEntriesRecordRulesVersion: every entry says which output rules made
// it, so the store can tell a change of rules from a change of the item.
func TestEntriesRecordRulesVersion(t *testing.T) {
	items := []Item{
		{GUID: "urn:a", Title: "absolute", ContentHTML: `<p>x<br>y <a href="https://example.org/">z</a>`},
		{GUID: "urn:b", Title: "relative", ContentHTML: `<p>x<br>y <a href="/z">z</a>`},
		{GUID: "urn:c", Title: "text only", SummaryHTML: "plain"},
	}
	es := New().Entries(Source{Name: "s", URL: "https://example.org/feed"}, &Document{Items: items}, testNow)
	if len(es) != len(items) {
		t.Fatalf("%d entries, want %d", len(es), len(items))
	}
	for _, e := range es {
		if e.NormVersion != Version {
			t.Errorf("%s: NormVersion %d, want %d", e.Title, e.NormVersion, Version)
		}
	}
	// The absolute one is sanitized as published (no parser round trip:
	// <br> stays as written); the relative one went through the parser.
	if want := `<br>`; !strings.Contains(es[0].Content, want) {
		t.Errorf("absolute-only content %q lacks %q", es[0].Content, want)
	}
	if want := `href="https://example.org/z"`; !strings.Contains(es[1].Content, want) {
		t.Errorf("relative content %q lacks %q", es[1].Content, want)
	}
}

func TestRawHash(t *testing.T) {
	src := Source{Name: "s", URL: "https://example.org/feed", Conference: "c", Tags: []string{"t"}}
	doc := &Document{Link: "https://example.org/"}
	base := Item{GUID: "g", Title: "t", Link: "https://example.org/a", Authors: []string{"A"},
		Published: testNow.Add(-time.Hour), Updated: testNow.Add(-time.Hour), ContentHTML: "<p>c</p>",
		SummaryHTML: "s", Categories: []string{"x"}}
	h0 := RawHash(src, doc, &base)
	if len(h0) != 32 || h0 != RawHash(src, &Document{Link: doc.Link}, &base) {
		t.Fatalf("RawHash = %q: want 32 hex digits, stable", h0)
	}
	tests := []struct {
		name   string
		change func(*Source, *Document, *Item)
	}{
		{"source name", func(s *Source, _ *Document, _ *Item) { s.Name = "s2" }},
		{"source url", func(s *Source, _ *Document, _ *Item) { s.URL = "https://example.org/other" }},
		{"conference", func(s *Source, _ *Document, _ *Item) { s.Conference = "c2" }},
		{"source tags", func(s *Source, _ *Document, _ *Item) { s.Tags = []string{"t", "u"} }},
		{"document link", func(_ *Source, d *Document, _ *Item) { d.Link = "https://example.org/blog/" }},
		{"guid", func(_ *Source, _ *Document, it *Item) { it.GUID = "g2" }},
		{"title", func(_ *Source, _ *Document, it *Item) { it.Title = "t2" }},
		{"link", func(_ *Source, _ *Document, it *Item) { it.Link = "https://example.org/b" }},
		{"xml:base", func(_ *Source, _ *Document, it *Item) { it.BaseURL = "https://example.org/x/" }},
		{"authors", func(_ *Source, _ *Document, it *Item) { it.Authors = []string{"B"} }},
		{"published", func(_ *Source, _ *Document, it *Item) { it.Published = testNow }},
		{"updated", func(_ *Source, _ *Document, it *Item) { it.Updated = testNow }},
		{"content", func(_ *Source, _ *Document, it *Item) { it.ContentHTML = "<p>c2</p>" }},
		{"summary", func(_ *Source, _ *Document, it *Item) { it.SummaryHTML = "s2" }},
		{"categories", func(_ *Source, _ *Document, it *Item) { it.Categories = []string{"y"} }},
		{"anchor", func(_ *Source, _ *Document, it *Item) { it.Anchor = "talk-2" }},
		{"text moved between fields", func(_ *Source, _ *Document, it *Item) { it.Title, it.SummaryHTML = "ts", "" }},
		{"source role", func(s *Source, _ *Document, _ *Item) { s.Role = entry.RoleReport }},
		{"event start", func(_ *Source, _ *Document, it *Item) { it.EventStart = testNow.Add(48 * time.Hour) }},
		{"event end", func(_ *Source, _ *Document, it *Item) { it.EventEnd = testNow.Add(48 * time.Hour) }},
		{"speakers", func(_ *Source, _ *Document, it *Item) { it.Speakers = []entry.Speaker{{Name: "A"}} }},
		{"session", func(_ *Source, _ *Document, it *Item) { it.Session = "BPF" }},
		{"track", func(_ *Source, _ *Document, it *Item) { it.Track = "BPF" }},
		{"role", func(_ *Source, _ *Document, it *Item) { it.Role = entry.RoleNotes }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, d, it := src, &Document{Link: doc.Link}, base
			tt.change(&s, d, &it)
			if RawHash(s, d, &it) == h0 {
				t.Errorf("changing the %s left the raw hash", tt.name)
			}
		})
	}
}

// TestEntriesSkipping: items stored before under their raw hash are not
// normalized again; their ids still dedupe; future-dated ones are redone.
func TestEntriesSkipping(t *testing.T) {
	src := Source{Name: "s", URL: "https://example.org/feed"}
	doc := &Document{Items: []Item{
		{GUID: "a", Title: "A", ContentHTML: "<p>a</p>", Published: testNow.Add(-time.Hour)},
		{GUID: "b", Title: "B", ContentHTML: "<p>b</p>", Published: testNow.Add(-time.Hour)},
		{GUID: "c", Title: "C", ContentHTML: "<p>c</p>", Published: testNow.Add(72 * time.Hour)},
		{GUID: "b", Title: "B again", ContentHTML: "<p>b2</p>", Published: testNow.Add(-time.Hour)},
	}}
	n := New()
	all := n.Entries(src, doc, testNow) // A, B, C: the second "b" is a duplicate
	if len(all) != 3 {
		t.Fatalf("Entries gave %d entries, want 3", len(all))
	}
	stored := map[string]string{} // raw hash → id, as the store would have them
	for i, e := range all {
		if want := RawHash(src, doc, &doc.Items[i]); e.RawHash != want {
			t.Errorf("%s: RawHash %q, want %q", e.Title, e.RawHash, want)
		}
		stored[e.RawHash] = e.ID
	}
	known := func(titles ...string) map[string]string {
		m := map[string]string{}
		for i, e := range all {
			if slices.Contains(titles, e.Title) {
				m[e.RawHash] = all[i].ID
			}
		}
		return m
	}
	other := Source{Name: "other", URL: src.URL}
	tests := []struct {
		name        string
		src         Source
		known       map[string]string
		wantTitles  []string
		wantSkipped int
	}{
		{"nothing stored", src, nil, []string{"A", "B", "C"}, 0},
		{"A stored", src, known("A"), []string{"B", "C"}, 1},
		{"all stored: the future-dated one is redone, B's duplicate still dropped", src, stored, []string{"C"}, 2},
		{"stored for another source", other, stored, []string{"A", "B", "C"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, skipped := n.EntriesSkipping(tt.src, doc, testNow, tt.known)
			var titles []string
			for _, e := range es {
				titles = append(titles, e.Title)
			}
			if !slices.Equal(titles, tt.wantTitles) || skipped != tt.wantSkipped {
				t.Errorf("entries %q, skipped %d; want %q, %d", titles, skipped, tt.wantTitles, tt.wantSkipped)
			}
		})
	}
}
