package page

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/netdigest/netdigest/normalize"
)

// Fuzz seeds: the fixtures and small pages in the shapes the parsers take
// apart. Crashers found by `go test -fuzz` land in testdata/fuzz/FuzzX/ and
// are kept there as regression seeds.
var fuzzSeeds = []string{
	"",
	"{}",
	"plain text",
	`<rss><channel></channel></rss>`,
	`<h3>2015-02-21: A</h3><p>a</p><h3>B</h3>text<h3></h3>`,
	`<div><h3 id="x">A</h3><p>a</p></div><div><h3 id="x">A</h3><section><h3>C</h3></section></div>`,
	`<p><strong>T</strong></p><p>x</p><nav><h3>N</h3></nav><h3><h3>nested</h3></h3>`,
	`<article><h2><a href="/a">A</a></h2><time datetime="2020-01-01">x</time><span class="author">Ann</span><p>p</p></article><li><a>no href</a></li>`,
	`<table><tr><td><h2>cell</h2></td><td>x</td></tr></table><div class="item"><time>garbage</time></div>`,
	"<html><head><base href=\"::\"><link rel=canonical href=\"%zz\"><title>\xff\xfe</title></head><body><h1>\x00</h1></body></html>",
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(0))
	}
	for i, name := range []string{"netdev01-news.html", "netdev12-day1.html", "bootlin-blog.html"} {
		f.Add(fixture(f, name), uint8(i))
	}
}

// checkDoc holds for every parse: an error is one of the documented kinds
// or a nil document; a document's items have a title or text, valid UTF-8,
// and distinct anchors.
func checkDoc(t *testing.T, doc *normalize.Document, err error) {
	t.Helper()
	if err != nil {
		var se *SelectorError
		var pe *PatternError
		if doc != nil {
			t.Fatalf("document and error: %v", err)
		}
		if !errors.As(err, &se) && !errors.As(err, &pe) && !errors.Is(err, ErrEmptyBody) && !errors.Is(err, ErrNotHTML) && !errors.Is(err, errNoText) {
			t.Fatalf("unexpected kind of error: %v", err)
		}
		return
	}
	anchors := make(map[string]bool)
	for i, it := range doc.Items {
		if it.Title == "" && !hasText(it.ContentHTML) && !hasText(it.SummaryHTML) {
			t.Fatalf("item %d has neither title nor content: %+v", i+1, it)
		}
		if !utf8.ValidString(it.Title) || !utf8.ValidString(it.ContentHTML) {
			t.Fatalf("item %d is not UTF-8: %+v", i+1, it)
		}
		if it.Anchor != "" {
			if anchors[it.Anchor] {
				t.Fatalf("item %d repeats anchor %q", i+1, it.Anchor)
			}
			anchors[it.Anchor] = true
		}
	}
}

var fuzzHeadings = []string{"h3", "h2, h3", "p > strong", "div", "*", "li, td", "h1 a, h2"}

func FuzzSplit(f *testing.F) {
	addSeeds(f)
	pattern := netdev01Rules().Split.Pattern
	f.Fuzz(func(t *testing.T, body []byte, choice uint8) {
		h := fuzzHeadings[int(choice)%len(fuzzHeadings)]
		rules := Rules{Split: &Split{Heading: h}}
		if choice&0x80 != 0 {
			rules.Split.Pattern = pattern
			rules.Date, rules.Author = "time", ".author"
		}
		doc, err := ParseListing(body, "text/html", "https://example.org/news.html", rules)
		checkDoc(t, doc, err)
		if err == nil {
			for i, it := range doc.Items {
				if it.Anchor == "" && it.Link == "https://example.org/news.html" {
					t.Fatalf("split item %d links to the page without an anchor", i+1)
				}
			}
		}
	})
}

func FuzzListing(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte, choice uint8) {
		rules := Rules{Item: "article, li, div.item, tr"}
		if choice&1 != 0 {
			rules.Title, rules.Link, rules.Content = "h2, a", "a", "p"
		}
		if choice&2 != 0 {
			rules.Date, rules.DateAttr, rules.Author, rules.Summary = "time", "datetime", ".author", "p:first-child"
		}
		doc, err := ParseListing(body, "text/html", "https://example.org/", rules)
		checkDoc(t, doc, err)
	})
}

func FuzzArticle(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte, choice uint8) {
		var rules Rules
		if choice&1 != 0 {
			rules.Split = &Split{Heading: fuzzHeadings[int(choice>>1)%len(fuzzHeadings)]}
		}
		doc, err := ParseArticle(body, "", "https://example.org/post", rules)
		checkDoc(t, doc, err)
		if err == nil && rules.Split == nil && len(doc.Items) != 1 {
			t.Fatalf("%d items from one article", len(doc.Items))
		}
	})
}

// FuzzSplitFeed splits one feed item whose content is the input, beside an
// item without headings: the error is a selector's or a pattern's; the
// other item passes whole; split items carry the post's GUID and an anchor
// of their own.
func FuzzSplitFeed(f *testing.F) {
	addSeeds(f)
	pattern := netdev01Rules().Split.Pattern
	f.Fuzz(func(t *testing.T, body []byte, choice uint8) {
		split := Split{Heading: fuzzHeadings[int(choice)%len(fuzzHeadings)]}
		if choice&0x80 != 0 {
			split.Pattern = pattern
		}
		whole := normalize.Item{GUID: "w", Title: "Whole", Link: "https://example.org/w", ContentHTML: "<p>no heading</p>"}
		doc := &normalize.Document{Items: []normalize.Item{
			{GUID: "g", Title: "Post", Link: "https://example.org/post", ContentHTML: strings.ToValidUTF8(string(body), "\uFFFD")},
			whole,
		}}
		if split.Heading == "*" || split.Heading == "div" {
			doc.Items = doc.Items[:1] // "*" matches the whole item's <p> too
		}
		out, err := SplitFeed(doc, split)
		checkDoc(t, out, err)
		if err != nil {
			return
		}
		if len(doc.Items) == 2 && !reflect.DeepEqual(out.Items[len(out.Items)-1], whole) {
			t.Fatalf("the item without headings changed: %+v", out.Items[len(out.Items)-1])
		}
		for i, it := range out.Items {
			if it.Anchor != "" && it.GUID != "g#"+it.Anchor {
				t.Fatalf("split item %d: guid %q, anchor %q", i+1, it.GUID, it.Anchor)
			}
		}
	})
}
