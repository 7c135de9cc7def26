package render

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/feeds"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/internal/shareddata"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// Non-UTC zones on purpose: the output must be in UTC.
var (
	cet = time.FixedZone("CET", 3600)
	pdt = time.FixedZone("PDT", -7*3600)
)

func testInfo() FeedInfo {
	return FeedInfo{
		ID:        "tag:netdigest.example,2026:merged",
		Title:     "Linux networking digest",
		Subtitle:  "Talks, patches and write-ups",
		Link:      "https://netdigest.example/",
		SelfLink:  "https://netdigest.example/atom.xml",
		Generator: "netdigest",
		Version:   "0.1.0",
		Updated:   time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Sources: map[string]SourceInfo{
			"netdevconf": {Title: "Netdev Conference", URL: "https://netdevconf.info/feed.xml"},
			"lwn":        {Title: "LWN.net", URL: "https://lwn.net/headlines/rss"},
			"bootlin":    {Title: "Bootlin blog", URL: "https://bootlin.com/blog/"},
		},
	}
}

// testEntries covers the shapes the renderer must handle; the newest
// updated time is deliberately not the first entry's.
func testEntries() []entry.Entry {
	return []entry.Entry{
		{
			// Several authors, conference plus tags (one repeating the
			// conference, one repeated, one blank), HTML with entities and a
			// CDATA terminator, Updated later than Published.
			ID:         "https://netdevconf.info/0x18/sessions/talk/xdp-offload.html",
			Source:     "netdevconf",
			Title:      "XDP offload: <where> we are & what's next",
			Link:       "https://netdevconf.info/0x18/sessions/talk/xdp-offload.html",
			Authors:    []string{"Jakub Kicinski", " ", "Jesper Dangaard Brouer"},
			Published:  time.Date(2024, 7, 15, 10, 0, 0, 0, cet),
			Updated:    time.Date(2024, 7, 16, 8, 30, 0, 0, cet),
			FirstSeen:  time.Date(2024, 7, 15, 12, 0, 0, 0, time.UTC),
			Content:    `<p>Fast &amp; programmable: <code>if (a < b &amp;&amp; c]]>d)</code> &#169; &nbsp;</p>`,
			Summary:    `Fast & programmable: if (a < b && c]]>d)`,
			Tags:       []string{"xdp", "netdev 0x18", "offload", "xdp", ""},
			Conference: "netdev 0x18",
		},
		{
			// No author (falls back to the source's title), non-ASCII
			// title, a summary holding a character XML cannot carry.
			ID:        "https://lwn.net/Articles/1000001/",
			Source:    "lwn",
			Title:     "Høiland-Jørgensen: bufferbloat, fq_codel og CAKE — ten years on",
			Link:      "https://lwn.net/Articles/1000001/",
			Published: time.Date(2025, 3, 2, 18, 5, 9, 0, pdt),
			FirstSeen: time.Date(2025, 3, 3, 1, 0, 0, 0, time.UTC),
			Content:   "<p>Toke Høiland-Jørgensen looks back.</p>",
			Summary:   "Toke Høiland-Jørgensen looks back\x0b at CAKE.",
			Tags:      []string{"bufferbloat"},
		},
		{
			// Scraped item: no link, no date of its own (Published falls
			// back to FirstSeen), no content, source unknown to FeedInfo.
			ID:        "tag:netdigest,2026:scraped/5f2b9c",
			Source:    "kernel-recipes",
			Title:     "Kernel Recipes: netfilter flowtables",
			Authors:   []string{"Pablo Neira Ayuso"},
			FirstSeen: time.Date(2025, 9, 24, 9, 0, 0, 0, time.UTC),
			Summary:   "Flowtables explained.",
		},
		{
			// Empty title and no source name: author falls back to the
			// feed's title and there is no <source>.
			ID:        "https://bootlin.com/blog/?p=4242",
			Link:      "https://bootlin.com/blog/?p=4242",
			Published: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC),
			Updated:   time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC),
		},
	}
}

func TestAtomGolden(t *testing.T) {
	got, err := Atom(testInfo(), testEntries())
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "atom.golden.xml")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./render -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run go test ./render -update and review the diff)\ngot:\n%s", golden, got)
	}
}

