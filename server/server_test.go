package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/internal/shareddata"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/render"
	"github.com/netdigest/netdigest/store"
	"github.com/netdigest/netdigest/templates"
)

// now is the fixture's clock: Monday 23 Nov 2026, 12:00 UTC.
var now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// testConfig is a feeds.yaml like the repository's: real sources of the
// field (URLs as they publish them), topics, a digest timezone.
const testConfig = `
title: netdigest — Linux networking news
id: tag:netdigest.example,2026:feed
link: https://netdigest.example/news/
max_entries: 50
topics:
  XDP: [xdp, af_xdp]
  eBPF: [ebpf, bpf]
digest:
  schedule: "0 8 * * MON"
  timezone: Europe/Paris
sources:
  - name: netdevconf
    kind: feed
    url: https://netdevconf.info/feed.xml
    conference: Netdev 0x19
  - name: lwn
    kind: feed
    url: https://lwn.net/headlines/rss
    schedule: "@every 30m"
  - name: bootlin
    kind: feed
    url: https://bootlin.com/feed/
  - name: kernel-org
    kind: feed
    url: https://www.kernel.org/feeds/kdist.xml
  - name: tohojo
    kind: feed
    url: https://blog.tohojo.dk/feeds/all.atom.xml
  - name: old-wiki
    kind: feed
    url: https://wiki.example.org/netdev/feed.xml
`

type fakeSchedule struct {
	next   map[string]time.Time
	digest time.Time
}

func (f fakeSchedule) Next(source string) time.Time { return f.next[source] }
func (f fakeSchedule) NextDigest() time.Time        { return f.digest }

// fixture is a store filled the way the pipeline fills it, and a handler
// serving it.
type fixture struct {
	t       *testing.T
	cfg     *config.Config
	store   *store.Store
	runner  *pipeline.Runner
	metrics *Metrics
	srv     *httptest.Server
	clock   time.Time
	digest  *store.Digest
}

// hostileTitle must reach the page as text, never as markup.
const hostileTitle = `<script>alert("x")</script><img src=x onerror=alert(1)> XDP & "quotes"`

// fixtureEntries are one week of the sources above, in the formats their
// sites publish (titles, links and authors as they appear there).
func fixtureEntries() map[string][]entry.Entry {
	day := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	return map[string][]entry.Entry{
		"netdevconf": {
			{ID: "https://netdevconf.info/0x19/sessions/talk/devmem-tcp.html", Title: "Devmem TCP: zero-copy receive into device memory",
				Link: "https://netdevconf.info/0x19/sessions/talk/devmem-tcp.html", Authors: []string{"Mina Almasry"},
				Published: day(20, 9), Summary: "Receiving TCP payloads directly into GPU memory with page_pool and dma-buf.",
				Content: "<p>Receiving TCP payloads directly into GPU memory.</p>", Conference: "Netdev 0x19", Tags: []string{"netdev"}, ContentHash: "a1"},
			{ID: "https://netdevconf.info/0x19/sessions/workshop/tc.html", Title: "TC workshop",
				Link: "https://netdevconf.info/0x19/sessions/workshop/tc.html", Authors: []string{"Jamal Hadi Salim", "Victor Nogueira"},
				Published: day(19, 14), Summary: "The yearly traffic control workshop.", Conference: "Netdev 0x19", ContentHash: "a2"},
		},
		"lwn": {
			{ID: "https://lwn.net/Articles/998001/", Title: "Toward a stable XDP metadata API", Link: "https://lwn.net/Articles/998001/",
				Authors: []string{"Jonathan Corbet"}, Published: day(22, 16), Summary: "Hints for XDP programs: where the timestamp is.",
				Tags: []string{"XDP"}, ContentHash: "b1"},
			{ID: "https://lwn.net/Articles/998002/", Title: hostileTitle, Link: "https://lwn.net/Articles/998002/",
				Published: day(21, 10), Summary: `A summary with <b>markup</b> & an ampersand.`, Tags: []string{"XDP"}, ContentHash: "b2"},
		},
		"bootlin": {
			{ID: "https://bootlin.com/?p=9001", Title: "Linux 6.18 released, Bootlin contributions", Link: "https://bootlin.com/blog/linux-6-18-released/",
				Authors: []string{"Thomas Petazzoni"}, Published: day(18, 8), Summary: "Our contributions to Linux 6.18.", ContentHash: "c1"},
		},
		"tohojo": {
			{ID: "tag:blog.tohojo.dk,2026-11-17:/2026/11/bpf-qdisc.html", Title: "Writing a qdisc in BPF",
				Link: "https://blog.tohojo.dk/2026/11/bpf-qdisc.html", Authors: []string{"Toke Høiland-Jørgensen"},
				Published: day(17, 12), Updated: day(22, 20), Summary: "sch_bpf lands: a FIFO in 40 lines of eBPF.",
				Tags: []string{"eBPF"}, ContentHash: "d1"},
		},
	}
}

