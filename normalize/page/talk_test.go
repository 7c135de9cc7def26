package page

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// TestSplitSpeakersGroup reads the speakers of the Netdev 0.1 news page's
// "accepted proposal - Speakers - Title" headings (the real format, seed
// 002) with a "speakers" group; headings without them stay plain news.
func TestSplitSpeakersGroup(t *testing.T) {
	rules := Rules{Split: &Split{Heading: "h3", Pattern: regexp.MustCompile(
		`^(?P<date>\d{4}-\d{2}-\d{2}):\s*(?:accepted proposal - (?P<speakers>.+?) - )?(?P<title>.+)$`)}}
	doc, err := ParseListing(fixture(t, "netdev01-news.html"), "text/html; charset=utf-8", netdev01URL, rules)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Items) != 75 || len(doc.Warnings) != 0 {
		t.Fatalf("%d items, warnings %q; want 75, none", len(doc.Items), doc.Warnings)
	}
	byTitle := make(map[string][]entry.Speaker, len(doc.Items))
	withSpeakers := 0
	for _, it := range doc.Items {
		byTitle[it.Title] = it.Speakers
		if len(it.Speakers) > 0 {
			withSpeakers++
		}
	}
	sp := func(names ...string) []entry.Speaker {
		var out []entry.Speaker
		for _, n := range names {
			out = append(out, entry.Speaker{Name: n})
		}
		return out
	}
	tests := []struct {
		title string
		want  []entry.Speaker
	}{
		{"Flow API: An abstraction for hardware flow tables", sp("John Fastabend")},
		{"Linux Traffic Control (TC) tutorial", sp("Cong Wang", "Jamal Hadi Salim")},
		{"MLAG on Linux - Lessons Learned", sp("Scott Emery")}, // " - " in the title
		{"MPTCP Upstreaming", sp("Gucea", "Purdila", "Milescu", "Diaconescu")},
		{"BIRD Internet Routing Daemon", sp("Ondřej Zajíček")},
		{"Netfilter BoF", sp("Pete Bohman", "David Gervais", "Josh Hunt")},
		{"Proposal deadline extended", nil},
		{"Links to papers, presentations and videos available", nil},
	}
	for _, tt := range tests {
		got, ok := byTitle[tt.title]
		if !ok {
			t.Errorf("no item titled %q", tt.title)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: speakers %q, want %q", tt.title, got, tt.want)
		}
	}
	if withSpeakers < 30 {
		t.Errorf("%d items with speakers, want the accepted proposals (30 or more)", withSpeakers)
	}
}

// TestSplitTime: split.time reads each entry's talk time in its heading or
// content, keeping the offset written; an entry without one is a warning,
// a selector that matches in no entry an error.
func TestSplitTime(t *testing.T) {
	const url = "https://blog.example/2016/10/06/day-ii/"
	jst := time.FixedZone("", 9*3600)
	page := func(body string) []byte {
		return []byte(`<!DOCTYPE html><html><head><title>Day II</title><meta property="article:published_time" content="2016-10-07T09:00:00+00:00"></head><body><article><div class="entry-content">` +
			body + `</div></article></body></html>`)
	}
	tests := []struct {
		name     string
		kind     string // html or article
		body     string
		split    Split
		layouts  []string
		want     []time.Time
		warning  string
		selError bool
	}{
		{"datetime attribute, offset kept", "article",
			`<h2>XDP workshop</h2><p class="when"><time datetime="2016-10-06T10:30:00+09:00">Thursday 10:30</time></p><p>Tom presented.</p>` +
				`<h2>TC workshop</h2><p class="when"><time datetime="2016-10-06T14:00:00+09:00">14:00</time></p><p>Jamal.</p>`,
			Split{Heading: ".entry-content h2", Time: "p.when time"}, nil,
			[]time.Time{time.Date(2016, 10, 6, 10, 30, 0, 0, jst), time.Date(2016, 10, 6, 14, 0, 0, 0, jst)}, "", false},
		{"text with a layout, in the heading", "html",
			`<h3>XDP <span class="t">2016-10-06 10:30</span></h3><p>a</p><h3>TC <span class="t">2016-10-06 14:00</span></h3><p>b</p>`,
			Split{Heading: "h3", Time: "span.t"}, []string{"2006-01-02 15:04"},
			[]time.Time{time.Date(2016, 10, 6, 10, 30, 0, 0, time.UTC), time.Date(2016, 10, 6, 14, 0, 0, 0, time.UTC)}, "", false},
		{"an attribute named", "article",
			`<h2>XDP</h2><div data-start="2016-10-06T10:30:00-04:00">Room B</div><h2>TC</h2><div data-start="2016-10-06T11:00:00Z">Room C</div>`,
			Split{Heading: ".entry-content h2", Time: "[data-start]", TimeAttr: "data-start"}, nil,
			[]time.Time{time.Date(2016, 10, 6, 10, 30, 0, 0, time.FixedZone("", -4*3600)), time.Date(2016, 10, 6, 11, 0, 0, 0, time.UTC)}, "", false},
		{"one entry without: a warning", "article",
			`<h2>XDP</h2><p><time datetime="2016-10-06T10:30:00+09:00">10:30</time></p><h2>Lunch</h2><p>Food.</p>`,
			Split{Heading: ".entry-content h2", Time: "time"}, nil,
			[]time.Time{time.Date(2016, 10, 6, 10, 30, 0, 0, jst), {}}, "time: no match for time", false},
		{"unparsable: a warning", "html",
			`<h3>XDP</h3><p class="when">Thursday morning</p>`,
			Split{Heading: "h3", Time: "p.when"}, nil,
			[]time.Time{{}}, `time: cannot parse "Thursday morning"`, false},
		{"no entry has one: an error", "article",
			`<h2>XDP</h2><p>a</p><h2>TC</h2><p>b</p>`,
			Split{Heading: ".entry-content h2", Time: "time.talk"}, nil, nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			split := tt.split
			rules := Rules{Split: &split, DateLayouts: tt.layouts}
			parse := ParseListing
			if tt.kind == "article" {
				parse = ParseArticle
			}
			doc, err := parse(page(tt.body), "text/html", url, rules)
			if tt.selError {
				var se *SelectorError
				if !errors.As(err, &se) || se.Name != "time" {
					t.Fatalf("error %v, want a SelectorError for time", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Items) != len(tt.want) {
				t.Fatalf("%d items, want %d", len(doc.Items), len(tt.want))
			}
			for i, w := range tt.want {
				got := doc.Items[i].EventStart
				_, goff := got.Zone()
				_, woff := w.Zone()
				if !got.Equal(w) || goff != woff {
					t.Errorf("item %d event start %v, want %v", i, got, w)
				}
				// The talk's time is not the post's publication date.
				if pub := doc.Items[i].Published; tt.kind == "article" && !pub.Equal(time.Date(2016, 10, 7, 9, 0, 0, 0, time.UTC)) {
					t.Errorf("item %d published %v, want the post's date", i, pub)
				}
			}
			if warnings := strings.Join(doc.Warnings, "\n"); !strings.Contains(warnings, tt.warning) || (tt.warning == "" && warnings != "") {
				t.Errorf("warnings %q, want %q", doc.Warnings, tt.warning)
			}
		})
	}
}
