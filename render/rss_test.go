package render

import (
	"encoding/xml"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/netdigest/netdigest/entry"
)

// rssDocBack mirrors RSS 2.0 with the extensions RSS writes, to read the
// raw output back where gofeed would hide a detail (isPermaLink, domains).
type rssDocBack struct {
	XMLName xml.Name `xml:"rss"`
	Version string   `xml:"version,attr"`
	Channel struct {
		// No link: encoding/xml would fill it from atom:link too.
		Title         string `xml:"title"`
		Description   string `xml:"description"`
		LastBuildDate string `xml:"lastBuildDate"`
		Items         []struct {
			Title string `xml:"title"`
			Link  string `xml:"link"`
			GUID  struct {
				IsPermaLink string `xml:"isPermaLink,attr"`
				ID          string `xml:",chardata"`
			} `xml:"guid"`
			PubDate  string   `xml:"pubDate"`
			Creators []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
			Content  string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
			Cats     []struct {
				Domain string `xml:"domain,attr"`
				Term   string `xml:",chardata"`
			} `xml:"category"`
			Source *struct {
				URL  string `xml:"url,attr"`
				Name string `xml:",chardata"`
			} `xml:"source"`
		} `xml:"item"`
	} `xml:"channel"`
}

func TestRSSStructure(t *testing.T) {
	doc, err := RSS(testInfo(), testEntries())
	if err != nil {
		t.Fatal(err)
	}
	var got rssDocBack
	if err := xml.Unmarshal(doc, &got); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, doc)
	}
	ch := got.Channel
	if got.Version != "2.0" || ch.Title != "Linux networking digest" || ch.Description != "Talks, patches and write-ups" {
		t.Errorf("channel = %q %q %q", got.Version, ch.Title, ch.Description)
	}
	f, err := gofeed.NewParser().ParseString(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	if f.Link != "https://netdigest.example/" || f.FeedLink != "https://netdigest.example/atom.xml" {
		t.Errorf("link %q, self link %q", f.Link, f.FeedLink)
	}
	// The newest update of any entry (the scraped one's FirstSeen).
	if ch.LastBuildDate != "Wed, 24 Sep 2025 09:00:00 +0000" {
		t.Errorf("lastBuildDate = %q", ch.LastBuildDate)
	}
	if len(ch.Items) != 4 {
		t.Fatalf("%d items, want 4", len(ch.Items))
	}
	first := ch.Items[0]
	if first.GUID.ID != "https://netdevconf.info/0x18/sessions/talk/xdp-offload.html" || first.GUID.IsPermaLink != "false" {
		t.Errorf("guid = %+v", first.GUID)
	}
	// RFC 1123 with numeric zone, in UTC (the entry is in CET).
	if _, err := time.Parse(time.RFC1123Z, first.PubDate); err != nil || first.PubDate != "Mon, 15 Jul 2024 09:00:00 +0000" {
		t.Errorf("pubDate = %q (%v)", first.PubDate, err)
	}
	if want := []string{"Jakub Kicinski, Jesper Dangaard Brouer"}; !slices.Equal(first.Creators, want) {
		t.Errorf("dc:creator = %q, want %q", first.Creators, want)
	}
	if len(first.Cats) != 3 || first.Cats[0].Domain != ConferenceScheme || first.Cats[0].Term != "netdev 0x18" ||
		first.Cats[1].Term != "xdp" || first.Cats[2].Term != "offload" {
		t.Errorf("categories = %+v", first.Cats)
	}
	// The CDATA terminator inside the HTML survives the CDATA section.
	if !strings.Contains(first.Content, "<code>if (a < b &amp;&amp; c]]>d)</code>") {
		t.Errorf("content:encoded = %q", first.Content)
	}
	if first.Source == nil || first.Source.URL != "https://netdevconf.info/feed.xml" || first.Source.Name != "Netdev Conference" {
		t.Errorf("source = %+v", first.Source)
	}
	if c := ch.Items[1].Creators; len(c) != 1 || c[0] != "LWN.net" {
		t.Errorf("item 1 dc:creator = %q, want the source's title", c)
	}
	// Unknown source: no <source>; no link: no <link>.
	if it := ch.Items[2]; it.Source != nil || it.Link != "" {
		t.Errorf("item 2 source %+v link %q", it.Source, it.Link)
	}
}

// gofeed (the parser netdigest uses for the feeds it reads) gives back the
// same titles, links, ids, dates, authors and categories.
func TestRSSParsedByGofeed(t *testing.T) {
	entries := digestEntries()
	doc, err := RSS(testInfo(), entries)
	if err != nil {
		t.Fatal(err)
	}
	f, err := gofeed.NewParser().ParseString(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	if f.FeedType != "rss" || f.FeedVersion != "2.0" {
		t.Errorf("feed type %s %s", f.FeedType, f.FeedVersion)
	}
	if len(f.Items) != len(entries) {
		t.Fatalf("%d items, want %d", len(f.Items), len(entries))
	}
	for i, it := range f.Items {
		e := entries[i]
		if it.Title != e.Title || it.Link != e.Link || it.GUID != e.ID {
			t.Errorf("item %d = %q %q %q, want %q %q %q", i, it.Title, it.Link, it.GUID, e.Title, e.Link, e.ID)
		}
		if it.PublishedParsed == nil || !it.PublishedParsed.Equal(e.Date().Truncate(time.Second)) {
			t.Errorf("item %d published %v, want %v", i, it.PublishedParsed, e.Date())
		}
		if len(e.Authors) > 0 && (it.Author == nil || it.Author.Name != strings.Join(e.Authors, ", ")) {
			t.Errorf("item %d author %+v, want %q", i, it.Author, e.Authors)
		}
		if e.Conference != "" && !slices.Contains(it.Categories, e.Conference) {
			t.Errorf("item %d categories %q lack the conference %q", i, it.Categories, e.Conference)
		}
		if e.Summary != "" && it.Description != e.Summary {
			t.Errorf("item %d description %q, want %q", i, it.Description, e.Summary)
		}
	}
}

func TestRSSEscapesHostileText(t *testing.T) {
	doc, err := RSS(testInfo(), hostileEntries())
	if err != nil {
		t.Fatal(err)
	}
	var got rssDocBack
	if err := xml.Unmarshal(doc, &got); err != nil {
		t.Fatalf("not well-formed: %v", err)
	}
	if strings.Contains(string(doc), "<script>") {
		t.Error("a <script> tag reached the RSS markup unescaped")
	}
	if got.Channel.Items[0].Title != `<script>alert("title")</script> Hello` {
		t.Errorf("title = %q: text must round-trip as text", got.Channel.Items[0].Title)
	}
}

func TestRSSEmptyAndErrors(t *testing.T) {
	doc, err := RSS(testInfo(), nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := gofeed.NewParser().ParseString(string(doc))
	if err != nil || len(f.Items) != 0 || f.Title != "Linux networking digest" {
		t.Errorf("empty feed: %v, %+v", err, f)
	}
	if f.UpdatedParsed == nil || !f.UpdatedParsed.Equal(testInfo().Updated) {
		t.Errorf("empty feed lastBuildDate = %v, want info.Updated", f.UpdatedParsed)
	}
	if _, err := RSS(testInfo(), []entry.Entry{{Title: "no id"}}); !errors.Is(err, ErrNoID) {
		t.Errorf("entry without id: %v, want ErrNoID", err)
	}
}