func newFixture(t *testing.T, sched Schedule) *fixture {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "feeds.yaml"), []byte(testConfig))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	f := &fixture{t: t, cfg: cfg, clock: now, metrics: NewMetrics()}
	clock := func() time.Time { return f.clock }
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Store, func() time.Time { return now.Add(-time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.store = st

	ok := func(name string) store.SourceState {
		src, _ := cfg.Source(name)
		return store.SourceState{Name: name, URL: src.URL, ETag: `"v1"`, LastFetch: now.Add(-time.Hour), LastSuccess: now.Add(-time.Hour)}
	}
	for name, es := range fixtureEntries() {
		if _, err := st.SaveFetch(ctx, ok(name), es); err != nil {
			t.Fatal(err)
		}
	}
	// kernel-org fails (three times in a row), old-wiki answered 410.
	broken := ok("kernel-org")
	broken.LastSuccess = now.Add(-72 * time.Hour)
	broken.LastError = `source "kernel-org": GET https://www.kernel.org/feeds/kdist.xml: HTTP 502 Bad Gateway`
	broken.Failures = 3
	if err := st.SaveState(ctx, broken); err != nil {
		t.Fatal(err)
	}
	gone := ok("old-wiki")
	gone.Gone, gone.LastError, gone.Failures = true, `source "old-wiki": HTTP 410 Gone`, 1
	if err := st.SaveState(ctx, gone); err != nil {
		t.Fatal(err)
	}

	// tohojo answered 429 with Retry-After: deferred two hours.
	deferred := ok("tohojo")
	deferred.LastFetch, deferred.NextTry, deferred.Failures = now.Add(-10*time.Minute), now.Add(2*time.Hour), 1
	deferred.LastError = `source "tohojo": GET https://blog.tohojo.dk/feeds/all.atom.xml: HTTP 429 Too Many Requests`
	if err := st.SaveState(ctx, deferred); err != nil {
		t.Fatal(err)
	}

	f.runner = &pipeline.Runner{Config: cfg, Store: st, Version: "1.2.3-test", Now: clock}
	f.digest = f.prepareDigest()

	h, err := New(Deps{Config: cfg, Runner: f.runner, Schedule: sched, Metrics: f.metrics, Templates: templates.FS, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

// prepareDigest records a digest of every entry as the pipeline does: the
// real renderer's HTML, marked sent.
func (f *fixture) prepareDigest() *store.Digest {
	f.t.Helper()
	ctx := context.Background()
	entries, err := f.store.Latest(ctx, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	r, err := render.NewDigestRenderer(templates.FS)
	if err != nil {
		f.t.Fatal(err)
	}
	start := now.Add(-7 * 24 * time.Hour)
	out, err := r.Render(render.DigestInfo{Title: f.cfg.Title, FeedURL: "https://netdigest.example/news/feed.atom",
		Start: start, End: now, Topics: []string{"XDP", "eBPF"}}, entries)
	if err != nil {
		f.t.Fatal(err)
	}
	d := &store.Digest{ID: "20261123T080000Z", PeriodStart: start, PeriodEnd: now.Add(-4 * time.Hour), Created: now.Add(-4 * time.Hour),
		MessageID: "digest-20261123T080000Z@netdigest.example", Subject: out.Subject, Message: []byte("Subject: x\r\n\r\nx"),
		HTML: string(out.HTML), Text: string(out.Text)}
	if err := f.store.PrepareDigest(ctx, d); err != nil {
		f.t.Fatal(err)
	}
	if err := f.store.MarkSent(ctx, d.ID, "test"); err != nil {
		f.t.Fatal(err)
	}
	return d
}

// get requests path with headers given as name, value pairs. The transport
// does not ask for gzip itself, so what the test asks for is what is sent.
func (f *fixture) do(method, path string, headers ...string) (*http.Response, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp, body
}

func (f *fixture) get(path string, headers ...string) (*http.Response, []byte) {
	f.t.Helper()
	return f.do(http.MethodGet, path, headers...)
}

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
	} {
		if got := h.Get(k); got != want {
			t.Errorf("%s: %s = %q, want %q", what, k, got, want)
		}
	}
	csp := h.Get("Content-Security-Policy")
	// A page with the search form may submit it to the server itself
	// (issue #13); nothing else may submit anything anywhere.
	action := "form-action 'none'"
	if strings.HasPrefix(h.Get("Content-Type"), "text/html") && strings.Contains(csp, "form-action 'self'") {
		action = "form-action 'self'"
	}
	for _, d := range []string{"default-src 'none'", "base-uri 'none'", action, "frame-ancestors 'none'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("%s: Content-Security-Policy %q lacks %q", what, csp, d)
		}
	}
	if strings.Contains(csp, "script-src") || strings.Contains(csp, "'unsafe-eval'") {
		t.Errorf("%s: Content-Security-Policy %q allows scripts", what, csp)
	}
}

var feedPaths = []struct {
	path, contentType string
}{
	{"/feed.atom", "application/atom+xml; charset=utf-8"},
	{"/feed.json", "application/feed+json; charset=utf-8"},
	{"/feed.rss", "application/rss+xml; charset=utf-8"},
}

// The conditional-GET and gzip rules hold for every format of the feed.
func TestFeedsHTTP(t *testing.T) {
	f := newFixture(t, nil)
	for _, fp := range feedPaths {
		t.Run(fp.path, func(t *testing.T) {
			resp, body := f.get(fp.path)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != fp.contentType {
				t.Fatalf("GET: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			checkSecurityHeaders(t, "GET "+fp.path, resp.Header)
			etag, lastMod := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			if !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") || len(etag) < 10 {
				t.Errorf("ETag %q, want a strong quoted tag", etag)
			}
			// The newest update: tohojo's post, updated 22 Nov 20:00.
			if lastMod != "Sun, 22 Nov 2026 20:00:00 GMT" {
				t.Errorf("Last-Modified %q, want the newest entry update", lastMod)
			}
			if !slices.Contains(resp.Header.Values("Vary"), "Accept-Encoding") {
				t.Errorf("Vary = %q, want Accept-Encoding", resp.Header.Values("Vary"))
			}
			if resp.Header.Get("Content-Encoding") != "" {
				t.Errorf("Content-Encoding %q without Accept-Encoding", resp.Header.Get("Content-Encoding"))
			}

			// Same bytes, same tag, on the next request.
			if resp2, body2 := f.get(fp.path); resp2.Header.Get("ETag") != etag || !bytes.Equal(body, body2) {
				t.Error("a second GET gave other bytes or another ETag")
			}

			for _, tc := range []struct {
				name    string
				headers []string
				status  int
			}{
				{"If-None-Match", []string{"If-None-Match", etag}, http.StatusNotModified},
				{"If-None-Match among others", []string{"If-None-Match", `"stale", ` + etag}, http.StatusNotModified},
				{"If-None-Match stale", []string{"If-None-Match", `"stale"`}, http.StatusOK},
				{"If-Modified-Since same", []string{"If-Modified-Since", lastMod}, http.StatusNotModified},
				{"If-Modified-Since later", []string{"If-Modified-Since", "Mon, 23 Nov 2026 00:00:00 GMT"}, http.StatusNotModified},
				{"If-Modified-Since earlier", []string{"If-Modified-Since", "Sat, 21 Nov 2026 00:00:00 GMT"}, http.StatusOK},
				// If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
				{"stale tag, fresh date", []string{"If-None-Match", `"stale"`, "If-Modified-Since", lastMod}, http.StatusOK},
			} {
				t.Run(tc.name, func(t *testing.T) {
					resp, b := f.get(fp.path, tc.headers...)
					if resp.StatusCode != tc.status {
						t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
					}
					checkSecurityHeaders(t, tc.name, resp.Header)
					if tc.status == http.StatusNotModified {
						if len(b) != 0 {
							t.Errorf("304 with a %d-byte body", len(b))
						}
						if resp.Header.Get("ETag") != etag {
							t.Errorf("304 ETag %q, want %q", resp.Header.Get("ETag"), etag)
						}
					} else if !bytes.Equal(b, body) {
						t.Error("200 with other bytes")
					}
				})
			}

			t.Run("gzip", func(t *testing.T) {
				resp, gz := f.get(fp.path, "Accept-Encoding", "br;q=1.0, gzip;q=0.8")
				if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
					t.Fatalf("status %d, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
				}
				if !slices.Contains(resp.Header.Values("Vary"), "Accept-Encoding") {
					t.Errorf("Vary = %q", resp.Header.Values("Vary"))
				}
				zr, err := gzip.NewReader(bytes.NewReader(gz))
				if err != nil {
					t.Fatal(err)
				}
				plain, err := io.ReadAll(zr)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(plain, body) {
					t.Error("gzip body does not decompress to the identity body")
				}
				if len(gz) >= len(body) {
					t.Errorf("gzip %d bytes, identity %d", len(gz), len(body))
				}
				gzTag := resp.Header.Get("ETag")
				if gzTag == etag || !strings.HasSuffix(gzTag, `-gz"`) {
					t.Errorf("gzip ETag %q (identity %q): want a distinct tag", gzTag, etag)
				}
				if resp, b := f.get(fp.path, "Accept-Encoding", "gzip", "If-None-Match", gzTag); resp.StatusCode != http.StatusNotModified || len(b) != 0 {
					t.Errorf("If-None-Match gzip tag: %d, %d bytes", resp.StatusCode, len(b))
				}
				// The gzip tag names other bytes than the identity body.
				if resp, _ := f.get(fp.path, "If-None-Match", gzTag); resp.StatusCode != http.StatusOK {
					t.Errorf("gzip tag without gzip: %d, want 200", resp.StatusCode)
				}
				if resp, _ := f.get(fp.path, "Accept-Encoding", "gzip;q=0, identity"); resp.Header.Get("Content-Encoding") != "" {
					t.Error("gzip;q=0 still got gzip")
				}
			})

			t.Run("HEAD", func(t *testing.T) {
				resp, b := f.do(http.MethodHead, fp.path)
				if resp.StatusCode != http.StatusOK || len(b) != 0 || resp.Header.Get("ETag") != etag ||
					resp.Header.Get("Content-Length") != fmt.Sprint(len(body)) {
					t.Errorf("HEAD: %d, %d bytes, ETag %q, Content-Length %q", resp.StatusCode, len(b), resp.Header.Get("ETag"), resp.Header.Get("Content-Length"))
				}
			})
			t.Run("Range", func(t *testing.T) {
				resp, b := f.get(fp.path, "Range", "bytes=0-9")
				if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(b, body[:10]) {
					t.Errorf("Range: %d %q", resp.StatusCode, b)
				}
			})
			for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
				resp, _ := f.do(m, fp.path)
				if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
					t.Errorf("%s: %d, Allow %q; want 405 with Allow: GET, HEAD", m, resp.StatusCode, resp.Header.Get("Allow"))
				}
				checkSecurityHeaders(t, m, resp.Header)
			}
		})
	}
}

func TestFeedAtomBody(t *testing.T) {
	f := newFixture(t, nil)
	_, body := f.get("/feed.atom")
	want, err := f.runner.RenderFeed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, want) {
		t.Error("/feed.atom differs from Runner.RenderFeed")
	}
	if out, ok := shareddata.ValidateAtom(t, body); !ok {
		t.Errorf("/feed.atom is not valid Atom:\n%s", out)
	}
	feed, err := gofeed.NewParser().ParseString(string(body))
	if err != nil {
		t.Fatal(err)
	}
	if feed.FeedLink != "https://netdigest.example/news/feed.atom" || len(feed.Items) != 6 {
		t.Errorf("self link %q, %d items", feed.FeedLink, len(feed.Items))
	}
}

