package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/internal/shareddata"
	"github.com/netdigest/netdigest/store"
)

// addEntries stores more entries for source as a fetch would.
func (f *fixture) addEntries(source string, es ...entry.Entry) {
	f.t.Helper()
	src, _ := f.cfg.Source(source)
	f.clock = f.clock.Add(time.Minute)
	st := store.SourceState{Name: source, URL: src.URL, LastFetch: f.clock, LastSuccess: f.clock}
	if _, err := f.store.SaveFetch(context.Background(), st, es); err != nil {
		f.t.Fatal(err)
	}
}

// The feeds of a topic and of a conference follow the rules of /feed.atom:
// validators, 304s, gzip, for every format.
func TestPartFeedsHTTP(t *testing.T) {
	f := newFixture(t, nil)
	for _, tc := range []struct {
		path, contentType, lastMod string
	}{
		// The XDP entries: lwn's two, the newest on 22 Nov 16:00.
		{"/topics/xdp.atom", "application/atom+xml; charset=utf-8", "Sun, 22 Nov 2026 16:00:00 GMT"},
		{"/topics/xdp.json", "application/feed+json; charset=utf-8", "Sun, 22 Nov 2026 16:00:00 GMT"},
		{"/topics/xdp.rss", "application/rss+xml; charset=utf-8", "Sun, 22 Nov 2026 16:00:00 GMT"},
		// tohojo's post, updated on 22 Nov 20:00.
		{"/topics/ebpf.atom", "application/atom+xml; charset=utf-8", "Sun, 22 Nov 2026 20:00:00 GMT"},
		{"/conferences/netdev-0x19.atom", "application/atom+xml; charset=utf-8", "Fri, 20 Nov 2026 09:00:00 GMT"},
		{"/conferences/netdev-0x19.rss", "application/rss+xml; charset=utf-8", "Fri, 20 Nov 2026 09:00:00 GMT"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := f.get(tc.path)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != tc.contentType {
				t.Fatalf("GET: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			checkSecurityHeaders(t, tc.path, resp.Header)
			etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
				t.Errorf("ETag %q, want a strong tag", etag)
			}
			if lastMod != tc.lastMod {
				t.Errorf("Last-Modified %q, want %q", lastMod, tc.lastMod)
			}
			if resp.Header.Get("Cache-Control") != "no-cache" || !slices.Contains(resp.Header.Values("Vary"), "Accept-Encoding") {
				t.Errorf("Cache-Control %q, Vary %q", resp.Header.Get("Cache-Control"), resp.Header.Values("Vary"))
			}
			if _, whole := f.get("/feed" + tc.path[strings.LastIndex(tc.path, "."):]); bytes.Equal(whole, body) {
				t.Error("the part's feed is the whole feed")
			}
			for _, h := range [][]string{{"If-None-Match", etag}, {"If-Modified-Since", lastMod}} {
				if resp, b := f.get(tc.path, h...); resp.StatusCode != http.StatusNotModified || len(b) != 0 || resp.Header.Get("ETag") != etag {
					t.Errorf("%s: %d, %d bytes, ETag %q; want 304", h[0], resp.StatusCode, len(b), resp.Header.Get("ETag"))
				}
			}
			if resp, _ := f.get(tc.path, "If-None-Match", `"stale"`); resp.StatusCode != http.StatusOK {
				t.Errorf("stale If-None-Match: %d", resp.StatusCode)
			}
			resp, gz := f.get(tc.path, "Accept-Encoding", "gzip")
			if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("ETag") == etag {
				t.Fatalf("gzip: Content-Encoding %q, ETag %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("ETag"))
			}
			zr, err := gzip.NewReader(bytes.NewReader(gz))
			if err != nil {
				t.Fatal(err)
			}
			if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, body) {
				t.Errorf("gzip body does not decompress to the identity body (%v)", err)
			}
			if resp, b := f.do(http.MethodHead, tc.path); resp.StatusCode != http.StatusOK || len(b) != 0 || resp.Header.Get("ETag") != etag {
				t.Errorf("HEAD: %d, %d bytes", resp.StatusCode, len(b))
			}
		})
	}
}

