package normalize

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestRealWorldFeeds reads the real feeds of testdata/realworld (copied
// from NetNewsWire's and miniflux's tests; see its README) as they come
// from a file, with no Content-Type: an RDF feed without dates, an
// ISO-8859-1 feed that says so only in its XML declaration, a JSON Feed
// whose ids are not URIs, and an Atom feed of relative links.
func TestRealWorldFeeds(t *testing.T) {
	tests := []struct {
		file      string
		url       string
		items     int
		title     string // of some item, as UTF-8
		firstLink string // the first entry's link, resolved
		dated     bool
		firstID   string
	}{
		{"miniflux-heise-rdf.xml", "https://www.heise.de/newsticker/heise.rdf", 60,
			"OLED-TVs: Vorsichtsmaßnahmen gegen Einbrennen",
			"https://www.heise.de/newsticker/meldung/OLED-TVs-Vorsichtsmassnahmen-gegen-Einbrennen-4205274.html?wt_mc=rss.ho.beitrag.rdf",
			false, "https://www.heise.de/newsticker/meldung/OLED-TVs-Vorsichtsmassnahmen-gegen-Einbrennen-4205274.html?wt_mc=rss.ho.beitrag.rdf"},
		{"miniflux-golem-iso-8859-1.xml", "https://rss.golem.de/rss.php?feed=RSS2.0", 40,
			"Machine Learning: Von KI erstelltes Porträt für 432.500 US.Dollar versteigert",
			"https://www.golem.de/news/red-dead-redemption-2-hinweise-auf-pc-umsetzung-in-app-von-rockstar-games-1810-137358-rss.html",
			true, "https://www.golem.de/1810/137358-rss.html"},
		{"netnewswire-3960.json", "https://journal.3960.org/feed.json", 20, "Lecker, lecker",
			"https://journal.3960.org/posts/2020-02-21-lecker-lecker/",
			true, "tag:netdigest,2026:3960:user%2Fposts%2F2020-02-21-lecker-lecker%2Findex.md"},
		{"netnewswire-qemu.atom", "https://www.qemu.org/feed.xml", 10, "QEMU version 10.1.0 released",
			"https://www.qemu.org/2025/08/26/qemu-10-1-0/",
			true, "tag:netdigest,2026:qemu:%2F2025%2F08%2F26%2Fqemu-10-1-0"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "realworld", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := ParseFeed(body, "", tt.url)
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Items) != tt.items || len(doc.Warnings) != 0 {
				t.Fatalf("%d items, warnings %q; want %d, none", len(doc.Items), doc.Warnings, tt.items)
			}
			var titles []string
			for _, it := range doc.Items {
				titles = append(titles, it.Title)
				if it.Published.IsZero() == tt.dated {
					t.Errorf("%q: Published %v, want dated = %v", it.Title, it.Published, tt.dated)
				}
			}
			if !slices.Contains(titles, tt.title) {
				t.Errorf("no item titled %q in %q", tt.title, titles)
			}
			name := map[string]string{"netnewswire-3960.json": "3960", "netnewswire-qemu.atom": "qemu"}[tt.file]
			es := New().Entries(Source{Name: cmp.Or(name, "x"), URL: tt.url}, doc, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
			if len(es) != tt.items || es[0].Link != tt.firstLink || es[0].ID != tt.firstID {
				t.Errorf("%d entries, first link %q id %q; want %d, %q, %q", len(es), es[0].Link, es[0].ID, tt.items, tt.firstLink, tt.firstID)
			}
		})
	}
}
