package normalize

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

const rss2Sample = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Netdev &amp; Friends</title>
  <link>/blog/</link>
  <description>news</description>
  <item>
    <title>XDP &lt;em&gt;fast&lt;/em&gt; path</title>
    <link>https://example.org/blog/xdp?utm_source=rss</link>
    <guid isPermaLink="false">post-17</guid>
    <pubDate>Mon, 09 Mar 2026 10:00:00 +0000</pubDate>
    <dc:creator>Jane Hacker</dc:creator>
    <category>XDP</category>
    <category> eBPF </category>
    <description>Short &lt;b&gt;teaser&lt;/b&gt;.</description>
    <content:encoded><![CDATA[<p>Full <a href="/docs/xdp">docs</a>.</p>]]></content:encoded>
  </item>
  <item>
    <title>Permalink only</title>
    <guid>https://example.org/blog/permalink</guid>
  </item>
</channel>
</rss>`

const atomSample = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://kernel.example/news/">
  <title type="html">Kernel &lt;b&gt;news&lt;/b&gt;</title>
  <link rel="alternate" href="/"/>
  <id>urn:uuid:60a76c80-d399-11d9-b91C-0003939e0af6</id>
  <updated>2026-03-09T10:00:00Z</updated>
  <entry xml:base="2026/">
    <title>Relative link entry</title>
    <link rel="alternate" href="page.html"/>
    <id>tag:kernel.example,2026:1</id>
    <published>2026-03-08T09:00:00+01:00</published>
    <updated>2026-03-09T10:00:00Z</updated>
    <author><name>Alice</name></author>
    <author><email>bob@example.org</email></author>
    <category term="tc"/>
    <summary>Summary text</summary>
    <content type="html">&lt;img src="fig.png"&gt;&lt;p&gt;Body&lt;/p&gt;</content>
  </entry>
</feed>`

const rdfSample = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example/">
    <title>RDF Site</title>
    <link>https://rdf.example/</link>
    <description>d</description>
  </channel>
  <item rdf:about="https://rdf.example/item1">
    <title>RDF item</title>
    <link>https://rdf.example/item1</link>
    <description>RDF description</description>
    <dc:date>2026-03-07T08:00:00Z</dc:date>
    <dc:creator>Carol</dc:creator>
  </item>