// The cached bytes follow the store: a fetch that brings an entry changes
// every format at once, without waiting for the cache to expire.
func TestFeedCacheFollowsStore(t *testing.T) {
	f := newFixture(t, nil)
	before := map[string]string{}
	for _, fp := range feedPaths {
		resp, _ := f.get(fp.path)
		before[fp.path] = resp.Header.Get("ETag")
	}
	src, _ := f.cfg.Source("lwn")
	e := entry.Entry{ID: "https://lwn.net/Articles/998100/", Title: "AF_XDP gains multi-buffer support",
		Link: "https://lwn.net/Articles/998100/", Published: now.Add(-10 * time.Minute), Summary: "Jumbo frames in AF_XDP.",
		ContentHash: "b3"}
	if _, err := f.store.SaveFetch(context.Background(), store.SourceState{Name: "lwn", URL: src.URL,
		LastFetch: now.Add(-5 * time.Minute), LastSuccess: now.Add(-5 * time.Minute)}, []entry.Entry{e}); err != nil {
		t.Fatal(err)
	}
	for _, fp := range feedPaths {
		resp, body := f.get(fp.path, "If-None-Match", before[fp.path])
		if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == before[fp.path] {
			t.Errorf("%s after a new entry: %d, ETag unchanged", fp.path, resp.StatusCode)
		}
		if !bytes.Contains(body, []byte("AF_XDP gains multi-buffer support")) {
			t.Errorf("%s lacks the new entry", fp.path)
		}
		if lm := resp.Header.Get("Last-Modified"); lm != "Mon, 23 Nov 2026 11:50:00 GMT" {
			t.Errorf("%s Last-Modified %q after the new entry", fp.path, lm)
		}
	}
}

