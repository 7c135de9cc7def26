package reliability

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	netmail "net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/entry"
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

// TestDigestOnce runs the built binary: two netdigest processes against
// one store at once, and SMTP servers that refuse a digest for good or
// never answer the end of DATA. (One test, so the binary is built once.)
func TestDigestOnce(t *testing.T) {
	section(t, secOnce)
	section(t, secMail)
	bin := buildBinary(t)
	t.Run("two digest -send together", func(t *testing.T) { testTwoDigests(t, bin) })
	t.Run("digest -send beside a send", func(t *testing.T) { testDigestBesideSend(t, bin) })
	t.Run("two runs", func(t *testing.T) { testTwoRuns(t, bin) })
	t.Run("552 at the end of DATA", func(t *testing.T) { testRejected(t, bin) })
	t.Run("no reply after DATA", func(t *testing.T) { testNoReplyAfterData(t, bin) })
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

	t.Run("beside serve", func(t *testing.T) { testRunBesideServe(t, n) })

	t.Run("after kill -9", func(t *testing.T) {
		rec := recordAt(t, 5, secOnce, "`netdigest run` after the previous run was killed with SIGKILL mid-fetch (its lease left behind)",
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

// testRunBesideServe starts `netdigest serve` on n's store and runs `run`
// beside it: the daemon owns the fetch cycles while it runs.
func testRunBesideServe(t *testing.T, n nd) {
	rec := recordAt(t, 4, secOnce, "`netdigest run` (from cron) while `netdigest serve` runs on the same store",
		"the run skips with a message naming the daemon's pid (exit 0); the daemon keeps running and stops cleanly")
	cmd := n.command(context.Background(), "serve", "-listen", "127.0.0.1:0")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	serving := make(chan struct{})
	var logs strings.Builder
	var logsMu sync.Mutex
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logsMu.Lock()
			logs.WriteString(sc.Text() + "\n")
			logsMu.Unlock()
			if strings.Contains(sc.Text(), "msg=serving") {
				close(serving)
			}
		}
	}()
	select {
	case <-serving:
	case <-time.After(watchdog):
		t.Fatal("serve never started")
	}
	out, errOut, code := n.run(t, "run", "-all")
	if code != 0 || ownerPID(out) != cmd.Process.Pid || !strings.Contains(out, "skipped") {
		t.Fatalf("run beside serve: exit %d (serve pid %d)\n%s\n%s", code, cmd.Process.Pid, out, errOut)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		logsMu.Lock()
		defer logsMu.Unlock()
		t.Fatalf("serve: %v\n%s", err, logs.String())
	}
	rec.res("exit %d: %s; serve then stopped cleanly on SIGTERM", code, quote(stableOwner(firstLine(out))))
}

// TestDigestSameSecondTwoStores: two processes (two stores on one file,
// one fixed clock) prepare digests in the same second: a digest, then a
// -since re-send by the other.
func TestDigestSameSecondTwoStores(t *testing.T) {
	section(t, secOnce)
	rec := recordAt(t, 6, secOnce, "two processes prepare digests within one second (a digest, then another process's -since)",
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

// replySink is an SMTP server whose reply to the end of each DATA is
// decided by reply (nil: accept), after the message was read. It records
// the messages it accepted, in order.
type replySink struct {
	mu       sync.Mutex
	reply    func() error
	accepted [][]byte
}

func (s *replySink) NewSession(*smtp.Conn) (smtp.Session, error) { return &replySession{s}, nil }

func (s *replySink) setReply(f func() error) { s.mu.Lock(); defer s.mu.Unlock(); s.reply = f }

func (s *replySink) messages() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.accepted)
}

type replySession struct{ s *replySink }

func (*replySession) Mail(string, *smtp.MailOptions) error { return nil }
func (*replySession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (*replySession) Reset()                               {}
func (*replySession) Logout() error                        { return nil }

func (rs *replySession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	rs.s.mu.Lock()
	reply := rs.s.reply
	rs.s.mu.Unlock()
	if reply != nil {
		if err := reply(); err != nil {
			return err
		}
	}
	rs.s.mu.Lock()
	defer rs.s.mu.Unlock()
	rs.s.accepted = append(rs.s.accepted, data)
	return nil
}

// replyDir is a config directory for farm whose digests go to sink, with
// extra settings appended to the mail: block.
func replyDir(t *testing.T, bin string, urls map[string]string, sink *replySink, mailExtra string) nd {
	t.Helper()
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = watchdog, watchdog
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	mailBlock := fmt.Sprintf("mail: {host: 127.0.0.1, port: %d, security: none, from: netdigest@example.org, to: [readers@example.org]%s}\n",
		ln.Addr().(*net.TCPAddr).Port, mailExtra)
	writeFile(t, dir, "feeds.yaml", binaryConfig(onceFetch, urls, mailBlock))
	return nd{bin: bin, dir: dir}
}

// decodedText is the text/plain part of a built digest, decoded.
func decodedText(t *testing.T, raw []byte) string {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no text/plain part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, err := io.ReadAll(p) // the reader decodes quoted-printable
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}

func testRejected(t *testing.T, bin string) {
	rec := recordAt(t, 1, secMail, "the SMTP server answers `552 message size exceeds fixed limit` at the end of DATA",
		"`digest -send` exits 1 with the reply and an error log line; the digest is marked refused and never retried; "+
			"the next digest carries only the entries that arrived since and links to the refused one's page")
	farm := newFeedFarm(t, 2, 1, nil)
	sink := &replySink{}
	n := replyDir(t, bin, farm.urls(), sink, "")
	farm.gen.Store(1)
	if out, errOut, code := n.run(t, "fetch", "-all"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s\n%s", code, out, errOut)
	}
	sink.setReply(func() error {
		return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "message size exceeds fixed limit"}
	})
	out, errOut, code := n.run(t, "digest", "-send", "-v")
	if code != 1 || !strings.Contains(errOut, "552") || !strings.Contains(errOut, "level=ERROR") {
		t.Fatalf("refused: exit %d\n%s\n%s", code, out, errOut)
	}
	refusal := ""
	for _, l := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(l, "netdigest: ") {
			refusal = l
		}
	}
	_, all := digestState(t, n.db())
	if len(all) != 1 || all[0].Rejected.IsZero() {
		t.Fatalf("after the refusal: %+v", all)
	}
	refused := all[0]

	// The next run, with nothing new: not retried, nothing sent.
	sink.setReply(nil)
	if out, errOut, code := n.run(t, "digest", "-send"); code != 0 || len(sink.messages()) != 0 || !strings.Contains(out, "nothing new") {
		t.Fatalf("the run after the refusal: exit %d, %d messages\n%s\n%s", code, len(sink.messages()), out, errOut)
	}
	waitNextSecond()
	farm.gen.Store(2)
	if out, errOut, code := n.run(t, "fetch", "-all"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s\n%s", code, out, errOut)
	}
	if out, errOut, code := n.run(t, "digest", "-send"); code != 0 || len(sink.messages()) != 1 {
		t.Fatalf("the next digest: exit %d, %d messages\n%s\n%s", code, len(sink.messages()), out, errOut)
	}
	text := strings.Join(strings.Fields(decodedText(t, sink.messages()[0])), " ")
	link := "http://127.0.0.1/digests/" + refused.ID
	if !strings.Contains(text, "was never delivered") || !strings.Contains(text, link) {
		t.Errorf("the next digest does not link %s:\n%s", link, text)
	}
	pending, all := digestState(t, n.db())
	if pending != nil || len(all) != 2 {
		t.Fatalf("pending %v, %d digests", pending, len(all))
	}
	next := all[0]
	for _, id := range next.EntryIDs {
		if slices.Contains(refused.EntryIDs, id) {
			t.Errorf("entry %s of the refused digest sent again", id)
		}
	}
	if len(next.EntryIDs) != 2*farmItemsPerGen {
		t.Errorf("the next digest carries %d entries, want the %d new ones", len(next.EntryIDs), 2*farmItemsPerGen)
	}
	rec.res("exit 1: %s; the next run sends nothing; after a fetch the next digest carries the %d new entries and says %s",
		quote(refusal), len(next.EntryIDs), quote("… "+sentence(text, "was never delivered")+" "+sentence(text, "Its entries are not repeated")))
}

// sentence is the part of text from from to the first ". " after it.
func sentence(text, from string) string {
	i := strings.Index(text, from)
	if i < 0 {
		return ""
	}
	s := text[i:]
	if j := strings.Index(s, ". "); j >= 0 {
		s = s[:j+1]
	}
	return s
}

func testNoReplyAfterData(t *testing.T, bin string) {
	rec := recordAt(t, 2, secMail, "the SMTP server reads the whole message and never answers the end of DATA (`data_timeout: 1s`)",
		"`digest -send` exits 1: the digest is in doubt (it may have been accepted), named by its Message-ID; the next run "+
			"refuses to resend it without -force")
	farm := newFeedFarm(t, 2, 1, nil)
	sink := &replySink{}
	n := replyDir(t, bin, farm.urls(), sink, ", data_timeout: 1s")
	farm.gen.Store(1)
	if out, errOut, code := n.run(t, "fetch", "-all"); code != 0 {
		t.Fatalf("fetch: exit %d\n%s\n%s", code, out, errOut)
	}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	// Held past the client's data_timeout, then accepted: what a slow
	// server that did take the message looks like.
	sink.setReply(func() error { <-release; return nil })
	out, errOut, code := n.run(t, "digest", "-send")
	if code != 1 || !strings.Contains(errOut, "no reply within 1s") || !strings.Contains(errOut, "-force") {
		t.Fatalf("timeout after DATA: exit %d\n%s\n%s", code, out, errOut)
	}
	pending, _ := digestState(t, n.db())
	if pending == nil || !pending.InDoubt() {
		t.Fatalf("after the timeout: %+v, want in doubt", pending)
	}
	sink.setReply(nil)
	out2, errOut2, code2 := n.run(t, "digest", "-send")
	if code2 != 1 || !strings.Contains(errOut2, pending.MessageID) || !strings.Contains(errOut2, "-force") {
		t.Fatalf("the next run: exit %d\n%s\n%s", code2, out2, errOut2)
	}
	if p, _ := digestState(t, n.db()); p == nil || p.Attempts != 1 {
		t.Fatalf("the next run attempted a delivery: %+v", p)
	}
	msg := digestIDs.ReplaceAllString(firstLine(strings.TrimPrefix(errOut, "netdigest: ")), "digest ID (Message-ID <…>)")
	rec.res("exit 1: %s; the next run exits 1 naming its Message-ID and -force, attempting nothing", quote(msg))
}

// TestDigestSizeBounded: 100,000 new entries (100 sources of 1,000) make a
// digest of normal size: both parts within the budget, the oldest as a
// title list, the rest counted. Storing and claiming them takes seconds,
// but minutes under -race (SQLite is Go code there too), so a -race run
// skips it and leaves its row alone; render's TestDigestTextSizeCap renders
// 100,000 entries under -race.
func TestDigestSizeBounded(t *testing.T) {
	section(t, secMail)
	if raceEnabled {
		t.Skip("100,000 entries through SQLite under -race take minutes; run without -race")
	}
	rec := recordAt(t, 3, secMail, "a digest of 100,000 new entries (100 sources × 1,000)",
		"both parts within the 100 KB budget: the newest entries in full, then titles, then a count; the email stays small")
	h := newHarness(t, nil, hostileFetch())
	dr, err := render.NewDigestRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	h.runner.Config.Digest = config.Digest{Schedule: config.DefaultDigestSchedule, Location: time.UTC, FirstDays: 7}
	h.runner.DigestRenderer = dr
	ctx := context.Background()
	summary := strings.Repeat("A talk about XDP, AF_XDP and page_pool recycling on the receive path. ", 4)
	for s := range 100 {
		es := make([]entry.Entry, 1000)
		for i := range es {
			id := fmt.Sprintf("urn:flood:%d:%d", s, i)
			pub := h.clock.Now().Add(-time.Duration(s*1000+i) * time.Second)
			es[i] = entry.Entry{ID: id, GUID: id, Source: fmt.Sprintf("s%03d", s), Link: "https://flood.example.org/" + id[10:],
				Title: "Flood talk " + id[10:], Summary: summary, Published: pub, Updated: pub, ContentHash: id}
		}
		if _, err := h.store.SaveFetch(ctx, store.SourceState{Name: fmt.Sprintf("s%03d", s)}, es); err != nil {
			t.Fatal(err)
		}
	}
	res, err := h.runner.Digest(ctx, pipeline.DigestOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	d, r := res.Digest, res.Rendered
	if len(d.EntryIDs) != 100_000 {
		t.Fatalf("the digest carries %d entries", len(d.EntryIDs))
	}
	if len(d.Text) > render.DefaultMaxHTMLBytes || len(d.HTML) > render.DefaultMaxHTMLBytes || len(d.Message) > 3*render.DefaultMaxHTMLBytes {
		t.Fatalf("text %d, HTML %d, message %d bytes", len(d.Text), len(d.HTML), len(d.Message))
	}
	if r.TextTruncated == 0 || r.TextOmitted == 0 || !strings.Contains(d.Text, "Also new:") {
		t.Fatalf("text: %d by title, %d counted", r.TextTruncated, r.TextOmitted)
	}
	rec.res("message %d KB: text part %d KB (%d in full, %d by title, %d counted), HTML part %d KB (%d in full, %d by title, %d counted)",
		len(d.Message)/1000, len(d.Text)/1000, 100_000-r.TextTruncated-r.TextOmitted, r.TextTruncated, r.TextOmitted,
		len(d.HTML)/1000, 100_000-r.Truncated-r.Omitted, r.Truncated, r.Omitted)
}
