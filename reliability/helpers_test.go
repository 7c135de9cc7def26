package reliability

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/fetch"
	"github.com/netdigest/netdigest/internal/shareddata"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/store"
)

// testClock is a settable clock for the runner, the client (Retry-After)
// and the store.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *testClock { return &testClock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)} }

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.t = c.t.Add(d) }

// rssItem is one item of a generated RSS 2.0 feed.
type rssItem struct {
	GUID, Title, Link, Content string
}

// rssFeed renders a WordPress-shaped RSS 2.0 document. Content goes into
// content:encoded as CDATA (it must not contain "]]>").
func rssFeed(title string, items ...rssItem) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>` + title + `</title><link>https://blog.example.org/</link><description>test</description>
`)
	for _, it := range items {
		fmt.Fprintf(&b, `<item><title>%s</title><link>%s</link><guid isPermaLink="false">%s</guid>
<pubDate>Mon, 23 Nov 2026 10:00:00 +0000</pubDate><content:encoded><![CDATA[%s]]></content:encoded></item>
`, it.Title, it.Link, it.GUID, it.Content)
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

// goodItems are what the good source of every hostile case serves.
func goodItems(n int) []rssItem {
	items := make([]rssItem, n)
	for i := range items {
		items[i] = rssItem{
			GUID:    fmt.Sprintf("good-%d", i),
			Title:   fmt.Sprintf("XDP talk %d", i),
			Link:    fmt.Sprintf("https://good.example.org/post/%d", i),
			Content: fmt.Sprintf("<p>Talk %d about <b>XDP</b>.</p>", i),
		}
	}
	return items
}

// serveFeed answers every request with body as an RSS feed.
func serveFeed(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprint(w, body)
	}
}

// newGoodServer serves n items and closes with the test.
func newGoodServer(t *testing.T, n int) *httptest.Server {
	srv := httptest.NewServer(serveFeed(rssFeed("Good blog", goodItems(n)...)))
	t.Cleanup(srv.Close)
	return srv
}

// hostileFetch is the fetch configuration of the hostile cases.
func hostileFetch() config.Fetch {
	connect, _ := time.ParseDuration(hostileConnectTimeout)
	total, _ := time.ParseDuration(hostileTimeout)
	return config.Fetch{Workers: 4, PerHost: 2, Timeout: total, ConnectTimeout: connect, MaxBodyBytes: hostileMaxBody}
}

// feedSource is a feed source with the defaults config.Load would fill.
func feedSource(name, url string) config.Source {
	return config.Source{Name: name, Kind: config.KindFeed, URL: url, Schedule: "@hourly"}
}

// harness is a Runner wired like cmd/netdigest wires it, on a file store.
type harness struct {
	runner *pipeline.Runner
	store  *store.Store
	clock  *testClock
}

func newHarness(t *testing.T, clk *testClock, fc config.Fetch, sources ...config.Source) *harness {
	t.Helper()
	if clk == nil {
		clk = newClock()
	}
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "netdigest.db"), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := &config.Config{
		Title: "reliability", ID: "urn:netdigest:reliability", Link: "http://127.0.0.1/", MaxEntries: 100,
		Fetch: fc, Sources: sources,
	}
	return &harness{
		runner: &pipeline.Runner{
			Config: cfg,
			Store:  st,
			Client: fetch.New(fetch.Options{
				ConnectTimeout: fc.ConnectTimeout, Timeout: fc.Timeout, MaxBodyBytes: fc.MaxBodyBytes,
				PerHost: fc.PerHost, Now: clk.Now,
				// The suite's servers listen on 127.0.0.1; ssrf_test.go
				// builds the clients that must refuse them.
				AllowPrivateNetworks: true,
			}),
			Normalizer: normalize.New(),
			Version:    "reliability",
			Now:        clk.Now,
		},
		store: st,
		clock: clk,
	}
}

// watchdog is how long a run may take before the suite calls it hung: far
// above every configured bound, so it detects hangs without timing them.
const watchdog = 60 * time.Second

// fetchAll runs one FetchAll of every configured source (ignoring
// schedules) and returns the results by source; a run that never returns
// fails the test.
func (h *harness) fetchAll(t *testing.T) map[string]pipeline.Result {
	t.Helper()
	done := make(chan []pipeline.Result, 1)
	go func() {
		done <- h.runner.FetchAll(context.Background(), h.runner.Config.Sources, pipeline.FetchOptions{All: true})
	}()
	select {
	case results := <-done:
		out := map[string]pipeline.Result{}
		for _, r := range results {
			out[r.Source] = r
		}
		return out
	case <-time.After(watchdog):
		t.Fatalf("FetchAll did not complete within %s", watchdog)
		return nil
	}
}

// entriesOf returns the stored entries of one source.
func (h *harness) entriesOf(t *testing.T, source string) int {
	t.Helper()
	all, err := h.store.Latest(context.Background(), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range all {
		if e.Source == source {
			n++
		}
	}
	return n
}

// buildBinary builds cmd/netdigest into a temporary directory, with -race
// when this test binary has it so the build reuses the test's compiled
// packages instead of compiling SQLite a second time.
func buildBinary(t *testing.T) string {
	t.Helper()
	root, err := shareddata.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "netdigest")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	cmd := exec.Command(goTool, append(args, "./cmd/netdigest")...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// writeFile writes data to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// binaryConfig is a feeds.yaml for the binary: one feed source per URL.
// fetchBlock is a flow mapping ("{workers: 2}") or ""; allow_private_networks
// is added to it, since the suite's servers listen on 127.0.0.1.
func binaryConfig(fetchBlock string, urls map[string]string, extra string) string {
	var b strings.Builder
	b.WriteString("title: reliability\nid: urn:netdigest:reliability\nlink: http://127.0.0.1/\nstore: netdigest.db\noutput: out\n")
	fetchFields := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(fetchBlock, "{"), "}"))
	if fetchFields != "" {
		fetchFields = ", " + fetchFields
	}
	b.WriteString("fetch: {allow_private_networks: true" + fetchFields + "}\n")
	b.WriteString(extra)
	b.WriteString("sources:\n")
	names := make([]string, 0, len(urls))
	for n := range urls {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  - name: %s\n    url: %s\n", n, urls[n])
	}
	return b.String()
}

// quietLog discards a test server's error log (expected handshake failures).
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
