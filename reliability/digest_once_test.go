package reliability

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/render"
	"github.com/netdigest/netdigest/store"
	"github.com/netdigest/netdigest/templates"
)

// onceFetch is the fetch: block of the contention cases' configs.
const onceFetch = "{workers: 2, per_host: 2}"

var ownerText = regexp.MustCompile(`pid (\d+) on [^\s)]+`)

// ownerPID is the pid a busy or skipped message names, 0 if none.
func ownerPID(s string) int {
	m := ownerText.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	pid, _ := strconv.Atoi(m[1])
	return pid
}

// stableOwner hides what varies in a message naming a process.
func stableOwner(s string) string {
	s = ownerText.ReplaceAllString(s, "pid N on HOST")
	return regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`).ReplaceAllString(s, "TIME")
}

// mailedDir is a config directory whose digests go to an SMTP sink.
func mailedDir(t *testing.T, urls map[string]string) (nd, *smtpSink) {
	t.Helper()
	sink := &smtpSink{accepted: map[string]int{}}
	port := startSMTP(t, sink)
	dir := t.TempDir()
	mailBlock := fmt.Sprintf("mail: {host: 127.0.0.1, port: %d, security: none, from: netdigest@example.org, to: [readers@example.org]}\n", port)
	writeFile(t, dir, "feeds.yaml", binaryConfig(onceFetch, urls, mailBlock))
	return nd{dir: dir}, sink
}

func (s *smtpSink) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.accepted {
		n += c
	}
	return n
}

// TestDigestOnce runs two netdigest processes against one store at once.
func TestDigestOnce(t *testing.T) {
	section(t, secOnce)
	bin := buildBinary(t)
	t.Run("two digest -send together", func(t *testing.T) { testTwoDigests(t, bin) })
	t.Run("digest -send beside a send", func(t *testing.T) { testDigestBesideSend(t, bin) })
	t.Run("two runs", func(t *testing.T) { testTwoRuns(t, bin) })
}

func testTwoDigests(t *testing.T, bin string) {
	rec := recordAt(t, 1, secOnce, "two `netdigest digest -send` started together, round after round",
		"one email per round; the other process exits 0 naming the first's pid (\"another digest is being prepared by pid N\"); "+
			"every entry in exactly one digest")
	farm := newFeedFarm(t, 4, 1, nil)
	n, sink := mailedDir(t, farm.urls())
	n.bin = bin
	const rounds = 3
	for round := range rounds {
		farm.gen.Store(int64(round + 1))
		if out, errOut, code := n.run(t, "fetch", "-all"); code != 0 {
			t.Fatalf("round %d: fetch: exit %d\n%s\n%s", round, code, out, errOut)
		}
		waitNextSecond()
		before := sink.total()
		a, b := n.start(t, "digest", "-send"), n.start(t, "digest", "-send")
		// Hold the first message until one process has exited: so the two
		// overlap whichever is faster, and the loser meets a live winner.
		sink.setHook(func() bool {
			select {
			case <-a.exited:
			case <-b.exited:
			case <-time.After(watchdog):
			}
			return true
		})
		var outs [2]string
		for i, k := range []*killed{a, b} {
			for line := range k.lines {
				outs[i] += line + "\n"
			}
			<-k.exited
			if !k.cmd.ProcessState.Success() {
				t.Fatalf("round %d: process %d: %v\n%s", round, i, k.cmd.ProcessState, outs[i])
			}
		}
		sink.setHook(nil)
		if got := sink.total() - before; got != 1 {
			t.Fatalf("round %d: %d emails accepted, want 1\n%s\n%s", round, got, outs[0], outs[1])
		}
		loser := 0
		if strings.Contains(outs[0], ": sent to ") {
			loser = 1
		}
		winnerPID := []*killed{a, b}[1-loser].cmd.Process.Pid
		if !strings.Contains(outs[loser], "another digest") || ownerPID(outs[loser]) != winnerPID {
			t.Fatalf("round %d: the loser said %q; want it to name the winner, pid %d", round, outs[loser], winnerPID)
		}
	}
	_, all := digestState(t, n.db())
	seen := map[string]string{}
	for _, d := range all {
		if d.Sent.IsZero() || sink.count(d.MessageID) != 1 {
			t.Errorf("digest %s: sent %v, accepted %d times", d.ID, d.Sent, sink.count(d.MessageID))
		}
		for _, id := range d.EntryIDs {
			if seen[id] != "" {
				t.Errorf("entry %s in digests %s and %s", id, seen[id], d.ID)
			}
			seen[id] = d.ID
		}
	}
	if len(all) != rounds {
		t.Errorf("%d digests, want %d", len(all), rounds)
	}
	rec.res("held over %d rounds: one email each, the other process exited 0 naming the winner's pid, each entry in one digest", rounds)
}

func testDigestBesideSend(t *testing.T, bin string) {
	rec := recordAt(t, 2, secOnce, "`netdigest digest -send` while another process is mid-send (the SMTP server holds its reply)",
		"exit 0, nothing sent, the sender named; the delivery is not called interrupted or in doubt; the first completes")
	farm := newFeedFarm(t, 2, 1, nil)
	n, sink := mailedDir(t, farm.urls())
	n.bin = bin
	farm.gen.Store(1)
	if out, errOut, code := n.run(t, "fetch", "-all"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s\n%s", code, out, errOut)
	}
	reached, release := make(chan struct{}), make(chan struct{})
	sink.setHook(func() bool { close(reached); <-release; return true })
	first := n.start(t, "digest", "-send")
	select {
	case <-reached:
	case <-time.After(watchdog):
		t.Fatal("the first digest never reached the SMTP server")
	}
	out, errOut, code := n.run(t, "digest", "-send")
	close(release)
	for range first.lines {
	}
	<-first.exited
	if code != 0 || ownerPID(out) != first.cmd.Process.Pid || strings.Contains(out+errOut, "interrupted") || sink.total() != 1 {
		t.Fatalf("beside a send: exit %d, %d emails, pid %d\n%s\n%s", code, sink.total(), first.cmd.Process.Pid, out, errOut)
	}
	if !first.cmd.ProcessState.Success() {
		t.Fatalf("the first digest: %v", first.cmd.ProcessState)
	}
	rec.res("exit %d: %s; the first then completed, one email", code, quote(stableOwner(firstLine(out))))
}

// blockingFeed serves one feed, holding each answer until release closes.
type blockingFeed struct {
	requests atomic.Int64
	reached  chan struct{}
	release  chan struct{}
}

func (f *blockingFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.requests.Add(1) == 1 {
		close(f.reached)
	}
	select {
	case <-f.release:
	case <-r.Context().Done():
		return
	}
	serveFeed(rssFeed("Slow blog", goodItems(3)...))(w, r)
}

func testTwoRuns(t *testing.T, bin string) {
	rec := recordAt(t, 3, secOnce, "`netdigest run` while another `run` of the same store is still fetching",
		"the second skips with a message naming the first (exit 0) and fetches nothing; the first completes")
	feed := &blockingFeed{reached: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewServer(feed)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	writeFile(t, dir, "feeds.yaml", binaryConfig(onceFetch, map[string]string{"slow": srv.URL}, ""))
	n := nd{bin: bin, dir: dir}

	first := n.start(t, "run", "-all")
	select {
	case <-feed.reached:
	case <-time.After(watchdog):
		t.Fatal("the first run never fetched")
	}
	out, errOut, code := n.run(t, "run", "-all")
	close(feed.release)
	for range first.lines {
	}
	<-first.exited
	if code != 0 || !strings.Contains(out, "skipped") || ownerPID(out) != first.cmd.Process.Pid || feed.requests.Load() != 1 {
		t.Fatalf("second run: exit %d, %d requests\n%s\n%s", code, feed.requests.Load(), out, errOut)
	}
	if !first.cmd.ProcessState.Success() {
		t.Fatalf("the first run: %v", first.cmd.ProcessState)
	}
	rec.res("exit %d: %s; the server saw one request", code, quote(stableOwner(firstLine(out))))

	t.Run("after kill -9", func(t *testing.T) {
		rec := recordAt(t, 4, secOnce, "`netdigest run` after the previous run was killed with SIGKILL mid-fetch (its lease left behind)",
			"the next run takes the lease at once (the owner's pid is gone) and fetches")
		feed2 := &blockingFeed{reached: make(chan struct{}), release: make(chan struct{})}
		srv2 := httptest.NewServer(feed2)
		t.Cleanup(srv2.Close)
		writeFile(t, dir, "feeds.yaml", binaryConfig(onceFetch, map[string]string{"slow": srv2.URL}, ""))
		k := n.start(t, "run", "-all")
		select {
		case <-feed2.reached:
		case <-time.After(watchdog):
			t.Fatal("the run never fetched")
		}
		k.kill()
		close(feed2.release)
		out, errOut, code := n.run(t, "run", "-all", "-no-digest")
		if code != 0 || strings.Contains(out, "skipped") || feed2.requests.Load() != 2 {
			t.Fatalf("after the kill: exit %d, %d requests\n%s\n%s", code, feed2.requests.Load(), out, errOut)
		}
		rec.res("exit 0: not skipped; it fetched the source (the server saw its request)")
	})
}

// TestDigestSameSecondTwoStores: two processes (two stores on one file,
// one fixed clock) prepare digests in the same second: a digest, then a
// -since re-send by the other.
func TestDigestSameSecondTwoStores(t *testing.T) {
	section(t, secOnce)
	rec := recordAt(t, 5, secOnce, "two processes prepare digests within one second (a digest, then another process's -since)",
		"both written, distinct ids and Message-IDs; no `UNIQUE constraint failed` surfaces")
	srv := newGoodServer(t, 3)
	h := newHarness(t, nil, hostileFetch(), feedSource("good", srv.URL))
	path := filepath.Join(t.TempDir(), "netdigest.db")
	var stores [2]*store.Store
	for i := range stores {
		st, err := store.Open(context.Background(), path, h.clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		stores[i] = st
	}
	o := store.Self()
	o.PID = os.Getppid() // alive, and not this process: another netdigest
	stores[1].SetOwner(o)
	h.runner.Store = stores[0]
	if res := h.fetchAll(t)["good"]; res.Err != nil {
		t.Fatal(res.Err)
	}
	dr, err := render.NewDigestRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	h.runner.Config.Digest = config.Digest{Schedule: config.DefaultDigestSchedule, Location: time.UTC, FirstDays: 7}
	h.runner.DigestRenderer = dr
	second := *h.runner
	second.Store = stores[1]
	ctx := context.Background()
	dir := t.TempDir()
	a, err := h.runner.Digest(ctx, pipeline.DigestOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	b, err := second.Digest(ctx, pipeline.DigestOptions{Dir: dir, Since: h.clock.Now().Add(-time.Hour)})
	var be *store.BusyError
	switch {
	case errors.As(err, &be):
		t.Fatalf("busy after the first was written: %v", err)
	case err != nil:
		rec.res("the second fails: %s", quote(err.Error()))
		t.Fatal(err)
	}
	if a.Digest.MessageID == b.Digest.MessageID || a.Digest.ID == b.Digest.ID {
		t.Fatalf("same ids: %s, %s", a.Digest.ID, b.Digest.ID)
	}
	rec.res("both written, ids %s", quote(a.Digest.ID+" and "+b.Digest.ID))
}