// The cache also expires: a change it cannot see (here the clock, which an
// empty feed's date follows) shows after CacheTTL.
func TestFeedCacheExpires(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "feeds.yaml"), []byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), cfg.Store, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clock := now
	tick := func() time.Time { return clock }
	h, err := New(Deps{Runner: &pipeline.Runner{Config: cfg, Store: st, Now: tick}, Now: tick, CacheTTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	get := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/feed.atom", nil))
		return rec.Header().Get("Last-Modified")
	}
	first := get()
	clock = clock.Add(30 * time.Second)
	if got := get(); got != first {
		t.Errorf("within the TTL: Last-Modified %q, want the cached %q", got, first)
	}
	clock = clock.Add(time.Minute)
	if got := get(); got == first {
		t.Errorf("after the TTL: Last-Modified still %q", got)
	}
}

func TestFeedJSON(t *testing.T) {
	f := newFixture(t, nil)
	_, body := f.get("/feed.json")
	var doc struct {
		Version string `json:"version"`
		Title   string `json:"title"`
		FeedURL string `json:"feed_url"`
		Home    string `json:"home_page_url"`
		Items   []struct {
			ID, URL, Title string
			ContentHTML    string `json:"content_html"`
			ContentText    string `json:"content_text"`
			Published      string `json:"date_published"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != render.JSONFeedVersion || doc.Title != f.cfg.Title ||
		doc.FeedURL != "https://netdigest.example/news/feed.json" || doc.Home != f.cfg.Link {
		t.Errorf("feed: %q %q %q %q", doc.Version, doc.Title, doc.FeedURL, doc.Home)
	}
	latest, err := f.store.Latest(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Items) != len(latest) {
		t.Fatalf("%d items, want %d", len(doc.Items), len(latest))
	}
	for i, it := range doc.Items {
		if it.ID != latest[i].ID || it.URL != latest[i].Link || it.Title != latest[i].Title || it.Published == "" ||
			(it.ContentHTML == "" && it.ContentText == "") {
			t.Errorf("item %d = %+v, want entry %q", i, it, latest[i].ID)
		}
	}

	schema := shareddata.Path(t, "corpus", "jsonfeed", "schema", "schema-v1.1.json")
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(schema)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("/feed.json does not validate against JSON Feed 1.1: %v", err)
	}
}

// A feed reader gets the same items from the RSS as from the Atom feed.
func TestFeedRSSMatchesAtom(t *testing.T) {
	f := newFixture(t, nil)
	_, atomBody := f.get("/feed.atom")
	_, rssBody := f.get("/feed.rss")
	p := gofeed.NewParser()
	atom, err := p.ParseString(string(atomBody))
	if err != nil {
		t.Fatal(err)
	}
	rss, err := p.ParseString(string(rssBody))
	if err != nil {
		t.Fatal(err)
	}
	if rss.FeedType != "rss" || rss.Title != atom.Title || rss.FeedLink != "https://netdigest.example/news/feed.rss" {
		t.Errorf("rss feed: %s %q %q", rss.FeedType, rss.Title, rss.FeedLink)
	}
	if len(rss.Items) != len(atom.Items) || len(rss.Items) == 0 {
		t.Fatalf("rss %d items, atom %d", len(rss.Items), len(atom.Items))
	}
	for i := range atom.Items {
		a, r := atom.Items[i], rss.Items[i]
		if r.Title != a.Title || r.Link != a.Link || r.GUID != a.GUID {
			t.Errorf("item %d: rss %q %q %q, atom %q %q %q", i, r.Title, r.Link, r.GUID, a.Title, a.Link, a.GUID)
		}
		if r.PublishedParsed == nil || a.PublishedParsed == nil || !r.PublishedParsed.Equal(*a.PublishedParsed) {
			t.Errorf("item %d published: rss %v, atom %v", i, r.PublishedParsed, a.PublishedParsed)
		}
	}
}

// --- the web page ---

func parseHTML(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func TestPage(t *testing.T) {
	sched := fakeSchedule{
		next: map[string]time.Time{
			"netdevconf": now.Add(40 * time.Minute),
			"lwn":        now.Add(12 * time.Minute),
			"kernel-org": now.Add(3 * time.Hour), // backing off
		},
		digest: time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC),
	}
	f := newFixture(t, sched)
	resp, body := f.get("/")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	checkSecurityHeaders(t, "GET /", resp.Header)
	doc := parseHTML(t, body)
	page := textOf(doc)

	if n := findAll(doc, tag("script")); len(n) > 0 {
		t.Errorf("%d <script> elements", len(n))
	}
	if findAll(doc, func(n *html.Node) bool { return n.Data == "meta" && attr(n, "name") == "viewport" }) == nil {
		t.Error("no viewport meta")
	}

	// Autodiscovery in the head, one per format.
	head := findAll(doc, tag("head"))[0]
	for typ, href := range map[string]string{
		"application/atom+xml":  "./feed.atom",
		"application/feed+json": "./feed.json",
		"application/rss+xml":   "./feed.rss",
	} {
		links := findAll(head, func(n *html.Node) bool {
			return n.Data == "link" && attr(n, "rel") == "alternate" && attr(n, "type") == typ
		})
		if len(links) != 1 || attr(links[0], "href") != href {
			t.Errorf("autodiscovery %s: %d links, want one to %s", typ, len(links), href)
		}
	}
	// The subscribe link, and the URL to paste into a reader.
	subscribe := findAll(doc, func(n *html.Node) bool {
		return n.Data == "a" && attr(n, "href") == "./feed.atom" && strings.Contains(textOf(n), "Subscribe")
	})
	if len(subscribe) != 1 {
		t.Errorf("%d subscribe links, want 1", len(subscribe))
	}
	if !strings.Contains(page, "https://netdigest.example/news/feed.atom") {
		t.Error("the public feed URL is not shown")
	}

	// Groups like the digest's, in its order, each entry once.
	latest, err := f.store.Latest(context.Background(), 50)
	if err != nil {
		t.Fatal(err)
	}
	var wantGroups []string
	for _, g := range render.Organize(latest, render.Organization{Topics: []string{"XDP", "eBPF"}, Now: now}) {
		wantGroups = append(wantGroups, g.Name)
	}
	if want := []string{"Netdev 0x19", "XDP", "eBPF", render.OtherNews}; !slices.Equal(wantGroups, want) {
		t.Fatalf("fixture groups %q, want %q", wantGroups, want)
	}
	var gotGroups []string
	for _, h3 := range findAll(doc, tag("h3")) {
		gotGroups = append(gotGroups, textOf(findAll(h3, tag("bdi"))[0]))
	}
	if !slices.Equal(gotGroups, wantGroups) {
		t.Errorf("group headings %q, want %q", gotGroups, wantGroups)
	}
	var titles []string
	for _, h4 := range findAll(doc, tag("h4")) {
		titles = append(titles, textOf(h4))
	}
	for _, e := range latest {
		if n := slices.Index(titles, e.Title); n < 0 {
			t.Errorf("entry %q not on the page", e.Title)
		}
	}
	if len(titles) != len(latest) {
		t.Errorf("%d entry headings, want %d", len(titles), len(latest))
	}
	// The hostile title is text: no element came out of it, and its
	// markup is escaped in the bytes.
	if bytes.Contains(body, []byte("<script>alert")) || bytes.Contains(body, []byte("<img src=x")) {
		t.Error("hostile title reached the page as markup")
	}
	if findAll(doc, tag("img")) != nil {
		t.Error("an <img> element appeared")
	}
	// Links are the entries' own, with the digest's author line.
	if links := findAll(doc, func(n *html.Node) bool {
		return n.Data == "a" && attr(n, "href") == "https://netdevconf.info/0x19/sessions/workshop/tc.html"
	}); len(links) != 1 {
		t.Errorf("%d links to the TC workshop, want 1", len(links))
	}
	if !strings.Contains(page, "Jamal Hadi Salim, Victor Nogueira") {
		t.Error("authors not shown")
	}

	// The health table: one row per configured source, in config order.
	rows := map[string]*html.Node{}
	var order []string
	for _, tr := range findAll(doc, tag("tr")) {
		if th := findAll(tr, func(n *html.Node) bool { return n.Data == "th" && attr(n, "scope") == "row" }); th != nil {
			name := textOf(th[0])
			rows[name] = tr
			order = append(order, name)
		}
	}
	var wantOrder []string
	for _, s := range f.cfg.Sources {
		wantOrder = append(wantOrder, s.Name)
	}
	if !slices.Equal(order, wantOrder) {
		t.Fatalf("health rows %q, want %q", order, wantOrder)
	}
	cell := func(source, label string) string {
		for _, td := range findAll(rows[source], tag("td")) {
			if attr(td, "data-label") == label {
				return textOf(td)
			}
		}
		t.Fatalf("%s: no %q cell", source, label)
		return ""
	}
	for _, tc := range []struct{ source, label, want string }{
		{"kernel-org", "State", "failing"},
		{"kernel-org", "Last error", `source "kernel-org": GET https://www.kernel.org/feeds/kdist.xml: HTTP 502 Bad Gateway`},
		{"kernel-org", "Failures", "3"},
		{"kernel-org", "Last success", "2026-11-20 13:00 CET (3 days ago)"},
		{"kernel-org", "Next fetch", "2026-11-23 16:00 CET (in 3 h)"},
		{"lwn", "State", "OK"},
		{"lwn", "Kind", "feed"},
		{"lwn", "Last success", "2026-11-23 12:00 CET (1 h ago)"},
		{"lwn", "Next fetch", "2026-11-23 13:12 CET (in 12 min)"},
		{"lwn", "Last error", "—"},
		{"bootlin", "Next fetch", "—"}, // the plan does not know it
		{"old-wiki", "State", "gone (HTTP 410): not fetched until its url changes"},
		{"tohojo", "State", "deferred until 2026-11-23 15:00 CET (the server asked to wait)"},
	} {
		if got := cell(tc.source, tc.label); got != tc.want {
			t.Errorf("%s %s = %q, want %q", tc.source, tc.label, got, tc.want)
		}
	}
	if attr(rows["kernel-org"], "class") != "failing" || attr(rows["old-wiki"], "class") != "gone" ||
		attr(rows["tohojo"], "class") != "deferred" {
		t.Error("failing, gone and deferred rows are not marked")
	}
	if !strings.Contains(page, "2 failing") {
		t.Error("the failing count is not shown")
	}

	// The digest archive links the digest, and says when the next one is.
	archive := findAll(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == "digests/"+f.digest.ID })
	if len(archive) != 1 || textOf(archive[0]) != f.digest.Subject {
		t.Errorf("digest archive link: %d links", len(archive))
	}
	if !strings.Contains(page, "Next digest: 2026-11-30 08:00 CET") {
		t.Error("the next digest's time is not shown")
	}

	// The CSP allows exactly the page's <style>, by hash.
	styles := findAll(doc, tag("style"))
	if len(styles) != 1 {
		t.Fatalf("%d <style> elements", len(styles))
	}
	sum := sha256.Sum256([]byte(styles[0].FirstChild.Data))
	hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "style-src "+hash+";") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q, want style-src %s only", csp, hash)
	}
	if findAll(doc, func(n *html.Node) bool { return attr(n, "style") != "" }) != nil {
		t.Error("a style attribute, which the CSP blocks")
	}

	// HEAD: the headers, no body.
	hresp, hbody := f.do(http.MethodHead, "/")
	if hresp.StatusCode != http.StatusOK || len(hbody) != 0 || hresp.Header.Get("Content-Length") != fmt.Sprint(len(body)) {
		t.Errorf("HEAD /: %d, %d bytes, Content-Length %q", hresp.StatusCode, len(hbody), hresp.Header.Get("Content-Length"))
	}
}

