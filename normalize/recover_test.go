package normalize

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// brokenFixture reads one file of testdata/broken (see its README).
func brokenFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "broken", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var omniTitles = []string{
	"Andrea McVittie, User Experience Designer", "Brian Covey, Support Manager",
	"Curt Clifton, OmniFocus Engineer", "Kristina Sontag, Software Test Manager",
}

// TestParseFeedRecoversBrokenFeeds: a feed cut off before its end, or with an
// element left open around its items, yields exactly its complete items
// (never a half one) and a warning that says where it broke.
func TestParseFeedRecoversBrokenFeeds(t *testing.T) {
	// The intact feed the RSS fixtures were cut from: its items are what a
	// recovered item must equal, field for field.
	intactRSS := string(brokenFixture(t, "rss-no-end-tags.xml")) + "</channel></rss>"
	intact, err := ParseFeed([]byte(intactRSS), "", "https://example.org/feed")
	if err != nil || len(intact.Warnings) != 0 || len(intact.Items) != 4 {
		t.Fatalf("intact feed: %v, warnings %q, %d items; want 4 items, no warning", err, intact.Warnings, len(intact.Items))
	}
	tests := []struct {
		file        string
		wantTitles  []string
		wantWarning []string // substrings of the one warning; none when nil
		compare     bool     // items equal the intact feed's
	}{
		{"rss-cut-mid-item.xml", omniTitles[:3], []string{"line 112", "byte 17441", "<rss><channel><item><content:encoded>",
			"cut off before its end", "recovered 3 complete items", "dropped the incomplete item"}, true},
		{"rss-no-end-tags.xml", omniTitles, []string{"inside <rss><channel>:", "cut off", "recovered 4 complete items"}, true},
		{"rss-cut-mid-tag.xml", omniTitles[:2], []string{"line 69", "inside <rss><channel><item>:", "recovered 2 complete items",
			"dropped the incomplete item"}, true},
		{"rss-unclosed-category.xml", omniTitles, []string{"inside <itunes:category> (line 3), left unclosed",
			"recovered 4 complete items"}, true},
		{"rss-unclosed-two-deep.xml", omniTitles, []string{"inside <itunes:category> (line 3), <itunes:category> (line 3), left unclosed",
			"recovered 4 complete items"}, true},
		{"rss-unclosed-and-cut.xml", omniTitles[:3], []string{"<itunes:category> (line 3), left unclosed",
			"<rss><channel><itunes:category><item><content:encoded>: cut off", "recovered 3 complete items", "dropped"}, true},
		// An element left open inside an item is closed by the item's end
		// tag: gofeed reads it, nothing to recover or warn about.
		{"rss-unclosed-in-item.xml", omniTitles, nil, false},
		{"atom-cut-mid-entry.xml", []string{"QEMU version 10.1.0 released", "QEMU version 10.0.0 released",
			"Announcing QEMU Google Summer of Code 2025 internships"},
			[]string{"line 85", "inside <feed><entry>:", "cut off", "recovered 3 complete entries", "dropped the incomplete entry"}, false},
		{"rdf-cut-mid-item.xml", []string{"OLED-TVs: Vorsichtsmaßnahmen gegen Einbrennen", "Mega-Deal: IBM übernimmt Red Hat",
			"Fortnite-Macher: Epic Games soll 15 Milliarden Dollar wert sein"},
			[]string{"line 32", "inside <rdf:RDF><item><description>:", "recovered 3 complete items", "dropped the incomplete item"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			doc, err := ParseFeed(brokenFixture(t, tt.file), "", "https://example.org/feed")
			if err != nil {
				t.Fatalf("ParseFeed: %v", err)
			}
			var titles []string
			for _, it := range doc.Items {
				titles = append(titles, it.Title)
			}
			if !reflect.DeepEqual(titles, tt.wantTitles) {
				t.Errorf("titles = %q, want %q", titles, tt.wantTitles)
			}
			if tt.compare {
				for i := range min(len(doc.Items), len(intact.Items)) {
					if !reflect.DeepEqual(doc.Items[i], intact.Items[i]) {
						t.Errorf("item %d differs from the intact feed's:\n got %#v\nwant %#v", i, doc.Items[i], intact.Items[i])
					}
				}
				if doc.Title != intact.Title || doc.Link != intact.Link {
					t.Errorf("feed title, link = %q, %q; want %q, %q", doc.Title, doc.Link, intact.Title, intact.Link)
				}
			}
			if tt.wantWarning == nil {
				if len(doc.Warnings) != 0 {
					t.Errorf("warnings = %q, want none", doc.Warnings)
				}
				return
			}
			if len(doc.Warnings) != 1 {
				t.Fatalf("warnings = %q, want one", doc.Warnings)
			}
			for _, w := range tt.wantWarning {
				if !strings.Contains(doc.Warnings[0], w) {
					t.Errorf("warning %q does not say %q", doc.Warnings[0], w)
				}
			}
		})
	}
}

