package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/fetch"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/store"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rss builds a small RSS 2.0 document in WordPress's shape.
func rss(items ...string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Test blog</title><link>https://blog.example.org/</link><description>d</description>
` + strings.Join(items, "\n") + `
</channel></rss>`
}

func item(guid, title, link, body string) string {
	return fmt.Sprintf(`<item><title>%s</title><link>%s</link><guid isPermaLink="false">%s</guid>
<pubDate>Mon, 25 Mar 2019 10:00:00 +0000</pubDate><content:encoded><![CDATA[%s]]></content:encoded></item>`, title, link, guid, body)
}

// feedServer serves a document with an ETag and answers If-None-Match with 304.
type feedServer struct {
	mu       sync.Mutex
	body     string
	ctype    string // default RSS
	status   int
	header   http.Header
	requests atomic.Int32
	inm      []string // If-None-Match seen, per request
}

func (s *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inm = append(s.inm, r.Header.Get("If-None-Match"))
	for k, v := range s.header {
		w.Header()[k] = v
	}
	if s.status != 0 {
		w.WriteHeader(s.status)
		return
	}
	etag := fmt.Sprintf(`"%x"`, len(s.body)*31+int(s.body[len(s.body)-10]))
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	ctype := s.ctype
	if ctype == "" {
		ctype = "application/rss+xml; charset=UTF-8"
	}
	w.Header().Set("Content-Type", ctype)
	fmt.Fprint(w, s.body)
}

func (s *feedServer) set(body string) { s.mu.Lock(); s.body = body; s.mu.Unlock() }

type harness struct {
	runner *Runner
	store  *store.Store
	clock  *clock
}

func newHarness(t *testing.T, sources ...config.Source) *harness {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for i := range sources {
		if sources[i].Kind == "" {
			sources[i].Kind = config.KindFeed
		}
		if sources[i].Schedule == "" {
			sources[i].Schedule = "@hourly"
		}
	}
	cfg := &config.Config{
		Title: "test", ID: "urn:test", Link: "http://127.0.0.1/", MaxEntries: 100,
		Fetch:   config.Fetch{Workers: 4, PerHost: 2},
		Sources: sources,
	}
	return &harness{
		runner: &Runner{
			Config:     cfg,
			Store:      st,
			Client:     testClient(fetch.Options{Now: clk.Now, Timeout: 10 * time.Second}),
			Normalizer: normalize.New(),
			Version:    "test",
			Now:        clk.Now,
		},
		store: st,
		clock: clk,
	}
}

// testClient is the harness's HTTP client: the test servers listen on
// 127.0.0.1, so it is allowed into private networks.
func testClient(opts fetch.Options) *fetch.Client {
	opts.AllowPrivateNetworks = true
	return fetch.New(opts)
}

func (h *harness) fetchAll(t *testing.T, all bool) map[string]Result {
	t.Helper()
	out := map[string]Result{}
	for _, r := range h.runner.FetchAll(context.Background(), h.runner.Config.Sources, FetchOptions{All: all}) {
		out[r.Source] = r
	}
	return out
}

func TestConditionalGetAndUpdateInPlace(t *testing.T) {
	srv := &feedServer{body: rss(
		item("post-1", "XDP hands-on", "https://blog.example.org/xdp/", "<p>first version</p>"),
		item("post-2", "TC workshop", "https://blog.example.org/tc/", "<p>tc</p>"),
	)}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	h := newHarness(t, config.Source{Name: "blog", URL: ts.URL + "/feed/"})

	r := h.fetchAll(t, true)["blog"]
	if r.Outcome != New || r.Counts.New != 2 || r.Err != nil {
		t.Fatalf("first fetch = %+v, want 2 new", r)
	}

	r = h.fetchAll(t, true)["blog"]
	if r.Outcome != Unchanged || r.Counts.New != 0 || r.Err != nil {
		t.Fatalf("second fetch = %+v, want unchanged", r)
	}
	if srv.inm[1] == "" {
		t.Error("second fetch sent no If-None-Match")
	}
	if n, _ := h.store.CountEntries(context.Background()); n != 2 {
		t.Errorf("entries after 304 = %d, want 2", n)
	}

	srv.set(rss(
		item("post-1", "XDP hands-on", "https://blog.example.org/xdp/", "<p>second version</p>"),
		item("post-2", "TC workshop", "https://blog.example.org/tc/", "<p>tc</p>"),
	))
	h.clock.Add(time.Hour)
	r = h.fetchAll(t, true)["blog"]
	if r.Outcome != Updated || r.Counts.Updated != 1 || r.Counts.New != 0 {
		t.Fatalf("fetch after edit = %+v, want 1 updated", r)
	}
	entries, err := h.store.Latest(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Fatalf("entries = %d, want 2 (updated in place)", len(entries))
	}
	for _, e := range entries {
		if e.Title == "XDP hands-on" && !strings.Contains(e.Content, "second version") {
			t.Errorf("content not updated: %q", e.Content)
		}
	}
}

func TestFailingSourceDoesNotStopOthers(t *testing.T) {
	good := httptest.NewServer(&feedServer{body: rss(item("g1", "Good", "https://good.example.org/1", "ok"))})
	defer good.Close()
	broken := httptest.NewServer(&feedServer{status: http.StatusInternalServerError})
	defer broken.Close()
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>Oops, maintenance</body></html>")
	}))
	defer garbage.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close() // nothing listens there any more

	h := newHarness(t,
		config.Source{Name: "broken", URL: broken.URL},
		config.Source{Name: "garbage", URL: garbage.URL},
		config.Source{Name: "refused", URL: closedURL},
		config.Source{Name: "good", URL: good.URL},
	)
	res := h.fetchAll(t, true)
	if r := res["good"]; r.Outcome != New || r.Counts.New != 1 {
		t.Errorf("good = %+v, want 1 new", r)
	}
	for _, name := range []string{"broken", "garbage", "refused"} {
		r := res[name]
		if r.Outcome != Failed || r.Err == nil || !strings.Contains(r.Err.Error(), fmt.Sprintf("source %q", name)) {
			t.Errorf("%s = %+v, want an error naming the source", name, r)
			continue
		}
		st, _ := h.store.SourceState(context.Background(), name)
		if st.Failures != 1 || st.LastError == "" {
			t.Errorf("%s state = %+v, want the failure recorded", name, st)
		}
	}
}

// TestInterruptedRunKeepsFinishedSources simulates Ctrl-C: the second source
// hangs until the context is cancelled; the first source's entries survive.
func TestInterruptedRunKeepsFinishedSources(t *testing.T) {
	first := httptest.NewServer(&feedServer{body: rss(item("a", "A", "https://a.example.org/1", "a"))})
	defer first.Close()
	ctx, cancel := context.WithCancel(context.Background())
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel() // the user presses Ctrl-C while this source is in flight
		<-r.Context().Done()
	}))
	defer hanging.Close()

	h := newHarness(t, config.Source{Name: "first", URL: first.URL}, config.Source{Name: "hanging", URL: hanging.URL})
	h.runner.Config.Fetch.Workers = 1 // in order: first completes before hanging starts
	results := h.runner.FetchAll(ctx, h.runner.Config.Sources, FetchOptions{All: true})
	if results[0].Outcome != New {
		t.Fatalf("first = %+v", results[0])
	}
	if results[1].Outcome != Failed || !errors.Is(results[1].Err, context.Canceled) {
		t.Errorf("hanging = %+v, want cancelled", results[1])
	}
	if n, _ := h.store.CountEntries(context.Background()); n != 1 {
		t.Errorf("stored entries = %d, want the first source's 1", n)
	}
	st, _ := h.store.SourceState(context.Background(), "hanging")
	if !st.LastFetch.IsZero() || st.Failures != 0 {
		t.Errorf("interrupted source state = %+v, want untouched", st)
	}
}

func TestGoneStopsPolling(t *testing.T) {
	srv := &feedServer{status: http.StatusGone}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	h := newHarness(t, config.Source{Name: "old", URL: ts.URL + "/feed"})

	if r := h.fetchAll(t, true)["old"]; r.Outcome != Gone || !r.Failed() {
		t.Fatalf("first = %+v, want gone", r)
	}
	h.clock.Add(24 * time.Hour)
	r := h.fetchAll(t, false)["old"]
	if r.Outcome != Gone || r.Err == nil || !strings.Contains(r.Err.Error(), "410") {
		t.Errorf("later run = %+v, want gone reported again", r)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("requests = %d, want 1 (gone sources are not polled)", n)
	}

	// Changing the URL in the config starts afresh.
	srv.mu.Lock()
	srv.status, srv.body = 0, rss(item("n", "New home", "https://x.example.org/n", "n"))
	srv.mu.Unlock()
	h.runner.Config.Sources[0].URL = ts.URL + "/new-feed"
	if r := h.fetchAll(t, false)["old"]; r.Outcome != New {
		t.Errorf("after url change = %+v, want new", r)
	}
}

func TestRetryAfterDefers(t *testing.T) {
	srv := &feedServer{status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"7200"}}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	h := newHarness(t, config.Source{Name: "busy", URL: ts.URL})

	r := h.fetchAll(t, true)["busy"]
	if r.Outcome != Failed || !r.NextTry.Equal(h.clock.Now().Add(2*time.Hour)) {
		t.Fatalf("first = %+v, want failure with next try in 2h", r)
	}
	h.clock.Add(time.Hour)
	if r := h.fetchAll(t, true)["busy"]; r.Outcome != Deferred {
		t.Errorf("within Retry-After = %+v, want deferred", r)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
	h.clock.Add(90 * time.Minute)
	srv.mu.Lock()
	srv.status, srv.header, srv.body = 0, nil, rss(item("x", "X", "https://x.example.org/x", "x"))
	srv.mu.Unlock()
	if r := h.fetchAll(t, true)["busy"]; r.Outcome != New {
		t.Errorf("after Retry-After = %+v, want new", r)
	}
	st, _ := h.store.SourceState(context.Background(), "busy")
	if st.Failures != 0 || st.LastError != "" {
		t.Errorf("state after success = %+v, want failures cleared", st)
	}
}

func TestPermanentRedirectRemembered(t *testing.T) {
	var oldHits atomic.Int32
	mux := http.NewServeMux()
	feed := &feedServer{body: rss(item("m", "Moved", "https://m.example.org/m", "m"))}
	mux.Handle("/new", feed)
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		oldHits.Add(1)
		http.Redirect(w, r, "/new", http.StatusMovedPermanently)
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()
	h := newHarness(t, config.Source{Name: "moved", URL: ts.URL + "/old"})

	r := h.fetchAll(t, true)["moved"]
	if r.Outcome != New || r.MovedTo != ts.URL+"/new" {
		t.Fatalf("first = %+v, want new and moved to /new", r)
	}
	r = h.fetchAll(t, true)["moved"]
	if r.MovedTo != ts.URL+"/new" || r.Outcome != Unchanged {
		t.Errorf("second = %+v, want the move still reported", r)
	}
	if n := oldHits.Load(); n != 1 {
		t.Errorf("old URL hits = %d, want 1 (the new URL is used directly)", n)
	}
}

func TestDuplicateLinkAcrossSources(t *testing.T) {
	body := item("p1", "Feedback from Netdev 0x13", "https://bootlin.com/blog/feedback-netdev-0x13/?utm_source=rss", "<p>report</p>")
	a := httptest.NewServer(&feedServer{body: rss(body)})
	defer a.Close()
	b := httptest.NewServer(&feedServer{body: rss(item("other-guid", "Feedback from Netdev 0x13", "https://BOOTLIN.com/blog/feedback-netdev-0x13/#more", "<p>report</p>"))})
	defer b.Close()
	h := newHarness(t, config.Source{Name: "bootlin", URL: a.URL}, config.Source{Name: "planet", URL: b.URL})
	h.runner.Config.Fetch.Workers = 1

	res := h.fetchAll(t, true)
	if res["bootlin"].Counts.New != 1 || res["planet"].Counts.New != 0 || res["planet"].Counts.Duplicates != 1 {
		t.Errorf("bootlin = %+v, planet = %+v; want one entry, the second recorded as duplicate", res["bootlin"], res["planet"])
	}
	entries, _ := h.store.Latest(context.Background(), 10)
	if len(entries) != 1 || entries[0].Source != "bootlin" || entries[0].Link != "https://bootlin.com/blog/feedback-netdev-0x13/" {
		t.Errorf("entries = %+v", entries)
	}
}

func TestNotDueSourcesAreNotFetched(t *testing.T) {
	srv := &feedServer{body: rss(item("a", "A", "https://a.example.org/a", "a"))}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	h := newHarness(t, config.Source{Name: "s", URL: ts.URL, Schedule: "@hourly"})
	h.fetchAll(t, false)
	if r := h.fetchAll(t, false)["s"]; r.Outcome != NotDue {
		t.Errorf("second run = %+v, want not due", r)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("requests = %d, want 1", n)
	}
	h.clock.Add(time.Hour)
	if r := h.fetchAll(t, false)["s"]; r.Outcome != Unchanged {
		t.Errorf("an hour later = %+v, want fetched (unchanged)", r)
	}
}

// TestScrapedKinds runs each source kind through the whole refresh: served
// over HTTP, parsed by its rules, stored; a selector that stopped matching is
// that source's error and names the selector.
func TestScrapedKinds(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(filepath.Join("..", path))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	news := httptest.NewServer(&feedServer{body: read("normalize/page/testdata/netdev01-news.html"), ctype: "text/html"})
	defer news.Close()
	redesigned := httptest.NewServer(&feedServer{body: "<html><head><title>Netdev 0.1</title></head><body><div class=news-entry><h2>2015-03-30: x</h2></div></body></html>", ctype: "text/html; charset=utf-8"})
	defer redesigned.Close()
	pad := httptest.NewServer(&feedServer{body: read("normalize/notes/testdata/lpc2015-networking-indented.txt"), ctype: "text/plain; charset=utf-8"})
	defer pad.Close()
	indicoSrv := httptest.NewServer(&feedServer{body: read("normalize/indico/testdata/lpc2025-event19.json"), ctype: "application/json"})
	defer indicoSrv.Close()

	split := &config.Split{Heading: "h3", Pattern: regexp.MustCompile(`^(?P<date>\d{4}-\d{2}-\d{2}):\s*(?P<title>.+)$`)}
	h := newHarness(t,
		config.Source{Name: "netdev01", Kind: config.KindHTML, URL: news.URL + "/0.1/news.html", Split: split},
		config.Source{Name: "redesigned", Kind: config.KindHTML, URL: redesigned.URL, Split: split},
		config.Source{Name: "notes", Kind: config.KindText, URL: pad.URL + "/p/LPC2015/export/txt", Text: &config.Text{StartAfter: "SCHEDULE"}},
		config.Source{Name: "lpc", Kind: config.KindIndico, URL: indicoSrv.URL + "/export/event/19.json", Indico: &config.Indico{Track: "Networking Track"}},
	)
	res := h.fetchAll(t, true)
	for name, want := range map[string]int{"netdev01": 75, "notes": 9, "lpc": 6} {
		if r := res[name]; r.Outcome != New || r.Counts.New != want {
			t.Errorf("%s = %+v, want %d new", name, r, want)
		}
	}
	if r := res["redesigned"]; r.Outcome != Failed || !strings.Contains(r.Err.Error(), `source "redesigned"`) ||
		!strings.Contains(r.Err.Error(), "selector heading=h3 matched 0 elements") {
		t.Errorf("redesigned = %+v, want the selector named", r)
	}
	// Unchanged pages cost a 304 like feeds.
	res = h.fetchAll(t, true)
	for _, name := range []string{"netdev01", "notes", "lpc"} {
		if r := res[name]; r.Outcome != Unchanged || r.Parsed != 0 {
			t.Errorf("%s second fetch = %+v, want 304", name, r)
		}
	}
}

// TestWarmCycleSavesEveryState: many sources answering 304 at once (their
// states group-committed) and some failing or new in the same run: every
// source's state is stored as its result says.
func TestWarmCycleSavesEveryState(t *testing.T) {
	const n = 40
	feed := &feedServer{body: rss(item("p1", "Post", "https://blog.example.org/1", "<p>x</p>"))}
	ok := httptest.NewServer(feed)
	defer ok.Close()
	broken := httptest.NewServer(&feedServer{status: http.StatusInternalServerError})
	defer broken.Close()
	var sources []config.Source
	for i := range n {
		u := ok.URL + fmt.Sprintf("/feed/%d", i)
		if i%10 == 3 {
			u = broken.URL + fmt.Sprintf("/feed/%d", i)
		}
		sources = append(sources, config.Source{Name: fmt.Sprintf("s%02d", i), URL: u})
	}
	h := newHarness(t, sources...)
	h.runner.Config.Fetch.Workers = 8
	h.runner.Config.Fetch.PerHost = 8
	h.fetchAll(t, true) // cold: the entries and validators

	h.clock.Add(time.Hour)
	warmAt := h.clock.Now()
	got := h.fetchAll(t, true)
	states, err := h.store.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != n {
		t.Fatalf("%d states stored, want %d", len(states), n)
	}
	for _, st := range states {
		res := got[st.Name]
		wantFail := st.Name[2] == '3' // s03, s13, ...
		tests := []struct {
			what string
			ok   bool
		}{
			{"fetched now", st.LastFetch.Equal(warmAt)},
			{"outcome", (res.Outcome == Failed) == wantFail && (wantFail || res.Outcome == Unchanged)},
			{"failures", (st.Failures == 2) == wantFail && (wantFail || st.Failures == 0)},
			{"error recorded", (st.LastError != "") == wantFail},
			{"validator kept", wantFail || st.ETag != ""},
			{"success time", wantFail || st.LastSuccess.Equal(warmAt)},
		}
		for _, tt := range tests {
			if !tt.ok {
				t.Errorf("%s: %s wrong: result %+v, state %+v", st.Name, tt.what, res, st)
			}
		}
	}
}

// TestStateWriterAnswersEachState: a batch with one state the store
// refuses still saves the others, and only that one gets the error.
func TestStateWriterAnswersEachState(t *testing.T) {
	h := newHarness(t)
	var mu sync.Mutex
	errs := map[int]error{}
	finish := func(b stateSave, err error) {
		mu.Lock()
		defer mu.Unlock()
		errs[b.i] = err
	}
	names := []string{"a", "b", "", "c", "d"} // "" is refused
	w := newStateWriter(h.store, finish)
	for i, name := range names {
		w.queue <- stateSave{ctx: context.Background(), i: i,
			pending: &pendingState{state: store.SourceState{Name: name, ETag: "e-" + name}}}
	}
	w.stop()
	if len(errs) != len(names) {
		t.Fatalf("%d states finished, want %d", len(errs), len(names))
	}
	for i, name := range names {
		if (errs[i] != nil) != (name == "") {
			t.Errorf("save %q: %v", name, errs[i])
		}
	}
	for _, name := range []string{"a", "b", "c", "d"} {
		st, err := h.store.SourceState(context.Background(), name)
		if err != nil || st.ETag != "e-"+name {
			t.Errorf("state %q = %+v, %v; want it saved", name, st, err)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	errs = map[int]error{}
	w = newStateWriter(h.store, finish)
	w.queue <- stateSave{ctx: ctx, i: 0, pending: &pendingState{state: store.SourceState{Name: "late"}}}
	w.stop()
	if !errors.Is(errs[0], context.Canceled) {
		t.Errorf("save under a cancelled ctx = %v, want context.Canceled", errs[0])
	}
}

// TestFetchAllReportsAfterTheStateIsSaved: the progress callback of a 304
// sees its state already stored.
func TestFetchAllReportsAfterTheStateIsSaved(t *testing.T) {
	feed := &feedServer{body: rss(item("p1", "Post", "https://blog.example.org/1", "<p>x</p>"))}
	ts := httptest.NewServer(feed)
	defer ts.Close()
	var sources []config.Source
	for i := range 20 {
		sources = append(sources, config.Source{Name: fmt.Sprintf("s%02d", i), URL: ts.URL + fmt.Sprintf("/feed/%d", i)})
	}
	h := newHarness(t, sources...)
	h.fetchAll(t, true)
	h.clock.Add(time.Hour)
	warmAt := h.clock.Now()
	seen := 0
	h.runner.FetchAll(context.Background(), h.runner.Config.Sources, FetchOptions{All: true, Progress: func(res Result) {
		seen++
		st, err := h.store.SourceState(context.Background(), res.Source)
		if res.Outcome != Unchanged || err != nil || !st.LastFetch.Equal(warmAt) {
			t.Errorf("%s reported %s with its state %+v, %v: want unchanged, fetched at %v and stored",
				res.Source, res.Outcome, st, err, warmAt)
		}
	}})
	if seen != len(sources) {
		t.Errorf("%d progress calls, want %d", seen, len(sources))
	}
}

// TestChangedFeedNormalizesOnlyChangedItems: a feed that changed one item
// is parsed whole, the others are counted unchanged without being
// normalized again, and the changed one is updated in place.
func TestChangedFeedNormalizesOnlyChangedItems(t *testing.T) {
	items := []string{
		item("p1", "One", "https://blog.example.org/1", "<p>one</p>"),
		item("p2", "Two", "https://blog.example.org/2", "<p>two</p>"),
		item("p3", "Three", "https://blog.example.org/3", "<p>three</p>"),
	}
	srv := &feedServer{body: rss(items...)}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	h := newHarness(t, config.Source{Name: "blog", URL: ts.URL + "/feed/"})
	if r := h.fetchAll(t, true)["blog"]; r.Counts.New != 3 {
		t.Fatalf("first fetch %+v, want 3 new", r)
	}
	known, err := h.store.RawHashes(context.Background(), "blog")
	if err != nil || len(known) != 3 {
		t.Fatalf("raw hashes after the first fetch: %v, %v; want 3", known, err)
	}

	tests := []struct {
		name    string
		items   []string
		outcome Outcome
		counts  store.Counts
	}{
		{"one item edited", []string{items[0], item("p2", "Two", "https://blog.example.org/2", "<p>two, fixed</p>"), items[2]},
			Updated, store.Counts{Updated: 1, Unchanged: 2}},
		{"one item added", []string{item("p4", "Four", "https://blog.example.org/4", "<p>four</p>"), items[0], items[2]},
			New, store.Counts{New: 1, Unchanged: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.set(rss(tt.items...))
			h.clock.Add(time.Hour)
			r := h.fetchAll(t, true)["blog"]
			if r.Outcome != tt.outcome || r.Counts != tt.counts || r.Parsed != len(tt.items) || r.Err != nil {
				t.Errorf("fetch = %+v, want %s with %+v of %d", r, tt.outcome, tt.counts, len(tt.items))
			}
		})
	}
	es, err := h.store.Latest(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Title == "Two" && !strings.Contains(e.Content, "fixed") {
			t.Errorf("the edited item was not updated: %q", e.Content)
		}
	}
}
