package page

import (
	"testing"
	"time"

	"github.com/netdigest/netdigest/normalize"
)

// TestListingKeepsDistinctAnchors: listed items that link to anchors of one
// page stay distinct entries with their anchors (issue #16).
func TestListingKeepsDistinctAnchors(t *testing.T) {
	body := []byte(`<html><body><ul>
<li class="talk"><a href="/schedule.html#xdp">XDP in production</a></li>
<li class="talk"><a href="/schedule.html#tc">tc flower offload</a></li>
<li class="talk"><a href="/other.html#top">Other page</a></li>
</ul></body></html>`)
	doc, err := ParseListing(body, "text/html", "https://conf.example.org/", Rules{Item: "li.talk", Title: "a"})
	if err != nil {
		t.Fatal(err)
	}
	es := normalize.New().Entries(normalize.Source{Name: "conf", URL: "https://conf.example.org/"}, doc, time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	want := []string{"https://conf.example.org/schedule.html#xdp", "https://conf.example.org/schedule.html#tc",
		"https://conf.example.org/other.html"}
	if len(es) != len(want) {
		t.Fatalf("%d entries, want %d", len(es), len(want))
	}
	for i, w := range want {
		if es[i].Link != w {
			t.Errorf("entry %d link = %q, want %q", i, es[i].Link, w)
		}
	}
	if es[0].ID == es[1].ID {
		t.Errorf("the two talks share the id %q", es[0].ID)
	}
}