// TestParseFeedUnrecoverable: a document broken before its first complete
// item stays an error (there is nothing whole to keep).
func TestParseFeedUnrecoverable(t *testing.T) {
	for _, body := range []string{
		`<rss version="2.0"><channel><title>x</title><item><title>a</title>`,
		`<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><title>a</ti`,
	} {
		if doc, err := ParseFeed([]byte(body), "", "https://example.org/feed"); err == nil && len(doc.Items) > 0 {
			t.Errorf("ParseFeed(%q) = %d items (%q), want an error or no item", body, len(doc.Items), doc.Items[0].Title)
		}
	}
}

// TestParseFeedEmptyWarning: a document that parses and holds no items is
// a warning, never a silent success.
func TestParseFeedEmptyWarning(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"RSS channel without items", `<rss version="2.0"><channel><title>t</title></channel></rss>`,
			"0 entries parsed from 60 bytes of RSS"},
		{"Atom feed without entries", `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>` + strings.Repeat(" ", 48*1024) + `</feed>`,
			"0 entries parsed from 48 KB of Atom"},
		{"JSON Feed with an empty items array", `{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": []}`,
			"0 entries parsed from 74 bytes of JSON Feed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParseFeed([]byte(tt.body), "", "https://example.org/feed")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(doc.Warnings, []string{tt.want}) {
				t.Errorf("warnings = %q, want [%q]", doc.Warnings, tt.want)
			}
		})
	}
	doc, err := ParseFeed([]byte(rss2Sample), "", "https://example.org/feed")
	if err != nil || len(doc.Warnings) != 0 {
		t.Errorf("a feed with items: err %v, warnings %q; want none", err, doc.Warnings)
	}
}

// TestParseFeedNotJSONFeed: JSON that is no JSON Feed is an error, so an
// API's error body does not pass for an empty feed.
func TestParseFeedNotJSONFeed(t *testing.T) {
	for name, body := range map[string]string{
		"empty object": `{}`,
		"API error":    `{"error": "rate limited"}`,
		// Cut from the GeoJSON specification's example (RFC 7946 §1.5).
		"GeoJSON": `{"type": "FeatureCollection", "features": [{"type": "Feature",
			"geometry": {"type": "Point", "coordinates": [102.0, 0.5]}, "properties": {"prop0": "value0"}}]}`,
		"another version": `{"version": "2.0", "title": "not JSON Feed's version URL"}`,
	} {
		t.Run(name, func(t *testing.T) {
			doc, err := ParseFeed([]byte(body), "application/json", "https://example.org/feed")
			if err == nil {
				t.Fatalf("ParseFeed = %d items, warnings %q; want an error", len(doc.Items), doc.Warnings)
			}
			if !errors.Is(err, ErrNotJSONFeed) || !errors.Is(err, ErrNotFeed) {
				t.Errorf("error %v is not ErrNotJSONFeed and ErrNotFeed", err)
			}
			if want := "parse: not a JSON Feed (no version/items)"; !strings.HasPrefix(err.Error(), want) {
				t.Errorf("error %q does not start with %q", err, want)
			}
		})
	}
	// A JSON Feed with a version and no items, or items and no version, is
	// one (empty, or sloppy).
	for _, body := range []string{`{"version": "https://jsonfeed.org/version/1"}`, `{"items": [{"id": "1", "title": "t"}]}`} {
		if _, err := ParseFeed([]byte(body), "", "https://example.org/feed"); err != nil {
			t.Errorf("ParseFeed(%s): %v", body, err)
		}
	}
}