// Without a schedule (one-shot use) planned times are a dash.
func TestPageWithoutSchedule(t *testing.T) {
	f := newFixture(t, nil)
	_, body := f.get("/")
	doc := parseHTML(t, body)
	var next []string
	for _, td := range findAll(doc, func(n *html.Node) bool { return n.Data == "td" && attr(n, "data-label") == "Next fetch" }) {
		next = append(next, textOf(td))
	}
	if len(next) != len(f.cfg.Sources) || slices.ContainsFunc(next, func(s string) bool { return s != "—" }) {
		t.Errorf("next fetch cells %q, want a dash for each source", next)
	}
	if !strings.Contains(textOf(doc), "Next digest: —") {
		t.Error("next digest is not a dash")
	}
}

// An empty store (a daemon's first minute) still gives a page.
func TestPageEmptyStore(t *testing.T) {
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "feeds.yaml"), []byte(testConfig))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), cfg.Store, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h, err := New(Deps{Runner: &pipeline.Runner{Config: cfg, Store: st}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	text := textOf(parseHTML(t, rec.Body.Bytes()))
	for _, want := range []string{"No entries yet", "not fetched yet", "No digest has been made yet"} {
		if !strings.Contains(text, want) {
			t.Errorf("empty page lacks %q", want)
		}
	}
}

// --- archived digests ---

func TestDigestArchive(t *testing.T) {
	f := newFixture(t, nil)
	resp, body := f.get("/digests/" + f.digest.ID)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("status %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if string(body) != f.digest.HTML {
		t.Error("the served digest differs from the stored HTML part")
	}
	checkSecurityHeaders(t, "digest", resp.Header)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "img-src 'self'") {
		t.Errorf("digest CSP %q: want sandbox and no remote images", csp)
	}
	if r, b := f.get("/digests/"+f.digest.ID, "If-None-Match", resp.Header.Get("ETag")); r.StatusCode != http.StatusNotModified || len(b) != 0 {
		t.Errorf("If-None-Match: %d", r.StatusCode)
	}

	for _, path := range []string{
		"/digests/20991231T000000Z",             // no such digest
		"/digests/..%2F..%2Fetc%2Fpasswd",       // encoded traversal
		"/digests/%2e%2e",                       // ".."
		"/digests/.hidden",                      // a leading dot
		"/digests/" + f.digest.ID + "%2F..%2Fx", // a slash inside the id
		"/digests/" + f.digest.ID + "/extra",    // a deeper path
		"/digests/../../etc/passwd",             // cleaned by the mux, then not found
		"/digests/" + strings.Repeat("A", 65),   // too long
		"/digests/id%00",                        // NUL
	} {
		req, err := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, err := http.DefaultClient.Do(req) // follows the mux's clean-path redirect
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusNotFound || bytes.Contains(b, []byte("<html")) {
			t.Errorf("%s: %d, want 404", path, r.StatusCode)
		}
		checkSecurityHeaders(t, path, r.Header)
	}

	// The archive page lists it.
	resp, body = f.get("/digests/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/digests/: %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	links := findAll(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == "./"+f.digest.ID })
	if len(links) != 1 || textOf(links[0]) != f.digest.Subject {
		t.Errorf("archive: %d links to the digest", len(links))
	}
	if home := findAll(doc, func(n *html.Node) bool { return n.Data == "link" && attr(n, "type") == "application/atom+xml" }); len(home) != 1 || attr(home[0], "href") != "../feed.atom" {
		t.Error("archive: autodiscovery does not point at ../feed.atom")
	}
}

// --- health and metrics ---

func TestHealthz(t *testing.T) {
	f := newFixture(t, nil)
	resp, body := f.get("/healthz")
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != "ok" {
		t.Errorf("healthz: %d %q", resp.StatusCode, body)
	}
	checkSecurityHeaders(t, "healthz", resp.Header)
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	resp, _ = f.get("/healthz")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("healthz with the store closed: %d, want 503", resp.StatusCode)
	}
	for _, path := range []string{"/", "/feed.atom", "/feed.json", "/digests/" + f.digest.ID} {
		if resp, _ := f.get(path); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s with the store closed: %d, want 503", path, resp.StatusCode)
		}
	}
}

