package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/html"
	_ "modernc.org/sqlite" // to read newsboat's cache

	"github.com/netdigest/netdigest/internal/tooltest"
)

// lockedBuffer collects the daemon's log while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// daemonRun is a serve command running in the test's process.
type daemonRun struct {
	base    string // http://127.0.0.1:PORT/
	log     *lockedBuffer
	hangups chan os.Signal
	stop    func() int // cancels it as SIGTERM would, returns its exit status
}

var servingURL = regexp.MustCompile(`msg=serving url=(http://127\.0\.0\.1:\d+/)`)

// startServe runs `netdigest serve` on a free loopback port with the wall
// clock (cron fires on it) and waits until it listens.
func startServe(t *testing.T, configPath string) *daemonRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &daemonRun{log: &lockedBuffer{}, hangups: make(chan os.Signal, 1)}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-config", configPath, "-listen", "127.0.0.1:0"}, &env{
			stdout: io.Discard, stderr: d.log, now: time.Now, version: "test", hangups: d.hangups,
		})
	}()
	var once sync.Once
	code := -1
	d.stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-done:
			case <-time.After(time.Minute):
				t.Errorf("serve did not stop within a minute of SIGTERM; log:\n%s", d.log)
			}
		})
		return code
	}
	t.Cleanup(func() {
		d.stop()
		if t.Failed() {
			t.Logf("serve log:\n%s", d.log)
		}
	})
	waitFor(t, "serve to listen", func() bool {
		if m := servingURL.FindStringSubmatch(d.log.String()); m != nil {
			d.base = m[1]
			return true
		}
		select {
		case code = <-done:
			t.Fatalf("serve exited with %d before listening; log:\n%s", code, d.log)
		default:
		}
		return false
	})
	return d
}

// waitFor polls cond for up to 30 s: the daemon works on its own clock.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// liveFeed is a source the test changes while the daemon runs: an Atom file
// fetched @every 1s.
type liveFeed struct {
	path   string
	titles []string
}