func TestAtomDeterministic(t *testing.T) {
	a, err := Atom(testInfo(), testEntries())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Atom(testInfo(), testEntries())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("two renders differ:\n%s\n---\n%s", a, b)
	}
	if bytes.Contains(a, []byte("urn:uuid:")) {
		t.Errorf("output contains a generated urn:uuid id:\n%s", a)
	}
}

func TestAtomValidRelaxNG(t *testing.T) {
	info := testInfo()
	unknownOnly := []entry.Entry{{
		ID:        "tag:netdigest,2026:x/1",
		Source:    "not-configured",
		Title:     "Orphan",
		FirstSeen: time.Date(2025, 5, 5, 5, 5, 5, 0, time.UTC),
	}}
	minimal := FeedInfo{ID: "urn:netdigest:minimal", Updated: info.Updated}
	cases := []struct {
		name    string
		info    FeedInfo
		entries []entry.Entry
	}{
		{"representative", info, testEntries()},
		{"empty feed", info, nil},
		{"unknown source", info, unknownOnly},
		{"minimal info", minimal, unknownOnly},
		{"minimal info empty", minimal, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Atom(tc.info, tc.entries)
			if err != nil {
				t.Fatal(err)
			}
			if msg, ok := shareddata.ValidateAtom(t, doc); !ok {
				t.Errorf("not valid Atom: %s\n%s", msg, doc)
			}
		})
	}

	// Guard against a validator that passes everything: gorilla's own
	// string Category serializes as an element with text and no term.
	t.Run("validator rejects invalid Atom", func(t *testing.T) {
		bad := feeds.AtomFeed{
			Xmlns: atomNS, Title: "t", Id: "urn:x", Updated: "2025-01-01T00:00:00Z",
			Entries: []*feeds.AtomEntry{{
				Title: "e", Id: "urn:e", Updated: "2025-01-01T00:00:00Z", Category: "xdp",
				Author: &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: "a"}},
			}},
		}
		doc, err := xml.Marshal(bad)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := shareddata.ValidateAtom(t, doc); ok {
			t.Errorf("xmllint accepted invalid Atom:\n%s", doc)
		}
	})
}

// Parsed-back shapes, namespaced so that a missing xmlns fails the parse.
type (
	pFeed struct {
		XMLName   xml.Name   `xml:"http://www.w3.org/2005/Atom feed"`
		ID        string     `xml:"id"`
		Title     pText      `xml:"title"`
		Subtitle  string     `xml:"subtitle"`
		Updated   string     `xml:"updated"`
		Links     []pLink    `xml:"link"`
		Generator pGenerator `xml:"generator"`
		Authors   []pPerson  `xml:"author"`
		Entries   []pEntry   `xml:"entry"`
	}
	pText struct {
		Type string `xml:"type,attr"`
		Text string `xml:",chardata"`
	}
	pLink struct {
		Href string `xml:"href,attr"`
		Rel  string `xml:"rel,attr"`
		Type string `xml:"type,attr"`
	}
	pGenerator struct {
		Version string `xml:"version,attr"`
		Text    string `xml:",chardata"`
	}
	pPerson struct {
		Name string `xml:"name"`
	}
	pCategory struct {
		Term   string `xml:"term,attr"`
		Scheme string `xml:"scheme,attr"`
	}
	pSource struct {
		ID      string  `xml:"id"`
		Title   string  `xml:"title"`
		Links   []pLink `xml:"link"`
		Updated string  `xml:"updated"`
	}
	pEntry struct {
		ID         string      `xml:"id"`
		Title      pText       `xml:"title"`
		Updated    string      `xml:"updated"`
		Published  string      `xml:"published"`
		Authors    []pPerson   `xml:"author"`
		Links      []pLink     `xml:"link"`
		Summary    *pText      `xml:"summary"`
		Content    *pText      `xml:"content"`
		Categories []pCategory `xml:"category"`
		Source     *pSource    `xml:"source"`
	}
)

