package render

import (
	"encoding/xml"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// TestAtomSource checks what an entry's <source> says: the origin feed's own
// id, title and link when it gave them, else the source's public URL and
// name, and no id or link at all for a source without a public URL.
func TestAtomSource(t *testing.T) {
	type link struct {
		Href string `xml:"href,attr"`
	}
	type source struct {
		ID    string `xml:"id"`
		Title string `xml:"title"`
		Link  *link  `xml:"link"`
	}
	tests := []struct {
		name string
		info SourceInfo
		want source
	}{
		{"feed metadata", SourceInfo{Title: "lwn", URL: "https://lwn.net/headlines/rss",
			FeedID: "tag:lwn.net,2026:headlines", FeedTitle: "LWN.net", FeedLink: "https://lwn.net/"},
			source{ID: "tag:lwn.net,2026:headlines", Title: "LWN.net", Link: &link{"https://lwn.net/"}}},
		{"feed title and link, no id", SourceInfo{Title: "lwn", URL: "https://lwn.net/headlines/rss", FeedTitle: "LWN.net", FeedLink: "https://lwn.net/"},
			source{ID: "https://lwn.net/headlines/rss", Title: "LWN.net", Link: &link{"https://lwn.net/"}}},
		{"public URL only", SourceInfo{Title: "lwn", URL: "https://lwn.net/headlines/rss"},
			source{ID: "https://lwn.net/headlines/rss", Title: "lwn", Link: &link{"https://lwn.net/headlines/rss"}}},
		{"snapshot without base", SourceInfo{Title: "snap"}, source{Title: "snap"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := FeedInfo{ID: "urn:x", Title: "t", Sources: map[string]SourceInfo{"s": tt.info}}
			e := entry.Entry{ID: "urn:e", Source: "s", Title: "e", Published: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			out, err := Atom(info, []entry.Entry{e})
			if err != nil {
				t.Fatal(err)
			}
			var feed struct {
				Entries []struct {
					Source source `xml:"source"`
				} `xml:"entry"`
			}
			if err := xml.Unmarshal(out, &feed); err != nil || len(feed.Entries) != 1 {
				t.Fatalf("parse back: %v (%d entries)", err, len(feed.Entries))
			}
			got := feed.Entries[0].Source
			if got.ID != tt.want.ID || got.Title != tt.want.Title || (got.Link == nil) != (tt.want.Link == nil) ||
				(got.Link != nil && *got.Link != *tt.want.Link) {
				t.Errorf("source = %+v (link %v), want %+v (link %v)", got, got.Link, tt.want, tt.want.Link)
			}
		})
	}
}