func (l *liveFeed) write(t *testing.T, titles ...string) {
	t.Helper()
	l.titles = append(l.titles, titles...)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Live test feed</title><id>urn:test:live</id>
<updated>2026-11-30T10:00:00Z</updated><link href="https://live.example.org/"/>
`)
	for i, title := range l.titles {
		// ids and links are per file: two liveFeeds are two sources, not
		// one post seen twice (which netdigest would rightly dedupe).
		name := strings.TrimSuffix(filepath.Base(l.path), ".atom")
		fmt.Fprintf(&b, `<entry><title>%s</title><id>urn:test:%s:%d</id><link href="https://live.example.org/%s/%d"/>
<updated>2026-11-30T%02d:00:00Z</updated><content type="html">&lt;p&gt;About %s.&lt;/p&gt;</content></entry>
`, title, name, i, name, i, 10+i, title)
	}
	b.WriteString("</feed>\n")
	if err := os.WriteFile(l.path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file:// source is revalidated by mtime; make the change visible
	// even within the filesystem's timestamp granularity.
	mt := time.Now().Add(time.Duration(len(l.titles)) * time.Second)
	if err := os.Chtimes(l.path, mt, mt); err != nil {
		t.Fatal(err)
	}
}

// serveConfig is the offline example plus the live source, already fetched
// once (so the daemon starts with nothing overdue and the catch-up spread
// does not slow the test down).
func serveConfig(t *testing.T) (configPath string, live *liveFeed) {
	t.Helper()
	path, dir := offlineConfig(t)
	live = &liveFeed{path: filepath.Join(dir, "live.atom")}
	live.write(t, "Live: first post on XDP")
	appendConfig(t, path, "  - name: live\n    url: live.atom\n    schedule: \"@every 1s\"\n")
	if r := runCmd(t, time.Now(), "fetch", "-all", "-config", path); r.code != exitOK {
		t.Fatalf("fetch -all = %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return path, live
}

// appendConfig adds a source to the config's sources list, which ends the
// offline example but for the fetch: block offlineConfig appends.
func appendConfig(t *testing.T, path, source string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "\nfetch:\n", "\n"+source+"fetch:\n", 1)
	if text == string(data) {
		t.Fatal("offline config has no fetch: block to insert before")
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// atomTitles are the entry titles of an Atom document.
func atomTitles(t *testing.T, doc []byte) []string {
	t.Helper()
	var feed struct {
		Entries []struct {
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(doc, &feed); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range feed.Entries {
		out = append(out, e.Title)
	}
	return out
}

func TestServe(t *testing.T) {
	path, live := serveConfig(t)
	d := startServe(t, path)

	resp, body := get(t, d.base+"feed.atom")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("GET /feed.atom: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	titles := atomTitles(t, body)
	if len(titles) < 129 || !slices.Contains(titles, "Live: first post on XDP") {
		t.Fatalf("feed has %d entries, want the offline example's and the live one", len(titles))
	}
	etag := resp.Header.Get("ETag")
	req, _ := http.NewRequest(http.MethodGet, d.base+"feed.atom", nil)
	req.Header.Set("If-None-Match", etag)
	if r2, err := http.DefaultClient.Do(req); err != nil || r2.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET with %s: %v, %v; want 304", etag, r2.Status, err)
	} else {
		r2.Body.Close()
	}
	for _, p := range []string{"", "feed.json", "feed.rss", "healthz", "metrics", "digests/"} {
		if resp, _ := get(t, d.base+p); resp.StatusCode != http.StatusOK {
			t.Errorf("GET /%s: %s", p, resp.Status)
		}
	}

	// The daemon fetches the live source on its own schedule.
	live.write(t, "Live: second post on nftables")
	waitFor(t, "the daemon to fetch the live source's new entry", func() bool {
		_, body := get(t, d.base+"feed.atom")
		return slices.Contains(atomTitles(t, body), "Live: second post on nftables")
	})
	if _, body := get(t, d.base+"metrics"); !regexp.MustCompile(`netdigest_fetches_total\{source="live",outcome="new"\} [1-9]`).Match(body) {
		t.Errorf("/metrics counts no new fetch of live:\n%s", body)
	}

	// A broken config on SIGHUP is reported and the running one kept.
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(append([]byte(nil), good...), "bogus_key: 1\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	d.hangups <- nil
	waitFor(t, "the bad config to be refused", func() bool {
		return strings.Contains(d.log.String(), "reload: config refused") && strings.Contains(d.log.String(), `bogus_key`)
	})
	if resp, _ := get(t, d.base+"feed.atom"); resp.StatusCode != http.StatusOK {
		t.Errorf("after a refused reload GET /feed.atom: %s", resp.Status)
	}

	// A good one adds its new source, fetched on its schedule.
	extra := filepath.Join(filepath.Dir(path), "extra.atom")
	(&liveFeed{path: extra}).write(t, "Extra: a source added by reload")
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	appendConfig(t, path, "  - name: extra\n    url: extra.atom\n    schedule: \"@every 1s\"\n")
	d.hangups <- nil
	waitFor(t, "the reloaded config's new source in the feed", func() bool {
		_, body := get(t, d.base+"feed.atom")
		return slices.Contains(atomTitles(t, body), "Extra: a source added by reload")
	})
	if _, page := get(t, d.base); !bytes.Contains(page, []byte(">extra<")) {
		t.Errorf("the web page lists no source extra after the reload")
	}

	if code := d.stop(); code != exitOK {
		t.Errorf("serve exit status after SIGTERM = %d, want 0; log:\n%s", code, d.log)
	}
	if !strings.Contains(d.log.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log:\n%s", d.log)
	}
	// The store was closed cleanly: a one-shot command opens it.
	if r := runCmd(t, time.Now(), "feed", "-config", path); r.code != exitOK || !strings.Contains(r.stdout, "Extra: a source added by reload") {
		t.Errorf("feed after the daemon stopped = %d: %s", r.code, r.stderr)
	}
}

func TestServeBadListen(t *testing.T) {
	path, _ := offlineConfig(t)
	r := runCmd(t, time.Now(), "serve", "-config", path, "-listen", "256.0.0.1:http")
	if r.code != exitUsage || !strings.Contains(r.stderr, "listen") {
		t.Errorf("serve on a bad address = %d, %q; want %d and a listen error", r.code, r.stderr, exitUsage)
	}
}

// newsboat is Debian's newsboat reading the daemon's feed with its own
// cache, as a subscriber's would.
type newsboat struct {
	bin, dir string
}

func newNewsboat(t *testing.T, feedURL string) *newsboat {
	t.Helper()
	nb := &newsboat{bin: tooltest.Find(t, "newsboat", "newsboat"), dir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(nb.dir, "urls"), []byte(feedURL+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(nb.dir, "config"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return nb
}

// reload runs `newsboat -x reload print-unread` and returns its unread count line.
func (nb *newsboat) reload(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, nb.bin, "-u", filepath.Join(nb.dir, "urls"), "-c", nb.cache(),
		"-C", filepath.Join(nb.dir, "config"), "-x", "reload", "print-unread")
	cmd.Env = append(os.Environ(), "HOME="+nb.dir, "XDG_CONFIG_HOME="+nb.dir, "XDG_DATA_HOME="+nb.dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("newsboat: %v\n%s", err, out)
	}
	return strings.TrimSpace(string(out))
}

func (nb *newsboat) cache() string { return filepath.Join(nb.dir, "cache.db") }

// items reads newsboat's cache: every article's title and whether it is unread.
func (nb *newsboat) items(t *testing.T) (titles []string, unread []string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+nb.cache()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT title, unread FROM rss_item WHERE deleted = 0 ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var title string
		var u int
		if err := rows.Scan(&title, &u); err != nil {
			t.Fatal(err)
		}
		titles = append(titles, title)
		if u != 0 {
			unread = append(unread, title)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return titles, unread
}

// markAllRead is the subscriber reading everything (newsboat's -x has no
// command for it; its cache is SQLite).
func (nb *newsboat) markAllRead(t *testing.T) {
	t.Helper()
	db, err := sql.Open("sqlite", nb.cache())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE rss_item SET unread = 0`); err != nil {
		t.Fatal(err)
	}
}