func parseFeed(t *testing.T, doc []byte) pFeed {
	t.Helper()
	if !bytes.HasPrefix(doc, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("no XML declaration: %.60q", doc)
	}
	var f pFeed
	if err := xml.Unmarshal(doc, &f); err != nil {
		t.Fatalf("parse output: %v\n%s", err, doc)
	}
	return f
}

func TestAtomParsedBack(t *testing.T) {
	info := testInfo()
	entries := testEntries()
	doc, err := Atom(info, entries)
	if err != nil {
		t.Fatal(err)
	}
	f := parseFeed(t, doc)

	t.Run("feed", func(t *testing.T) {
		if f.ID != info.ID {
			t.Errorf("id = %q, want %q", f.ID, info.ID)
		}
		if f.Title != (pText{"text", info.Title}) || f.Subtitle != info.Subtitle {
			t.Errorf("title, subtitle = %+v, %q", f.Title, f.Subtitle)
		}
		// The third entry's (FirstSeen, its only date) is the newest; not
		// the first entry's and not info.Updated (2026).
		if want := "2025-09-24T09:00:00Z"; f.Updated != want {
			t.Errorf("updated = %q, want %q", f.Updated, want)
		}
		wantLinks := []pLink{
			{Href: info.SelfLink, Rel: "self", Type: "application/atom+xml"},
			{Href: info.Link, Rel: "alternate", Type: "text/html"},
		}
		if !slices.Equal(f.Links, wantLinks) {
			t.Errorf("links = %+v, want %+v", f.Links, wantLinks)
		}
		if f.Generator != (pGenerator{Version: "0.1.0", Text: "netdigest"}) {
			t.Errorf("generator = %+v", f.Generator)
		}
		if len(f.Authors) != 0 {
			t.Errorf("feed authors = %+v, want none (entries carry them)", f.Authors)
		}
		if len(f.Entries) != len(entries) {
			t.Fatalf("%d entries, want %d", len(f.Entries), len(entries))
		}
	})
	if len(f.Entries) != len(entries) {
		return
	}

	tests := []struct {
		name       string
		title      string
		updated    string
		published  string
		authors    []string
		links      []pLink
		summary    string
		content    string
		categories []pCategory
		source     *pSource
	}{
		{
			name:      "authors tags conference html",
			title:     "XDP offload: <where> we are & what's next",
			updated:   "2024-07-16T07:30:00Z",
			published: "2024-07-15T09:00:00Z",
			authors:   []string{"Jakub Kicinski", "Jesper Dangaard Brouer"},
			links:     []pLink{{Href: entries[0].Link, Rel: "alternate"}},
			summary:   entries[0].Summary,
			content:   entries[0].Content,
			categories: []pCategory{
				{Term: "netdev 0x18", Scheme: ConferenceScheme},
				{Term: "xdp"},
				{Term: "offload"},
			},
			source: &pSource{
				ID: "https://netdevconf.info/feed.xml", Title: "Netdev Conference",
				Links: []pLink{{Href: "https://netdevconf.info/feed.xml"}}, Updated: "2024-07-16T07:30:00Z",
			},
		},
		{
			name:       "no author non-ascii",
			title:      entries[1].Title,
			updated:    "2025-03-03T01:05:09Z",
			published:  "2025-03-03T01:05:09Z",
			authors:    []string{"LWN.net"},
			links:      []pLink{{Href: entries[1].Link, Rel: "alternate"}},
			summary:    "Toke Høiland-Jørgensen looks back\uFFFD at CAKE.",
			content:    entries[1].Content,
			categories: []pCategory{{Term: "bufferbloat"}},
			source: &pSource{
				ID: "https://lwn.net/headlines/rss", Title: "LWN.net",
				Links: []pLink{{Href: "https://lwn.net/headlines/rss"}}, Updated: "2025-03-03T01:05:09Z",
			},
		},
		{
			name:      "no link no date unknown source",
			title:     entries[2].Title,
			updated:   "2025-09-24T09:00:00Z",
			published: "2025-09-24T09:00:00Z",
			authors:   []string{"Pablo Neira Ayuso"},
			summary:   "Flowtables explained.",
			source:    &pSource{Title: "kernel-recipes", Updated: "2025-09-24T09:00:00Z"},
		},
		{
			name:      "empty title no source",
			updated:   "2025-01-10T00:00:00Z",
			published: "2025-01-10T00:00:00Z",
			authors:   []string{info.Title},
			links:     []pLink{{Href: entries[3].Link, Rel: "alternate"}},
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := f.Entries[i]
			if got.ID != entries[i].ID {
				t.Errorf("id = %q, want %q", got.ID, entries[i].ID)
			}
			if got.Title != (pText{"text", tc.title}) {
				t.Errorf("title = %+v, want text %q", got.Title, tc.title)
			}
			if got.Updated != tc.updated || got.Published != tc.published {
				t.Errorf("updated, published = %q, %q; want %q, %q", got.Updated, got.Published, tc.updated, tc.published)
			}
			var names []string
			for _, a := range got.Authors {
				names = append(names, a.Name)
			}
			if !slices.Equal(names, tc.authors) {
				t.Errorf("authors = %q, want %q", names, tc.authors)
			}
			if !slices.Equal(got.Links, tc.links) {
				t.Errorf("links = %+v, want %+v", got.Links, tc.links)
			}
			checkText(t, "summary", got.Summary, "text", tc.summary)
			checkText(t, "content", got.Content, "html", tc.content)
			if !slices.Equal(got.Categories, tc.categories) {
				t.Errorf("categories = %+v, want %+v", got.Categories, tc.categories)
			}
			switch {
			case tc.source == nil && got.Source != nil:
				t.Errorf("source = %+v, want none", got.Source)
			case tc.source != nil && got.Source == nil:
				t.Errorf("no source, want %+v", tc.source)
			case tc.source != nil:
				if got.Source.ID != tc.source.ID || got.Source.Title != tc.source.Title ||
					got.Source.Updated != tc.source.Updated || !slices.Equal(got.Source.Links, tc.source.Links) {
					t.Errorf("source = %+v, want %+v", got.Source, tc.source)
				}
			}
		})
	}
}