func TestMetrics(t *testing.T) {
	f := newFixture(t, nil)
	f.metrics.ObserveFetch(pipeline.Result{Source: "lwn", Outcome: pipeline.New, Duration: 1500 * time.Millisecond})
	f.metrics.ObserveFetch(pipeline.Result{Source: "lwn", Outcome: pipeline.Unchanged, Duration: 80 * time.Millisecond})
	f.metrics.ObserveFetch(pipeline.Result{Source: "lwn", Outcome: pipeline.Unchanged, Duration: 90 * time.Millisecond})
	f.metrics.ObserveFetch(pipeline.Result{Source: "kernel-org", Outcome: pipeline.Failed, Duration: 40 * time.Second,
		Err: errors.New("HTTP 502")})
	f.metrics.ObserveFetch(pipeline.Result{Source: "old-wiki", Outcome: pipeline.Gone})
	f.metrics.ObserveDigest(string(pipeline.DigestSent), nil)
	f.metrics.ObserveDigest(string(pipeline.DigestNothingNew), nil)
	f.metrics.ObserveDigest(string(pipeline.DigestSent), errors.New("smtp: 421"))

	resp, body := f.get("/metrics")
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("metrics: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	checkSecurityHeaders(t, "metrics", resp.Header)
	text := string(body)
	lastSuccess := fmt.Sprint(now.Add(-time.Hour).Unix())
	for _, line := range []string{
		`netdigest_fetches_total{source="lwn",outcome="new"} 1`,
		`netdigest_fetches_total{source="lwn",outcome="unchanged"} 2`,
		`netdigest_fetches_total{source="kernel-org",outcome="error"} 1`,
		`netdigest_fetches_total{source="old-wiki",outcome="gone"} 1`,
		`netdigest_fetch_duration_seconds_bucket{source="lwn",le="0.1"} 2`,
		`netdigest_fetch_duration_seconds_bucket{source="lwn",le="2.5"} 3`,
		`netdigest_fetch_duration_seconds_count{source="lwn"} 3`,
		`netdigest_fetch_duration_seconds_bucket{source="kernel-org",le="60"} 1`,
		`netdigest_digest_sends_total{outcome="sent"} 1`,
		`netdigest_digest_sends_total{outcome="nothing new"} 1`,
		`netdigest_digest_sends_total{outcome="error"} 1`,
		`netdigest_entries 6`,
		`netdigest_last_success_timestamp_seconds{source="lwn"} ` + lastSuccess,
		`netdigest_source_failures{source="kernel-org"} 3`,
		`netdigest_source_failures{source="lwn"} 0`,
		`netdigest_store_up 1`,
	} {
		if !slices.Contains(strings.Split(text, "\n"), line) {
			t.Errorf("no line %q in:\n%s", line, text)
		}
	}
	// No duration for a source that made no request.
	if strings.Contains(text, `netdigest_fetch_duration_seconds_count{source="old-wiki"}`) {
		t.Error("a duration was recorded for a gone source")
	}
	checkExposition(t, text)

	// The store closed: counters still served, the store's series replaced
	// by store_up 0.
	f.store.Close()
	resp, body = f.get("/metrics")
	text = string(body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(text, "netdigest_store_up 0\n") ||
		strings.Contains(text, "netdigest_entries") || !strings.Contains(text, `netdigest_fetches_total{source="lwn",outcome="new"} 1`) {
		t.Errorf("metrics with the store closed: %d\n%s", resp.StatusCode, text)
	}

	var nilMetrics *Metrics
	nilMetrics.ObserveFetch(pipeline.Result{Source: "x", Outcome: pipeline.New})
	nilMetrics.ObserveDigest("sent", nil)
}

// checkExposition checks every line is a comment or "name{labels} value".
func checkExposition(t *testing.T, text string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, " ")
		if i := strings.LastIndex(line, "} "); i >= 0 {
			name, value, ok = line[:i+1], line[i+2:], true
		}
		if !ok || name == "" || strings.ContainsAny(value, " {}") {
			t.Errorf("malformed exposition line %q", line)
			continue
		}
		var v float64
		if _, err := fmt.Sscan(value, &v); err != nil {
			t.Errorf("line %q: value %q: %v", line, value, err)
		}
	}
}

