package normalize_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/internal/shareddata"
	"github.com/netdigest/netdigest/normalize"
)

// benchFeeds are real feeds of each format and size class, from
// ../shared/corpus/realworld (the benchmarks skip without it).
var benchFeeds = []struct{ name, path, contentType string }{
	{"atom-114KB", "netnewswire/feeds/DaringFireball.atom", "application/atom+xml"},
	{"rss-385KB", "netnewswire/feeds/atp.rss", "application/rss+xml"},
	{"rdf-76KB", "netnewswire/feeds/bio.rdf", "application/rdf+xml"},
	{"json-107KB", "netnewswire/feeds/DaringFireball.json", "application/feed+json"},
	{"rss-windows1251-19KB", "miniflux/parser/encoding_WINDOWS-1251.xml", "application/rss+xml"},
}

func readFeed(b *testing.B, path string) []byte {
	b.Helper()
	data, err := os.ReadFile(shareddata.Path(b, "corpus", "realworld", path))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkParseFeed is charset conversion plus gofeed's parse: what the
// bare loop of bench/ does for every fetched feed.
func BenchmarkParseFeed(b *testing.B) {
	for _, f := range benchFeeds {
		b.Run(f.name, func(b *testing.B) {
			data := readFeed(b, f.path)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := normalize.ParseFeed(data, f.contentType, "https://example.org/feed"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEntries is normalization of a parsed feed: canonical links,
// absolute URLs in content, sanitizing, plain-text summaries, ids, hashes.
func BenchmarkEntries(b *testing.B) {
	norm := normalize.New()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, f := range benchFeeds {
		b.Run(f.name, func(b *testing.B) {
			data := readFeed(b, f.path)
			doc, err := normalize.ParseFeed(data, f.contentType, "https://example.org/feed")
			if err != nil {
				b.Fatal(err)
			}
			src := normalize.Source{Name: "bench", URL: "https://example.org/feed"}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n = len(norm.Entries(src, doc, now))
			}
			b.ReportMetric(float64(n), "entries/op")
		})
	}
}

// BenchmarkSanitize isolates the HTML stages of one item's content.
func BenchmarkSanitize(b *testing.B) {
	data := readFeed(b, "netnewswire/feeds/DaringFireball.atom")
	doc, err := normalize.ParseFeed(data, "application/atom+xml", "https://example.org/feed")
	if err != nil {
		b.Fatal(err)
	}
	content := ""
	for _, it := range doc.Items {
		if len(it.ContentHTML) > len(content) {
			content = it.ContentHTML
		}
	}
	b.Run("AbsolutizeHTML", func(b *testing.B) {
		b.SetBytes(int64(len(content)))
		b.ReportAllocs()
		for b.Loop() {
			normalize.AbsolutizeHTML(content, "https://daringfireball.net/")
		}
	})
	// The same body with its links made scheme-relative: the path that
	// resolves and rewrites tags.
	relative := strings.ReplaceAll(content, `href="https://`, `href="//`)
	if relative == content {
		b.Fatal("the body has no https link to make relative")
	}
	b.Run("AbsolutizeHTML-relative", func(b *testing.B) {
		b.SetBytes(int64(len(relative)))
		b.ReportAllocs()
		for b.Loop() {
			normalize.AbsolutizeHTML(relative, "https://daringfireball.net/")
		}
	})
	b.Run("PlainText", func(b *testing.B) {
		b.SetBytes(int64(len(content)))
		b.ReportAllocs()
		for b.Loop() {
			normalize.PlainText(content)
		}
	})
	b.Run("Entries-one-item", func(b *testing.B) {
		norm := normalize.New()
		one := &normalize.Document{Link: doc.Link, Items: []normalize.Item{{GUID: "x", Title: "t", Link: "https://daringfireball.net/x", ContentHTML: content}}}
		src := normalize.Source{Name: "bench", URL: "https://example.org/feed"}
		b.SetBytes(int64(len(content)))
		b.ReportAllocs()
		for b.Loop() {
			norm.Entries(src, one, time.Time{})
		}
	})
}