</rdf:RDF>`

const jsonFeedSample = `{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "JSON Site",
  "home_page_url": "https://json.example/",
  "feed_url": "https://json.example/feed.json",
  "items": [
    {
      "id": "2",
      "url": "https://json.example/2",
      "title": "JSON item",
      "content_html": "<p>Hello <b>JSON</b></p>",
      "summary": "Hello JSON",
      "date_published": "2026-03-06T07:00:00-05:00",
      "date_modified": "2026-03-06T13:00:00Z",
      "authors": [{"name": "Dana"}],
      "tags": ["netlink"]
    }
  ]
}`

func TestParseFeed(t *testing.T) {
	tests := []struct {
		name, body, contentType string
		wantDoc                 Document
	}{
		{
			name: "RSS 2.0 with content:encoded", body: rss2Sample, contentType: "application/rss+xml",
			wantDoc: Document{Title: "Netdev & Friends", Link: "https://example.org/blog/", Items: []Item{
				{
					GUID: "post-17", Title: "XDP <em>fast</em> path", Link: "https://example.org/blog/xdp?utm_source=rss",
					Authors: []string{"Jane Hacker"}, Published: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC),
					ContentHTML: `<p>Full <a href="/docs/xdp">docs</a>.</p>`, SummaryHTML: "Short <b>teaser</b>.",
					Categories: []string{"XDP", "eBPF"}, // gofeed trims
				},
				{GUID: "https://example.org/blog/permalink", Title: "Permalink only", Link: "https://example.org/blog/permalink"},
			}},
		},
		{
			name: "Atom 1.0 with xml:base", body: atomSample, contentType: "application/atom+xml; charset=utf-8",
			wantDoc: Document{ID: "urn:uuid:60a76c80-d399-11d9-b91C-0003939e0af6", Title: "Kernel <b>news</b>", Link: "https://kernel.example/", Items: []Item{{
				GUID: "tag:kernel.example,2026:1", Title: "Relative link entry", Link: "https://kernel.example/news/2026/page.html",
				Authors:   []string{"Alice", "bob@example.org"},
				Published: time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC), Updated: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC),
				ContentHTML: `<img src="https://kernel.example/news/2026/fig.png"/><p>Body</p>`, SummaryHTML: "Summary text",
				Categories: []string{"tc"},
			}}},
		},
		{
			name: "RSS 1.0 (RDF)", body: rdfSample,
			wantDoc: Document{Title: "RDF Site", Link: "https://rdf.example/", Items: []Item{{
				Title: "RDF item", Link: "https://rdf.example/item1", Authors: []string{"Carol"},
				Published: time.Date(2026, 3, 7, 8, 0, 0, 0, time.UTC), SummaryHTML: "RDF description",
				Updated: time.Date(2026, 3, 7, 8, 0, 0, 0, time.UTC), // gofeed reads dc:date as both
			}}},
		},
		{
			name: "JSON Feed 1.1", body: jsonFeedSample, contentType: "application/feed+json",
			wantDoc: Document{Title: "JSON Site", Link: "https://json.example/", Items: []Item{{
				GUID: "2", Title: "JSON item", Link: "https://json.example/2", Authors: []string{"Dana"},
				Published: time.Date(2026, 3, 6, 12, 0, 0, 0, time.UTC), Updated: time.Date(2026, 3, 6, 13, 0, 0, 0, time.UTC),
				ContentHTML: "<p>Hello <b>JSON</b></p>", SummaryHTML: "Hello JSON", Categories: []string{"netlink"},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParseFeed([]byte(tt.body), tt.contentType, "https://example.org/feed.xml")
			if err != nil {
				t.Fatalf("ParseFeed: %v", err)
			}
			if doc.ID != tt.wantDoc.ID || doc.Title != tt.wantDoc.Title || doc.Link != tt.wantDoc.Link {
				t.Errorf("doc id, title, link = %q, %q, %q; want %q, %q, %q", doc.ID, doc.Title, doc.Link, tt.wantDoc.ID, tt.wantDoc.Title, tt.wantDoc.Link)
			}
			if len(doc.Items) != len(tt.wantDoc.Items) {
				t.Fatalf("got %d items, want %d", len(doc.Items), len(tt.wantDoc.Items))
			}
			for i, want := range tt.wantDoc.Items {
				got := doc.Items[i]
				// times compared as instants
				if !got.Published.Equal(want.Published) || !got.Updated.Equal(want.Updated) {
					t.Errorf("item %d dates = %v, %v; want %v, %v", i, got.Published, got.Updated, want.Published, want.Updated)
				}
				got.Published, got.Updated, want.Published, want.Updated = time.Time{}, time.Time{}, time.Time{}, time.Time{}
				got.ContentHTML, want.ContentHTML = strings.TrimSpace(got.ContentHTML), strings.TrimSpace(want.ContentHTML)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("item %d:\n got %#v\nwant %#v", i, got, want)
				}
			}
		})
	}
}

// TestParseFeedThenEntries follows the RSS sample through to entries, the
// way the pipeline uses the two.
func TestParseFeedThenEntries(t *testing.T) {
	doc, err := ParseFeed([]byte(rss2Sample), "application/rss+xml", "https://example.org/feed.xml")
	if err != nil {
		t.Fatal(err)
	}
	src := Source{Name: "netdev", URL: "https://example.org/feed.xml", Conference: "netdev 0x19", Tags: []string{"ebpf", "kernel"}}
	es := New().Entries(src, doc, testNow)
	if len(es) != 2 {
		t.Fatalf("got %d entries, want 2", len(es))
	}
	e := es[0]
	checks := []struct{ field, got, want string }{
		{"ID", e.ID, "tag:netdigest,2026:netdev:post-17"},
		{"GUID", e.GUID, "post-17"},
		{"Title", e.Title, "XDP fast path"},
		{"Link", e.Link, "https://example.org/blog/xdp"},
		{"Summary", e.Summary, "Short teaser."},
		{"Content", e.Content, `<p>Full <a href="https://example.org/docs/xdp" rel="nofollow">docs</a>.</p>`},
		{"Source", e.Source, "netdev"},
		{"Conference", e.Conference, "netdev 0x19"},
		{"Tags", strings.Join(e.Tags, ","), "XDP,eBPF,kernel"},
		{"Authors", strings.Join(e.Authors, ","), "Jane Hacker"},
		{"second ID", es[1].ID, "https://example.org/blog/permalink"},
		{"second Link", es[1].Link, "https://example.org/blog/permalink"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if len(e.ContentHash) != 64 {
		t.Errorf("ContentHash = %q, want 64 hex digits", e.ContentHash)
	}
}

func TestParseFeedErrors(t *testing.T) {
	tests := []struct {
		name, body, contentType string
		wantNotFeed             bool
		wantInMsg               string
	}{
		{name: "HTML page", body: "<!DOCTYPE html><html><head><title>Blog</title></head><body><p>hi</p></body></html>",
			contentType: "text/html; charset=utf-8", wantNotFeed: true, wantInMsg: "HTML page"},
		{name: "empty body", body: "  \n", wantNotFeed: true, wantInMsg: "empty"},
		{name: "plain text", body: "just some text", wantNotFeed: true},
		{name: "truncated RSS", body: `<rss version="2.0"><channel><title>x</title><item><title>a</ti`, wantInMsg: "parse: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := ParseFeed([]byte(tt.body), tt.contentType, "https://example.org/feed")
			if err == nil {
				t.Fatalf("ParseFeed = %+v, want error", doc)
			}
			if !strings.HasPrefix(err.Error(), "parse: ") {
				t.Errorf("error %q does not start with %q", err, "parse: ")
			}
			if errors.Is(err, ErrNotFeed) != tt.wantNotFeed {
				t.Errorf("errors.Is(%v, ErrNotFeed) = %v, want %v", err, !tt.wantNotFeed, tt.wantNotFeed)
			}
			if !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantInMsg)
			}
		})
	}
}

func TestParseFeedGUIDPermalink(t *testing.T) {
	body := `<rss version="2.0"><channel><title>f</title>
<item><title>a</title><guid>https://example.org/a</guid></item>
<item><title>b</title><guid isPermaLink="true">https://example.org/b</guid></item>
<item><title>c</title><guid isPermaLink="false">https://example.org/c</guid></item>
<item><title>d</title><guid>d-42</guid></item>
<item><title>e</title><link>https://example.org/e-link</link><guid>https://example.org/e-guid</guid></item>
</channel></rss>`
	doc, err := ParseFeed([]byte(body), "", "https://example.org/feed")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://example.org/a", "https://example.org/b", "", "", "https://example.org/e-link"}
	for i, w := range want {
		if got := doc.Items[i].Link; got != w {
			t.Errorf("item %s link = %q, want %q", doc.Items[i].Title, got, w)
		}
	}
}