func TestLabelEscaping(t *testing.T) {
	if got := labelValue("a\"b\\c\nd"); got != `a\"b\\c\nd` {
		t.Errorf("labelValue = %q", got)
	}
}

// --- every response ---

func TestSecurityHeadersEverywhere(t *testing.T) {
	f := newFixture(t, fakeSchedule{})
	for _, path := range []string{"/", "/feed.atom", "/feed.json", "/feed.rss", "/digests/", "/digests/" + f.digest.ID,
		"/digests/nope", "/healthz", "/metrics", "/favicon.ico", "/no/such/page"} {
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost} {
			resp, _ := f.do(m, path)
			checkSecurityHeaders(t, m+" "+path, resp.Header)
			if m == http.MethodPost && resp.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("POST %s: %d, want 405", path, resp.StatusCode)
			}
		}
	}
}

func TestNew(t *testing.T) {
	f := newFixture(t, nil)
	base := Deps{Config: f.cfg, Runner: f.runner}
	digestOnly := fstest.MapFS{}
	for _, name := range []string{render.DigestHTMLTemplate, render.DigestTextTemplate} {
		b, err := templates.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		digestOnly[name] = &fstest.MapFile{Data: b}
	}
	for _, tc := range []struct {
		name    string
		deps    func(Deps) Deps
		wantErr string
	}{
		{"defaults", func(d Deps) Deps { return d }, ""},
		// A user's template directory with only the digest's templates:
		// the pages fall back to the embedded ones.
		{"override dir without page templates", func(d Deps) Deps { d.Templates = digestOnly; return d }, ""},
		// A site.html.tmpl from before the search form: the form's
		// definition falls back to the embedded one.
		{"shared template without searchform", func(d Deps) Deps {
			d.Templates = fstest.MapFS{SiteTemplate: {Data: []byte(`{{define "head"}}<meta charset="utf-8">{{end}}` +
				`{{define "time"}}{{.Text}}{{end}}{{define "footer"}}<footer>old</footer>{{end}}`)}}
			return d
		}, ""},
		{"no runner", func(d Deps) Deps { d.Runner = nil; return d }, "Runner"},
		{"syntax error", func(d Deps) Deps {
			d.Templates = fstest.MapFS{PageTemplate: {Data: []byte("<p>{{if .Count}}unclosed</p>")}}
			return d
		}, PageTemplate},
		{"missing field", func(d Deps) Deps {
			d.Templates = fstest.MapFS{DigestsTemplate: {Data: []byte("<p>{{.Site.NoSuchField}}</p>")}}
			return d
		}, DigestsTemplate},
		{"broken shared template", func(d Deps) Deps {
			d.Templates = fstest.MapFS{SiteTemplate: {Data: []byte(`{{define "head"}}{{if}}{{end}}`)}}
			return d
		}, SiteTemplate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := New(tc.deps(base))
			if tc.wantErr == "" {
				if err != nil || h == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("New: %v, want an error naming %q", err, tc.wantErr)
			}
		})
	}
}