// TestParseFeedAtomEntryDocument: an Atom Entry Document (RFC 4287 §4.1.2)
// is a feed of one entry.
func TestParseFeedAtomEntryDocument(t *testing.T) {
	doc, err := ParseFeed(brokenFixture(t, "atom-entry-document.xml"), "application/atom+xml", "https://fvsch.com/raw-power-mac.atom")
	if err != nil {
		t.Fatalf("ParseFeed: %v", err)
	}
	if len(doc.Items) != 1 || len(doc.Warnings) != 0 {
		t.Fatalf("%d items, warnings %q; want 1 item, no warning", len(doc.Items), doc.Warnings)
	}
	it := doc.Items[0]
	if it.Title != "RAW Power 3: an affordable digital photo development app for macOS" ||
		it.Link != "https://fvsch.com/raw-power-mac" || it.GUID != "urn:uuid:4baef108-e14e-59e6-935a-52224a141d9e" ||
		!strings.Contains(it.ContentHTML, "digital photography") {
		t.Errorf("item = %#v", it)
	}
	// Not every root called entry is one.
	for _, body := range []string{`<entry><title>t</title></entry>`, `<entry xmlns="urn:other"><title>t</title></entry>`} {
		if _, err := ParseFeed([]byte(body), "", "https://example.org/feed"); !errors.Is(err, ErrNotFeed) {
			t.Errorf("ParseFeed(%s): %v, want ErrNotFeed", body, err)
		}
	}
}