// Each part's Atom feed is valid, has its own id, title, self and alternate
// links, and holds exactly its entries; names with the same slug are one part.
func TestPartFeedAtom(t *testing.T) {
	f := newFixture(t, nil)
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	// A category spelled "xdp" is the topic XDP; a conference only the
	// stored entries name still gets its feed.
	f.addEntries("bootlin",
		entry.Entry{ID: "https://bootlin.com/?p=9002", Title: "AF_XDP on a small board", Link: "https://bootlin.com/blog/af-xdp/",
			Published: day(23, 9), Tags: []string{"xdp"}, ContentHash: "c2"},
		entry.Entry{ID: "https://bootlin.com/?p=9003", Title: "Notes from the LPC networking MC", Link: "https://bootlin.com/blog/lpc/",
			Published: day(16, 9), Conference: "LPC 2015 · Networking MC", ContentHash: "c3"})

	for _, tc := range []struct {
		path, id, title, self, alternate string
		titles                           []string
	}{
		{"/topics/xdp.atom", "tag:netdigest.example,2026:feed/topics/xdp", "netdigest — XDP",
			"https://netdigest.example/news/topics/xdp.atom", "https://netdigest.example/news/topics/xdp",
			[]string{"AF_XDP on a small board", "Toward a stable XDP metadata API", hostileTitle}},
		{"/topics/ebpf.atom", "tag:netdigest.example,2026:feed/topics/ebpf", "netdigest — eBPF",
			"https://netdigest.example/news/topics/ebpf.atom", "https://netdigest.example/news/topics/ebpf",
			[]string{"Writing a qdisc in BPF"}},
		{"/conferences/netdev-0x19.atom", "tag:netdigest.example,2026:feed/conferences/netdev-0x19", "netdigest — Netdev 0x19",
			"https://netdigest.example/news/conferences/netdev-0x19.atom", "https://netdigest.example/news/conferences/netdev-0x19",
			[]string{"Devmem TCP: zero-copy receive into device memory", "TC workshop"}},
		{"/conferences/lpc-2015-networking-mc.atom", "tag:netdigest.example,2026:feed/conferences/lpc-2015-networking-mc",
			"netdigest — LPC 2015 · Networking MC",
			"https://netdigest.example/news/conferences/lpc-2015-networking-mc.atom", "https://netdigest.example/news/conferences/lpc-2015-networking-mc",
			[]string{"Notes from the LPC networking MC"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := f.get(tc.path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if out, ok := shareddata.ValidateAtom(t, body); !ok {
				t.Errorf("not valid Atom:\n%s", out)
			}
			if !bytes.Contains(body, []byte("<id>"+tc.id+"</id>")) {
				t.Errorf("feed id is not %s", tc.id)
			}
			feed, err := gofeed.NewParser().ParseString(string(body))
			if err != nil {
				t.Fatal(err)
			}
			if feed.Title != tc.title || feed.FeedLink != tc.self || feed.Link != tc.alternate {
				t.Errorf("title %q, self %q, alternate %q; want %q, %q, %q", feed.Title, feed.FeedLink, feed.Link, tc.title, tc.self, tc.alternate)
			}
			var titles []string
			for _, it := range feed.Items {
				titles = append(titles, it.Title)
			}
			if !slices.Equal(titles, tc.titles) {
				t.Errorf("items %q, want %q", titles, tc.titles)
			}
		})
	}

	// The cache follows the store, as the whole feed's does.
	_, before := f.get("/topics/ebpf.json")
	f.addEntries("lwn", entry.Entry{ID: "https://lwn.net/Articles/998003/", Title: "BPF arenas", Link: "https://lwn.net/Articles/998003/",
		Published: day(23, 10), Tags: []string{"eBPF"}, ContentHash: "b3"})
	if _, after := f.get("/topics/ebpf.json"); bytes.Equal(before, after) || !bytes.Contains(after, []byte("BPF arenas")) {
		t.Error("the topic's feed did not follow the store")
	}
}

// partLinks is the href of every <a> under the page's <main>.
func partLinks(t *testing.T, body []byte) []string {
	t.Helper()
	var out []string
	for _, a := range findAll(parseHTML(t, body), tag("a")) {
		out = append(out, attr(a, "href"))
	}
	return out
}

// An unknown slug is a 404 page that lists the known topics and conferences.
func TestPartNotFound(t *testing.T) {
	f := newFixture(t, nil)
	for _, path := range []string{"/topics/nope", "/topics/nope.atom", "/conferences/nope.rss", "/topics/xdp.xml",
		"/topics/XDP", "/conferences/Netdev%200x19"} {
		t.Run(path, func(t *testing.T) {
			resp, body := f.get(path)
			if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("status %d, %q; want a 404 page", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			checkSecurityHeaders(t, path, resp.Header)
			links := partLinks(t, body)
			for _, want := range []string{"../topics/xdp", "../topics/ebpf", "../conferences/netdev-0x19", "../topics/", "../conferences/"} {
				if !slices.Contains(links, want) {
					t.Errorf("no link to %s among %q", want, links)
				}
			}
		})
	}
	// The lists themselves answer 200.
	for _, path := range []string{"/topics/", "/conferences/"} {
		if resp, body := f.get(path); resp.StatusCode != http.StatusOK || !slices.Contains(partLinks(t, body), "../topics/xdp") {
			t.Errorf("%s: %d", path, resp.StatusCode)
		}
	}
}

// A part's page has the home page's layout with the part's entries and its
// own feeds to discover; the home page links every part.
func TestPartPages(t *testing.T) {
	f := newFixture(t, nil)
	resp, body := f.get("/topics/xdp")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	checkSecurityHeaders(t, "/topics/xdp", resp.Header)
	doc := parseHTML(t, body)
	head := findAll(doc, tag("head"))[0]
	for typ, href := range map[string]string{
		"application/atom+xml":  "xdp.atom",
		"application/feed+json": "xdp.json",
		"application/rss+xml":   "xdp.rss",
	} {
		links := findAll(head, func(n *html.Node) bool {
			return n.Data == "link" && attr(n, "rel") == "alternate" && attr(n, "type") == typ
		})
		if len(links) != 1 || attr(links[0], "href") != href {
			t.Errorf("autodiscovery %s: %d links, want one to %s", typ, len(links), href)
		}
	}
	// The autodiscovered feed is served where the link points.
	if resp, _ := f.get("/topics/xdp.atom"); resp.StatusCode != http.StatusOK {
		t.Errorf("the discovered feed answers %d", resp.StatusCode)
	}
	if titles := findAll(doc, tag("title")); len(titles) != 1 || textOf(titles[0]) != "netdigest — XDP" {
		t.Errorf("<title> is not the part's")
	}
	var titles []string
	for _, h4 := range findAll(doc, tag("h4")) {
		titles = append(titles, textOf(h4))
	}
	if want := []string{"Toward a stable XDP metadata API", hostileTitle}; !slices.Equal(titles, want) {
		t.Errorf("entries %q, want %q", titles, want)
	}
	if !bytes.Contains(body, []byte("https://netdigest.example/news/topics/xdp.atom")) {
		t.Error("the public URL of the part's feed is not shown")
	}
	if bytes.Contains(body, []byte(`id="sources"`)) {
		t.Error("a part's page shows the sources' health")
	}
	if !slices.Contains(partLinks(t, body), "../") {
		t.Error("no link home")
	}

	_, home := f.get("/")
	links := partLinks(t, home)
	for _, want := range []string{"./topics/xdp", "./topics/ebpf", "./conferences/netdev-0x19"} {
		if !slices.Contains(links, want) {
			t.Errorf("/ does not link %s", want)
		}
		if resp, _ := f.get(strings.TrimPrefix(want, ".")); resp.StatusCode != http.StatusOK {
			t.Errorf("%s linked from / answers %d", want, resp.StatusCode)
		}
	}

	if resp, body := f.get("/conferences/netdev-0x19"); resp.StatusCode != http.StatusOK ||
		!bytes.Contains(body, []byte("TC workshop")) || bytes.Contains(body, []byte("Writing a qdisc")) {
		t.Errorf("conference page: %d", resp.StatusCode)
	}
}