func TestNewHTTPServer(t *testing.T) {
	h := http.NotFoundHandler()
	s := NewHTTPServer("127.0.0.1:8080", h)
	if s.Addr != "127.0.0.1:8080" || s.ReadHeaderTimeout != 5*time.Second || s.ReadTimeout != 10*time.Second ||
		s.WriteTimeout != 30*time.Second || s.IdleTimeout != 60*time.Second || s.MaxHeaderBytes != 64<<10 {
		t.Errorf("server = %+v", s)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"x-gzip", true},
		{"gzip, deflate, br", true},
		{"br;q=1.0, gzip;q=0.8, *;q=0.1", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=oops", false},
		{"identity", false},
		{"*", true},
		{"deflate, br", false},
	} {
		if got := acceptsGzip([]string{tc.header}); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

func TestStyleHashes(t *testing.T) {
	css := "\nbody { color: red; }\n"
	sum := sha256.Sum256([]byte(css))
	want := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	emptySum := sha256.Sum256(nil)
	empty := "'sha256-" + base64.StdEncoding.EncodeToString(emptySum[:]) + "'"
	for _, tc := range []struct {
		doc  string
		want []string
	}{
		{"<html><head><style>" + css + "</style></head></html>", []string{want}},
		// CRLF is normalized before hashing, as browsers do.
		{"<style>" + strings.ReplaceAll(css, "\n", "\r\n") + "</style>", []string{want}},
		{"<style>" + css + "</style><style>" + css + "</style>", []string{want}},
		{"<style></style>", []string{empty}},
		{"<p>no style</p>", nil},
		{"<p>style</p>", nil},
	} {
		if got := styleHashes([]byte(tc.doc)); !slices.Equal(got, tc.want) {
			t.Errorf("styleHashes(%q) = %q, want %q", tc.doc, got, tc.want)
		}
	}
	if got := pageCSP(nil, false); !strings.Contains(got, "style-src 'none'") || !strings.Contains(got, "form-action 'none'") {
		t.Errorf("pageCSP without styles or form = %q", got)
	}
	if got := pageCSP(nil, true); !strings.Contains(got, "form-action 'self';") {
		t.Errorf("pageCSP with a form = %q", got)
	}
}

// The cache renders once per store state and TTL, whatever the traffic.
func TestFeedFormatCache(t *testing.T) {
	renders := 0
	f := &feedFormat{name: "test", render: func(context.Context) ([]byte, time.Time, error) {
		renders++
		return []byte(fmt.Sprintf("<feed>%d</feed>", renders)), now, nil
	}}
	ctx := context.Background()
	k1 := storeKey{entries: 5, sources: 2, lastFetch: now}
	k2 := storeKey{entries: 6, sources: 2, lastFetch: now.Add(time.Minute)}
	for _, step := range []struct {
		key     storeKey
		at      time.Time
		renders int
	}{
		{k1, now, 1},
		{k1, now.Add(30 * time.Second), 1}, // cached
		{k2, now.Add(31 * time.Second), 2}, // the store changed
		{k2, now.Add(95 * time.Second), 3}, // older than the TTL
		{k2, now.Add(-time.Hour), 4},       // the clock went back: do not trust the age
		{k2, now.Add(-time.Hour + 1), 4},   // cached again
	} {
		rep, err := f.get(ctx, step.key, step.at, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if renders != step.renders || string(rep.body) != fmt.Sprintf("<feed>%d</feed>", renders) {
			t.Errorf("at %v: %d renders, body %q; want %d", step.at, renders, rep.body, step.renders)
		}
	}
	failing := &feedFormat{name: "test", render: func(context.Context) ([]byte, time.Time, error) {
		return nil, time.Time{}, errors.New("store: database is closed")
	}}
	if _, err := failing.get(ctx, k1, now, time.Minute); err == nil {
		t.Error("a failed render gave no error")
	}
}

// Concurrent readers share one rendering and see the same bytes (run with
// -race).
func TestFeedsConcurrent(t *testing.T) {
	f := newFixture(t, nil)
	type result struct {
		path, etag string
		status     int
	}
	results := make(chan result, 30)
	for i := range 30 {
		path := feedPaths[i%len(feedPaths)].path
		go func() {
			resp, err := http.Get(f.srv.URL + path)
			if err != nil {
				results <- result{path: path}
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			results <- result{path, resp.Header.Get("ETag"), resp.StatusCode}
		}()
	}
	etags := map[string]string{}
	for range 30 {
		r := <-results
		if r.status != http.StatusOK {
			t.Errorf("%s: status %d", r.path, r.status)
			continue
		}
		if prev, ok := etags[r.path]; ok && prev != r.etag {
			t.Errorf("%s: ETags %q and %q for one store state", r.path, prev, r.etag)
		}
		etags[r.path] = r.etag
	}
}