// TestParseFeedInheritsAuthors: JSON Feed, Atom and RSS items without
// authors take the feed's (an Atom entry its atom:source's first; an RSS
// item the channel's managingEditor, dc:creator or itunes:author, never
// its webMaster).
func TestParseFeedInheritsAuthors(t *testing.T) {
	tests := []struct {
		name string
		body []byte
		want [][]string
	}{
		{"JSON Feed 1.1", brokenFixture(t, "jsonfeed-authors.json"), [][]string{
			{"Root Author 1", "Root Author 2"}, {"Legacy Item Author"}, {"Item Author 1", "Item Author 2"}, {"Item Author 1", "Item Author 2"},
		}},
		{"JSON Feed 1.0 author", []byte(`{"version": "https://jsonfeed.org/version/1", "author": {"name": "Old Style"},
			"items": [{"id": "1", "content_text": "x"}, {"id": "2", "content_text": "y", "author": {"name": "Own"}}]}`),
			[][]string{{"Old Style"}, {"Own"}}},
		{"Atom", brokenFixture(t, "atom-feed-author.xml"), [][]string{{"Florens Verschelde"}, {"Guest Writer"}}},
		{"Atom entry copied with its atom:source", []byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>planet</title>
			<author><name>Planet Editor</name></author>
			<entry><id>urn:a:1</id><title>a</title><source><id>urn:s</id><author><name>Original Writer</name></author></source></entry>
			<entry><id>urn:a:2</id><title>b</title></entry></feed>`), [][]string{{"Original Writer"}, {"Planet Editor"}}},
		{"RSS managingEditor", []byte(`<rss version="2.0"><channel><title>t</title><managingEditor>ed@example.org (Ed)</managingEditor>
			<item><title>a</title></item></channel></rss>`), [][]string{{"Ed"}}},
		{"RSS managingEditor over webMaster", brokenFixture(t, "rss-channel-author.xml"),
			[][]string{{"FamilyEditor@medscape.net"}, {"Guest Writer"}}},
		{"RSS dc:creator after a webMaster", []byte(`<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
			<title>t</title><webMaster>ops@example.org (Ops)</webMaster><dc:creator>Channel Writer</dc:creator>
			<item><title>a</title></item></channel></rss>`), [][]string{{"Channel Writer"}}},
		{"RSS itunes:author", []byte(`<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
			<title>t</title><itunes:author>The Omni Group</itunes:author>
			<item><title>a</title></item><item><title>b</title><itunes:author>Ken Case</itunes:author></item></channel></rss>`),
			[][]string{{"The Omni Group"}, {"Ken Case"}}},
		{"RSS webMaster only", []byte(`<rss version="2.0"><channel><title>t</title><webMaster>ops@example.org (Ops)</webMaster>
			<item><title>a</title></item></channel></rss>`), [][]string{nil}},
		{"RDF dc:creator", []byte(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
			xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="https://rdf.example/"><title>t</title>
			<dc:creator>RDF Editor</dc:creator></channel><item rdf:about="https://rdf.example/1"><title>a</title>
			<link>https://rdf.example/1</link></item></rdf:RDF>`), [][]string{{"RDF Editor"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParseFeed(tt.body, "", "https://example.org/feed")
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, it := range doc.Items {
				got = append(got, it.Authors)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("authors = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestFragmentsKeptWhereTheyTellItemsApart: items of one feed pointing to
// anchors of one page keep their anchors in their links (and, without a
// GUID, in their ids); a fragment all of a page's items share is dropped.
func TestFragmentsKeptWhereTheyTellItemsApart(t *testing.T) {
	doc, err := ParseFeed(brokenFixture(t, "rss-anchored-links.xml"), "", "http://scripting.com/rss.xml")
	if err != nil {
		t.Fatal(err)
	}
	es := New().Entries(Source{Name: "scripting", URL: "http://scripting.com/rss.xml"}, doc, testNow)
	want := []struct{ link, id string }{
		{"http://scripting.com/2017/06/26.html#a080605", "tag:netdigest,2026:scripting:scripting.com%2F2017%2F06%2F26.html%2Fa080605"},
		{"http://scripting.com/2017/06/26.html#a030658", "tag:netdigest,2026:scripting:scripting.com%2F2017%2F06%2F26.html%2Fa030658"},
		{"http://scripting.com/2017/06/26.html#a020604", "http://scripting.com/2017/06/26.html#a020604"},
		{"http://scripting.com/2017/06/25.html", "http://scripting.com/2017/06/26.html#a020602"},
		{"http://scripting.com/2017/06/25.html", "http://scripting.com/2017/06/26.html#a010633"},
	}
	if len(es) != len(want) {
		t.Fatalf("%d entries, want %d", len(es), len(want))
	}
	for i, w := range want {
		if es[i].Link != w.link || es[i].ID != w.id {
			t.Errorf("entry %d: link, id = %q, %q; want %q, %q", i, es[i].Link, es[i].ID, w.link, w.id)
		}
	}
	// One item alone on its page keeps the canonical, fragment-free link.
	one, err := ParseFeed([]byte(`<rss version="2.0"><channel><title>t</title>
		<item><title>a</title><link>https://example.org/p.html#a</link></item>
		<item><title>b</title><link>https://example.org/q.html#b</link></item></channel></rss>`), "", "https://example.org/feed")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range New().Entries(Source{Name: "s", URL: "https://example.org/feed"}, one, testNow) {
		if strings.Contains(e.Link, "#") {
			t.Errorf("entry %q: link %q keeps a fragment that tells nothing apart", e.Title, e.Link)
		}
	}
}
