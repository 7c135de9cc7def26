package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"
	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/store"
)

// addTalks stores two scheduled talks of netdevconf (one updated after
// every other entry of the fixture) the way a fetch would.
func (f *fixture) addTalks() []entry.Entry {
	f.t.Helper()
	vancouver, err := time.LoadLocation("America/Vancouver")
	if err != nil {
		f.t.Skipf("no tzdata: %v", err)
	}
	talks := []entry.Entry{
		{ID: "https://netdevconf.info/0x19/sessions/talk/xdp-hints.html", Title: "XDP hints, finally",
			Link: "https://netdevconf.info/0x19/sessions/talk/xdp-hints.html", Conference: "Netdev 0x19",
			Published: now.Add(-3 * time.Hour), Updated: now.Add(-2 * time.Hour), ContentHash: "t1", Role: entry.RoleAbstract,
			EventStart: time.Date(2026, 3, 10, 9, 30, 0, 0, vancouver), EventEnd: time.Date(2026, 3, 10, 10, 0, 0, 0, vancouver),
			Speakers: []entry.Speaker{{Name: "Jesper Dangaard Brouer", Affiliation: "Red Hat"}}},
		{ID: "https://netdevconf.info/0x19/sessions/talk/tc.html", Title: "tc; the workshop",
			Link: "https://netdevconf.info/0x19/sessions/talk/tc.html", Conference: "Netdev 0x19",
			Published: now.Add(-4 * time.Hour), ContentHash: "t2", Role: entry.RoleAbstract,
			EventStart: time.Date(2026, 3, 9, 14, 0, 0, 0, vancouver)},
	}
	src, _ := f.cfg.Source("netdevconf")
	if _, err := f.store.SaveFetch(context.Background(), store.SourceState{Name: "netdevconf", URL: src.URL,
		LastFetch: now.Add(-time.Minute), LastSuccess: now.Add(-time.Minute)}, talks); err != nil {
		f.t.Fatal(err)
	}
	return talks
}

// TestCalendarHTTP: /talks.ics is the store's talks as text/calendar, with
// the feeds' validators, 304s and gzip, and follows the store.
func TestCalendarHTTP(t *testing.T) {
	f := newFixture(t, nil)
	resp, empty := f.get("/talks.ics")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
		t.Fatalf("GET before any talk: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cal, err := ical.NewDecoder(bytes.NewReader(empty)).Decode(); err != nil || len(cal.Events()) != 0 {
		t.Fatalf("before any talk: %v, want an empty calendar\n%s", err, empty)
	}
	emptyTag := resp.Header.Get("ETag")

	talks := f.addTalks()
	resp, body := f.get("/talks.ics", "If-None-Match", emptyTag)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == emptyTag {
		t.Fatalf("after talks were stored: %d, ETag %q unchanged", resp.StatusCode, emptyTag)
	}
	checkSecurityHeaders(t, "GET /talks.ics", resp.Header)
	cal, err := ical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, body)
	}
	var summaries []string
	for _, ev := range cal.Events() {
		s, _ := ev.Props.Text(ical.PropSummary)
		summaries = append(summaries, s)
	}
	// By start: the workshop on the 9th first. The fixture's other entries
	// have no event start.
	if want := []string{talks[1].Title, talks[0].Title}; strings.Join(summaries, "|") != strings.Join(want, "|") {
		t.Errorf("events %q, want %q", summaries, want)
	}
	if name, _ := cal.Props.Text("X-WR-CALNAME"); name != f.cfg.Title {
		t.Errorf("X-WR-CALNAME %q, want the config's title %q", name, f.cfg.Title)
	}
	uid, _ := cal.Events()[0].Props.Text(ical.PropUID)
	if !strings.HasSuffix(uid, "@netdigest.example") {
		t.Errorf("UID %q, want one at the public link's host", uid)
	}

	etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if lastMod != now.Add(-2*time.Hour).Format(http.TimeFormat) {
		t.Errorf("Last-Modified %q, want the newest talk's update", lastMod)
	}
	for _, tc := range []struct {
		name    string
		headers []string
		status  int
	}{
		{"If-None-Match", []string{"If-None-Match", etag}, http.StatusNotModified},
		{"If-Modified-Since", []string{"If-Modified-Since", lastMod}, http.StatusNotModified},
		{"stale", []string{"If-None-Match", `"stale"`}, http.StatusOK},
	} {
		if resp, b := f.get("/talks.ics", tc.headers...); resp.StatusCode != tc.status || (tc.status == http.StatusOK && !bytes.Equal(b, body)) {
			t.Errorf("%s: %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
	}

	resp, gz := f.get("/talks.ics", "Accept-Encoding", "gzip")
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("ETag") == etag {
		t.Fatalf("gzip: Content-Encoding %q, ETag %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("ETag"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, body) {
		t.Errorf("gzip body differs from the plain one (%v)", err)
	}
	if resp, b := f.do(http.MethodHead, "/talks.ics"); resp.StatusCode != http.StatusOK || len(b) != 0 {
		t.Errorf("HEAD: %d with %d bytes", resp.StatusCode, len(b))
	}
}

// TestPageLinksCalendar: / links the calendar and shows its public URL.
func TestPageLinksCalendar(t *testing.T) {
	f := newFixture(t, nil)
	_, body := f.get("/")
	doc := parseHTML(t, body)
	links := findAll(doc, func(n *html.Node) bool {
		return n.Data == "a" && attr(n, "href") == "./talks.ics" && attr(n, "type") == "text/calendar"
	})
	if len(links) != 1 {
		t.Errorf("%d links to ./talks.ics, want 1", len(links))
	}
	if !bytes.Contains(body, []byte("https://netdigest.example/news/talks.ics")) {
		t.Error("the calendar's public URL is not shown")
	}
}