// checkText asserts an optional text element: absent when want is empty.
func checkText(t *testing.T, name string, got *pText, typ, want string) {
	t.Helper()
	switch {
	case want == "" && got != nil:
		t.Errorf("%s = %+v, want none", name, got)
	case want != "" && got == nil:
		t.Errorf("no %s, want %q", name, want)
	case want != "" && *got != (pText{typ, want}):
		t.Errorf("%s = %+v, want type %q %q", name, *got, typ, want)
	}
}

func TestAtomEmptyFeed(t *testing.T) {
	info := testInfo()
	info.SelfLink = ""
	doc, err := Atom(info, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := parseFeed(t, doc)
	if f.Updated != "2026-01-01T00:00:00Z" {
		t.Errorf("updated = %q, want info.Updated", f.Updated)
	}
	if want := []pLink{{Href: info.Link, Rel: "alternate", Type: "text/html"}}; !slices.Equal(f.Links, want) {
		t.Errorf("links = %+v, want only alternate %+v", f.Links, want)
	}
	if len(f.Entries) != 0 {
		t.Errorf("%d entries, want 0", len(f.Entries))
	}
	if strings.Contains(string(doc), `rel="self"`) {
		t.Errorf("self link written without SelfLink:\n%s", doc)
	}
}

func TestAtomErrors(t *testing.T) {
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		info    FeedInfo
		entries []entry.Entry
		want    error
	}{
		{"feed without id", FeedInfo{Updated: day}, nil, ErrNoID},
		{"empty feed without updated", FeedInfo{ID: "urn:x"}, nil, ErrNoDate},
		{"entry without id", FeedInfo{ID: "urn:x"}, []entry.Entry{{Title: "t", Published: day}}, ErrNoID},
		{"entry without any date", FeedInfo{ID: "urn:x"}, []entry.Entry{{ID: "urn:e"}}, ErrNoDate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := Atom(tc.info, tc.entries)
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
			if doc != nil {
				t.Errorf("got output with error:\n%s", doc)
			}
		})
	}
}
