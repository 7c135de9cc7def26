package page

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/normalize"
)

// netdev12FeedURL is where testdata/netdev12-blog.rss (a reconstruction of
// WordPress.com's RSS 2.0 feed, see its header) would be fetched from.
const netdev12FeedURL = "https://nevolakernelblog.wordpress.com/feed/"

func parseNetdev12Feed(t *testing.T) *normalize.Document {
	t.Helper()
	doc, err := normalize.ParseFeed(fixture(t, "netdev12-blog.rss"), "application/rss+xml; charset=UTF-8", netdev12FeedURL)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestNetdev12FeedSplit: the three day posts, split in the feed, give the
// talks the day pages give when split as articles, with the same titles,
// anchors and text, the post's date, author and categories, and ids of
// their own.
func TestNetdev12FeedSplit(t *testing.T) {
	doc, err := SplitFeed(parseNetdev12Feed(t), Split{Heading: "h2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Warnings) != 0 {
		t.Errorf("warnings: %q", doc.Warnings)
	}
	// The feed is newest first: Day III, II, I.
	var want []normalize.Item
	for day := 2; day >= 0; day-- {
		name := []string{"day1", "day2", "day3"}[day]
		page, err := ParseArticle(fixture(t, "netdev12-"+name+".html"), "text/html", netdev12URLs[day],
			Rules{Split: &Split{Heading: ".entry-content h2"}})
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, page.Items...)
	}
	if len(doc.Items) != len(want) {
		t.Fatalf("%d items, want the %d talks of the three day pages", len(doc.Items), len(want))
	}
	guids := map[string]bool{}
	for i, it := range doc.Items {
		w := want[i]
		if it.Title != w.Title || it.Link != w.Link || it.Anchor != w.Anchor {
			t.Errorf("item %d: %q %s#%s, want %q %s#%s", i+1, it.Title, it.Link, it.Anchor, w.Title, w.Link, w.Anchor)
		}
		if !it.Published.Equal(w.Published) || !slices.Equal(it.Authors, []string{"nevola"}) {
			t.Errorf("item %d: date %v authors %q, want %v [nevola]", i+1, it.Published, it.Authors, w.Published)
		}
		if !slices.Contains(it.Categories, "netdev") {
			t.Errorf("item %d: categories %q lack the post's", i+1, it.Categories)
		}
		if !strings.HasPrefix(it.GUID, "http://nevolakernelblog.wordpress.com/?p=") || !strings.HasSuffix(it.GUID, "#"+it.Anchor) || guids[it.GUID] {
			t.Errorf("item %d: guid %q: want the post's, #anchor, unique", i+1, it.GUID)
		}
		guids[it.GUID] = true
		// The page's text and the feed's agree (WordPress.com's stats
		// pixel after the last talk aside).
		if normalize.PlainText(it.ContentHTML) != normalize.PlainText(w.ContentHTML) {
			t.Errorf("item %d content:\n%s\nwant the page's:\n%s", i+1, it.ContentHTML, w.ContentHTML)
		}
	}
	checkGolden(t, "netdev12-blog-split.golden.json", doc)

	// Through Entries: one entry per talk, ids stable from parse to parse.
	src := normalize.Source{Name: "netdev12-blog", URL: netdev12FeedURL, Conference: "Netdev 1.2"}
	now := date("2026-12-01T00:00:00Z")
	entries := normalize.New().Entries(src, doc, now)
	again, err := SplitFeed(parseNetdev12Feed(t), Split{Heading: "h2"})
	if err != nil {
		t.Fatal(err)
	}
	entries2 := normalize.New().Entries(src, again, now)
	if len(entries) != len(want) || len(entries2) != len(entries) {
		t.Fatalf("%d and %d entries, want %d", len(entries), len(entries2), len(want))
	}
	for i, e := range entries {
		if e.ID != entries2[i].ID || e.Link != want[i].Link+"#"+want[i].Anchor || !e.Published.Equal(want[i].Published) {
			t.Errorf("entry %d: id %q (again %q) link %q date %v", i+1, e.ID, entries2[i].ID, e.Link, e.Published)
		}
	}
}

// rss makes an RSS 2.0 feed of items given as their inner XML.
func rss(items ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>t</title><link>https://blog.example/</link>`)
	for _, it := range items {
		b.WriteString("<item>" + it + "</item>")
	}
	b.WriteString("</channel></rss>")
	return []byte(b.String())
}

func TestSplitFeed(t *testing.T) {
	const (
		dayPost = `<title>Day 1</title><link>https://blog.example/day-1/</link><guid isPermaLink="false">https://blog.example/?p=1</guid>` +
			`<pubDate>Wed, 05 Oct 2016 10:00:00 +0000</pubDate><author>a@example.org (Ann)</author>` +
			`<content:encoded><![CDATA[<p>Intro</p><h2 id="xdp">Talk: XDP</h2><p>On XDP.</p><h2>Talk: tc</h2><p>On tc.</p>]]></content:encoded>`
		newsPost = `<title>Registration open</title><link>https://blog.example/reg/</link><guid isPermaLink="false">https://blog.example/?p=2</guid>` +
			`<content:encoded><![CDATA[<p>Register now.</p>]]></content:encoded>`
		venuePost = `<title>Venue</title><link>https://blog.example/venue/</link>` +
			`<content:encoded><![CDATA[<h2>Getting there</h2><p>Train.</p>]]></content:encoded>`
		descOnly = `<title>Day 2</title><link>https://blog.example/day-2/</link>` +
			`<description><![CDATA[<h2>Talk: QUIC</h2><p>On QUIC.</p>]]></description>`
		noLink = `<title>Day 3</title><guid isPermaLink="false">p-3</guid>` +
			`<content:encoded><![CDATA[<h2>Talk: TLS</h2><p>a</p><h2>Talk: IPsec</h2><p>b</p>]]></content:encoded>`
	)
	talk := regexp.MustCompile(`^Talk: (?P<title>.+)$`)
	type got struct{ title, link, anchor, guid string }
	tests := []struct {
		name    string
		feed    []byte
		split   Split
		want    []got
		wantErr string
	}{
		{"day post split, news post whole", rss(dayPost, newsPost), Split{Heading: "h2", Pattern: talk}, []got{
			{"XDP", "https://blog.example/day-1/", "xdp", "https://blog.example/?p=1#xdp"},
			{"tc", "https://blog.example/day-1/", "talk-tc", "https://blog.example/?p=1#talk-tc"},
			{"Registration open", "https://blog.example/reg/", "", "https://blog.example/?p=2"},
		}, ""},
		// headings that the pattern misses everywhere in a post: not a talk post
		{"pattern misses a post's headings", rss(venuePost, dayPost), Split{Heading: "h2", Pattern: talk}, []got{
			{"Venue", "https://blog.example/venue/", "", ""},
			{"XDP", "https://blog.example/day-1/", "xdp", "https://blog.example/?p=1#xdp"},
			{"tc", "https://blog.example/day-1/", "talk-tc", "https://blog.example/?p=1#talk-tc"},
		}, ""},
		{"description when no content:encoded", rss(descOnly), Split{Heading: "h2", Pattern: talk}, []got{
			{"QUIC", "https://blog.example/day-2/", "talk-quic", ""},
		}, ""},
		{"no link: guid and anchor keep ids apart", rss(noLink), Split{Heading: "h2", Pattern: talk}, []got{
			{"TLS", "", "talk-tls", "p-3#talk-tls"},
			{"IPsec", "", "talk-ipsec", "p-3#talk-ipsec"},
		}, ""},
		{"heading matches in no post", rss(newsPost, newsPost), Split{Heading: "h3"}, nil,
			"split feed: selector heading=h3 matched 0 elements (in none of the 2 items' content)"},
		{"pattern matches no heading of any post", rss(venuePost, dayPost), Split{Heading: "h2", Pattern: regexp.MustCompile(`^Session (?P<title>.+)`)}, nil,
			`split feed: split pattern ^Session (?P<title>.+) matched none of the 3 headings (heading=h2; the first is "Getting there")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := normalize.ParseFeed(tt.feed, "", "https://blog.example/feed/")
			if err != nil {
				t.Fatal(err)
			}
			out, err := SplitFeed(doc, tt.split)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var gotItems []got
			for _, it := range out.Items {
				gotItems = append(gotItems, got{it.Title, it.Link, it.Anchor, it.GUID})
			}
			if !slices.Equal(gotItems, tt.want) {
				t.Errorf("items\n%q\nwant\n%q", gotItems, tt.want)
			}
		})
	}
}

// TestSplitFeedCarriesThePost: a split item keeps the post's dates,
// authors and categories, and its content is its section only.
func TestSplitFeedCarriesThePost(t *testing.T) {
	feed := rss(`<title>Day 1</title><link>https://blog.example/day-1/</link><pubDate>Wed, 05 Oct 2016 10:00:00 +0000</pubDate>` +
		`<author>a@example.org (Ann)</author><category>netdev</category>` +
		`<content:encoded><![CDATA[<p>Intro</p><h2>XDP</h2><p>On XDP.</p><h2>tc</h2><p>On tc.</p>]]></content:encoded>`)
	doc, err := normalize.ParseFeed(feed, "", "https://blog.example/feed/")
	if err != nil {
		t.Fatal(err)
	}
	out, err := SplitFeed(doc, Split{Heading: "h2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 2 {
		t.Fatalf("%d items", len(out.Items))
	}
	want := time.Date(2016, 10, 5, 10, 0, 0, 0, time.UTC)
	for i, it := range out.Items {
		if !it.Published.Equal(want) || len(it.Authors) != 1 || !slices.Equal(it.Categories, []string{"netdev"}) {
			t.Errorf("item %d: date %v authors %q categories %q", i+1, it.Published, it.Authors, it.Categories)
		}
	}
	if out.Items[0].ContentHTML != "<p>On XDP.</p>" || out.Items[1].ContentHTML != "<p>On tc.</p>" {
		t.Errorf("contents %q, %q", out.Items[0].ContentHTML, out.Items[1].ContentHTML)
	}
}

// TestSplitPatternMatchesNothing: on a page too, a pattern that matches no
// heading is an error naming it and the first heading; one heading that
// does not match stays a warning (TestSplitWarnings).
func TestSplitPatternMatchesNothing(t *testing.T) {
	body := []byte(`<html><body><h3>News of 5 October</h3><p>a</p><h3>News of 6 October</h3><p>b</p></body></html>`)
	for _, parse := range []struct {
		name string
		fn   func([]byte, string, string, Rules) (*normalize.Document, error)
	}{{"html", ParseListing}, {"article", ParseArticle}} {
		t.Run(parse.name, func(t *testing.T) {
			_, err := parse.fn(body, "text/html", "https://netdevconf.info/0.1/news.html", netdev01Rules())
			var perr *PatternError
			if !errors.As(err, &perr) {
				t.Fatalf("err = %v, want a *PatternError", err)
			}
			want := `split pattern ^(?P<date>\d{4}-\d{2}-\d{2}):\s*(?P<title>.+)$ matched none of the 2 headings (heading=h3; the first is "News of 5 October")`
			if perr.Error() != want {
				t.Errorf("error:\n%s\nwant\n%s", perr, want)
			}
		})
	}
}

// TestNetdev12AtomFeedSplit: the same posts in WordPress.com's Atom feed
// (testdata/netdev12-blog.atom: type="html" content with an xml:base)
// split into the same talks as the RSS feed.
func TestNetdev12AtomFeedSplit(t *testing.T) {
	body := fixture(t, "netdev12-blog.atom")
	atom, err := normalize.ParseFeed(body, "application/atom+xml", "https://nevolakernelblog.wordpress.com/feed/atom/")
	if err != nil {
		t.Fatal(err)
	}
	fromAtom, err := SplitFeed(atom, Split{Heading: "h2"})
	if err != nil {
		t.Fatal(err)
	}
	fromRSS, err := SplitFeed(parseNetdev12Feed(t), Split{Heading: "h2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(fromAtom.Items) != len(fromRSS.Items) {
		t.Fatalf("%d items from Atom, %d from RSS", len(fromAtom.Items), len(fromRSS.Items))
	}
	for i, a := range fromAtom.Items {
		r := fromRSS.Items[i]
		if a.Title != r.Title || a.Link != r.Link || a.Anchor != r.Anchor || a.GUID != r.GUID || !a.Published.Equal(r.Published) ||
			normalize.PlainText(a.ContentHTML) != normalize.PlainText(r.ContentHTML) {
			t.Errorf("item %d: Atom %q %s#%s %s, RSS %q %s#%s %s", i+1, a.Title, a.Link, a.Anchor, a.GUID, r.Title, r.Link, r.Anchor, r.GUID)
		}
	}
}