// TestServeNewsboat subscribes a real feed reader to the daemon: every
// entry of the offline example arrives with its title, and after one more
// fetch cycle only the new entry is unread (stable ids: nothing comes back
// as new).
func TestServeNewsboat(t *testing.T) {
	path, live := serveConfig(t)
	nb := newNewsboat(t, "") // resolved before the daemon starts: skip early
	d := startServe(t, path)
	if err := os.WriteFile(filepath.Join(nb.dir, "urls"), []byte(d.base+"feed.atom\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	_, feed := get(t, d.base+"feed.atom")
	want := atomTitles(t, feed)
	out := nb.reload(t)
	titles, unread := nb.items(t)
	if len(titles) != len(want) || len(unread) != len(want) {
		t.Fatalf("newsboat has %d articles (%d unread, %q), want all %d of the feed", len(titles), len(unread), out, len(want))
	}
	if out != fmt.Sprintf("%d unread articles", len(want)) {
		t.Errorf("newsboat print-unread = %q, want %d unread", out, len(want))
	}
	for _, w := range want {
		if w == "" || !slices.Contains(titles, w) {
			t.Errorf("entry %q missing from newsboat (or has no title)", w)
		}
	}

	nb.markAllRead(t)
	live.write(t, "Live: a new talk on QUIC offload")
	waitFor(t, "the daemon's next fetch of the live source", func() bool {
		_, body := get(t, d.base+"feed.atom")
		return slices.Contains(atomTitles(t, body), "Live: a new talk on QUIC offload")
	})
	out = nb.reload(t)
	titles, unread = nb.items(t)
	if len(unread) != 1 || unread[0] != "Live: a new talk on QUIC offload" {
		t.Errorf("unread after one more cycle = %q (%s), want only the new entry", unread, out)
	}
	if len(titles) != len(want)+1 {
		t.Errorf("newsboat has %d articles after the second reload, want %d + 1", len(titles), len(want))
	}
}

// TestServeChromium loads the web page in headless Chromium: the rendered
// DOM has the groups, the entries and the subscribe link, and a screenshot
// is taken for a person to look at (NETDIGEST_SCREENSHOT=FILE keeps it;
// docs/page-example.png is one).
func TestServeChromium(t *testing.T) {
	bin := tooltest.Find(t, "chromium", "chromium", "chromium-browser", "google-chrome")
	path, _ := serveConfig(t)
	d := startServe(t, path)
	chromium := func(args ...string) []byte {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		args = append(tooltest.ChromiumArgs(t.TempDir()), args...)
		out, err := exec.CommandContext(ctx, bin, append(args, d.base)...).Output()
		if err != nil {
			tooltest.Unavailable(t, "chromium does not run here: %v", err)
		}
		return out
	}
	doc, err := html.Parse(bytes.NewReader(chromium("--dump-dom")))
	if err != nil {
		t.Fatal(err)
	}
	// An entry is a news item's article, or one trace of a talk's card
	// (a card holds every trace of its talk once the store links them).
	var groups, entries, cards, timed, subscribe, autodiscovery int
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch {
			case n.Data == "section" && attr(n, "class") == "group":
				groups++
			case n.Data == "article" && attr(n, "class") == "talk":
				cards++
			case n.Data == "article":
				entries++
			case n.Data == "p" && attr(n, "class") == "meta traces":
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					if c.Type == html.ElementNode {
						entries++
					}
				}
			case n.Data == "time" && n.Parent != nil && n.Parent.Parent != nil && attr(n.Parent.Parent, "class") == "talk":
				timed++
			case n.Data == "a" && attr(n, "class") == "feed" && strings.HasSuffix(attr(n, "href"), "feed.atom"):
				subscribe++
			case n.Data == "link" && attr(n, "rel") == "alternate" && attr(n, "type") == "application/atom+xml":
				autodiscovery++
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	_, feed := get(t, d.base+"feed.atom")
	if n := len(atomTitles(t, feed)); entries != n {
		t.Errorf("page shows %d entries, the feed has %d", entries, n)
	}
	// The offline example has Netdev 0.1, 1.2, 2.1/2.2/0x13 and LPC groups, topics and other news.
	if groups < 5 {
		t.Errorf("page shows %d groups, want the conferences, topics and other news", groups)
	}
	// Talk cards: 33 Netdev 1.2 write-ups, 9 LPC 2015 talks, 6 LPC 2025 abstracts; the
	// last two with their day or time.
	if cards != 48 || timed != 15 {
		t.Errorf("page shows %d talk cards, %d with a time; want 48, 15", cards, timed)
	}
	if subscribe != 1 || autodiscovery != 1 {
		t.Errorf("subscribe links %d, autodiscovery links %d; want 1 each", subscribe, autodiscovery)
	}
	shot := os.Getenv("NETDIGEST_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "page.png")
	}
	chromium("--screenshot="+shot, "--window-size=1000,1800", "--hide-scrollbars")
	if fi, err := os.Stat(shot); err != nil || fi.Size() == 0 {
		t.Errorf("no screenshot: %v", err)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// TestServeSignals runs the built binary, so the real signal wiring of main
// and serve is what answers: SIGHUP reloads, SIGTERM stops cleanly with
// status 0.
func TestServeSignals(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGHUP on Windows")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "netdigest")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	path, _ := serveConfig(t)
	log := &lockedBuffer{}
	cmd := exec.Command(bin, "serve", "-config", path, "-listen", "127.0.0.1:0")
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		if t.Failed() {
			t.Logf("serve log:\n%s", log)
		}
	})
	waitFor(t, "serve to listen", func() bool { return servingURL.MatchString(log.String()) })

	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the reload", func() bool { return strings.Contains(log.String(), "msg=reloaded") })

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v, want exit status 0", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("serve still running a minute after SIGTERM")
	}
	if !strings.Contains(log.String(), "msg=stopped") {
		t.Errorf("no clean stop in the log")
	}
}
