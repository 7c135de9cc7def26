package reliability

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/render"
	"github.com/netdigest/netdigest/templates"
)

// undatedFlood is an RDF feed (heise's shape: title, link, description,
// no date) of n items, each with a summary the size of a real one.
func undatedFlood(n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
<channel rdf:about="https://news.example/"><title>news</title><link>https://news.example/</link><description>d</description></channel>
`)
	for i := range n {
		fmt.Fprintf(&b, `<item rdf:about="https://news.example/%d"><title>Off-topic item %d</title><link>https://news.example/%d</link>
<description>%s</description></item>
`, i, i, i, "An item without a date, stamped with the time it was first seen. "+strings.Repeat("Some text of an ordinary length. ", 6))
	}
	b.WriteString("</rdf:RDF>\n")
	return b.String()
}

// TestDigestBudgetFlood: a source of undated off-topic items (each stamped
// "now" by the store, the newest date there is) arrives with a conference's
// talks, through the pipeline and the store: under the size budget the
// talks keep their cards in full and the flood becomes titles and counts.
func TestDigestBudgetFlood(t *testing.T) {
	section(t, secBounds)
	const flood = 3000
	rec := recordAt(t, 30, secBounds, fmt.Sprintf("%d undated items from one feed beside the LPC 2025 Indico export, then a digest", flood),
		"every talk's card in full (conference content first); the undated items are the ones listed by title or counted; both parts under 100 KB")

	news := httptest.NewServer(serveFeed(undatedFlood(flood)))
	defer news.Close()
	export := readRepo(t, "normalize/indico/testdata/lpc2025-event19.json")
	indicoSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, export)
	}))
	defer indicoSrv.Close()
	lpc := config.Source{Name: "lpc2025", Kind: config.KindIndico, URL: indicoSrv.URL, Schedule: "@daily",
		Conference: "LPC 2025 · Networking track", Indico: &config.Indico{Track: "Networking Track"}}
	flooder := feedSource("news", news.URL)
	flooder.MaxItems = flood
	h := newHarness(t, nil, config.Fetch{}, flooder, lpc)
	for name, res := range h.fetchAll(t) {
		if res.Err != nil {
			t.Fatalf("%s: %v", name, res.Err)
		}
	}
	dr, err := render.NewDigestRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	h.runner.DigestRenderer = dr
	h.runner.Config.Digest.FirstDays = 7 // as config.Parse defaults it
	h.clock.Add(time.Minute)             // the digest is made after the fetch
	res, err := h.runner.Digest(context.Background(), pipeline.DigestOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Rendered
	if d == nil || d.Count != flood+6 {
		t.Fatalf("digest of %d entries, want %d", len(res.Entries), flood+6)
	}
	var talks, inFull int
	for _, e := range res.Entries {
		if e.Role != entry.RoleAbstract {
			continue
		}
		talks++
		// A card in full shows the abstract's text.
		if bytes.Contains(d.HTML, []byte(html.EscapeString(e.Summary[:40]))) {
			inFull++
		}
	}
	floodInFull := bytes.Count(d.HTML, []byte("An item without a date"))
	if talks != 6 || inFull != talks {
		t.Errorf("%d of %d talk cards in full", inFull, talks)
	}
	if d.Truncated+d.Omitted == 0 || len(d.HTML) > render.DefaultMaxHTMLBytes || len(d.Text) > render.DefaultMaxHTMLBytes {
		t.Errorf("HTML %d bytes, text %d, %d by title, %d counted: want both under the budget, some shortened",
			len(d.HTML), len(d.Text), d.Truncated, d.Omitted)
	}
	if d.Truncated+d.Omitted+floodInFull != flood {
		t.Errorf("%d undated in full + %d by title + %d counted, want the %d undated items to be all that was cut", floodInFull, d.Truncated, d.Omitted, flood)
	}
	rec.res("%d of %d talk cards in full; of the %d undated items %d in full, %d by title, %d counted (HTML %d bytes, text %d bytes, text: %d by title, %d counted)",
		inFull, talks, flood, floodInFull, d.Truncated, d.Omitted, len(d.HTML), len(d.Text), d.TextTruncated, d.TextOmitted)
}

// TestTalkCardsUntrusted: the well-known vectors in every field a talk card
// shows (title, speakers and affiliations, summary, a write-up's author,
// link) and in the conference's name, through the digest's HTML part:
// nothing survives, and a script URL is never linked.
func TestTalkCardsUntrusted(t *testing.T) {
	section(t, secHTML)
	vs := XSSVectors()
	rec := recordAt(t, 20, secHTML, "well-known vectors in talk fields → digest talk cards",
		fmt.Sprintf("%d vectors (filter evasions: %d), each in a talk's title, speaker, affiliation, summary, a write-up's author and link, and the conference's name: none survives; trace links are http(s) only",
			len(vs), countEvasions(vs)))
	dr, err := render.NewDigestRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	var entries []entry.Entry
	related := map[string][]string{}
	start := time.Date(2025, 12, 11, 10, 0, 0, 0, time.FixedZone("JST", 9*3600))
	for i, v := range vs {
		abstract := fmt.Sprintf("https://lpc.events/event/19/contributions/%d/", i)
		report := fmt.Sprintf("https://blog.example/%d", i)
		conf := "LPC 2025 " + v.HTML
		entries = append(entries,
			entry.Entry{ID: abstract, Source: "lpc2025", Title: v.HTML, Link: abstract, Conference: conf,
				Role: entry.RoleAbstract, EventStart: start.Add(time.Duration(i) * time.Hour), EventEnd: start.Add(time.Duration(i)*time.Hour + 30*time.Minute),
				Speakers: []entry.Speaker{{Name: v.HTML, Affiliation: v.HTML}}, Summary: v.HTML, Published: start, FirstSeen: start},
			entry.Entry{ID: report, Source: "blog", Title: "Write-up " + v.HTML, Link: "javascript:alert(1)//" + v.HTML, Conference: conf,
				Role: entry.RoleReport, Authors: []string{v.HTML}, Summary: v.HTML, Published: start, FirstSeen: start})
		related[report] = []string{abstract}
	}
	var s survivors
	cards, scriptLinks := 0, 0
	for from := 0; from < len(entries); from += 40 {
		batch := entries[from:min(from+40, len(entries))]
		d, err := dr.Render(render.DigestInfo{Title: "t", Related: related, Now: start.Add(-time.Hour)}, batch)
		if err != nil {
			t.Fatal(err)
		}
		if d.Truncated+d.Omitted > 0 {
			t.Fatalf("batch cut for size")
		}
		for _, g := range d.Groups {
			cards += len(g.Coming) + len(g.Talks)
		}
		s.check(fmt.Sprintf("digest (entries %d-%d)", from, from+len(batch)-1), string(d.HTML), Document)
		scriptLinks += bytes.Count(bytes.ToLower(d.HTML), []byte(`href="javascript:`))
	}
	for _, p := range s {
		t.Error(p)
	}
	if cards != len(vs) || scriptLinks != 0 {
		t.Errorf("%d cards (want %d, one per talk), %d script links", cards, len(vs), scriptLinks)
	}
	rec.res("%d talks (abstract + write-up each) on %d cards checked: %d survivors, %d script links", len(vs), cards, len(s), scriptLinks)
}
