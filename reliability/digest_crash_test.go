package reliability

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	netmail "net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/render"
	"github.com/netdigest/netdigest/store"
	"github.com/netdigest/netdigest/templates"
)

// smtpSink is an SMTP server counting accepted messages by Message-ID. Its
// hook, when set, runs once the message has been read and decides what
// happens before the reply: it is how a kill lands exactly before or after
// acceptance.
type smtpSink struct {
	mu       sync.Mutex
	accepted map[string]int
	hook     func() (accept bool)
}

func (s *smtpSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s}, nil }

func (s *smtpSink) count(msgID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted[msgID]
}

func (s *smtpSink) setHook(h func() bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = h
}

type sinkSession struct{ s *smtpSink }

func (*sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (*sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (*sinkSession) Reset()                               {}
func (*sinkSession) Logout() error                        { return nil }

func (ss *sinkSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unparseable message"}
	}
	id := strings.Trim(msg.Header.Get("Message-Id"), "<> ")
	s := ss.s
	s.mu.Lock()
	hook := s.hook
	s.hook = nil
	s.mu.Unlock()
	accept := true
	if hook != nil {
		accept = hook()
	}
	if !accept {
		return &smtp.SMTPError{Code: 451, Message: "not accepted"}
	}
	s.mu.Lock()
	s.accepted[id]++
	s.mu.Unlock()
	return nil
}

func startSMTP(t *testing.T, sink *smtpSink) int {
	t.Helper()
	srv := smtp.NewServer(sink)
	srv.Domain = "localhost"
	srv.ReadTimeout = 30 * time.Second
	srv.WriteTimeout = 30 * time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

var digestIDs = regexp.MustCompile(`digest \S+ \(Message-ID <[^>]+>\)`)

// digestState reads what the store says of the digests.
func digestState(t *testing.T, path string) (pending *store.Digest, all []store.Digest) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("store does not open: %v", err)
	}
	defer st.Close()
	p, err := st.Pending(ctx)
	switch {
	case err == nil:
		pending = p
	case !errors.Is(err, store.ErrNoDigest):
		t.Fatal(err)
	}
	list, err := st.Digests(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range list {
		full, err := st.Digest(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, *full)
	}
	return pending, all
}

// confirmSent records an in-doubt digest as delivered, in process: what an
// operator who found the message in the mailbox needs, and the command
// line does not offer (see the report).
func confirmSent(t *testing.T, path, id string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.MarkSent(ctx, id, "confirmed by the test (found in the mailbox)"); err != nil {
		t.Fatal(err)
	}
}

// waitNextSecond sleeps into the next wall-clock second: digest ids are
// the preparation time to the second (see TestDigestSameSecond).
func waitNextSecond() {
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 10*time.Millisecond)))
}

func testKillDigest(t *testing.T, bin string) {
	n0 := nd{bin: bin}
	if _, _, code := n0.run(t, "digest", "-h"); code != 0 {
		t.Skip("this netdigest has no digest command")
	}
	rounds := envInt("NETDIGEST_DIGEST_ROUNDS", 8)
	seed := uint64(envInt("NETDIGEST_CRASH_SEED", 1))
	rng := rand.New(rand.NewPCG(seed, 0x64696765))
	t.Logf("%d rounds, seed %d (NETDIGEST_DIGEST_ROUNDS, NETDIGEST_CRASH_SEED)", rounds, seed)

	sink := &smtpSink{accepted: map[string]int{}}
	port := startSMTP(t, sink)
	farm := newFeedFarm(t, 6, 1, nil)
	dir := t.TempDir()
	mailBlock := fmt.Sprintf("mail: {host: 127.0.0.1, port: %d, security: none, from: netdigest@example.org, to: [readers@example.org]}\n", port)
	writeFile(t, dir, "feeds.yaml", binaryConfig("", farm.urls(), mailBlock))
	n := nd{bin: bin, dir: dir}

	const (
		killAtRandom = iota
		killBeforeAccept
		killAfterAccept
	)
	strategyName := []string{"at a random point", "after the send began, before the server accepted", "after the server accepted, before it was recorded"}
	seen := map[int]int{}
	refusedAfterAccept, refusedBeforeAccept := 0, 0

	refusals := map[int]string{} // strategy → the first refusal seen after it
	rec := recordAt(t, 1, secCrash, "kill -9 during `netdigest digest -send`, then restart until delivered",
		"every prepared digest ends recorded as sent, its Message-ID accepted by the SMTP server exactly once, "+
			"every entry in exactly one digest; an in-doubt digest is never resent without -force")
	for round := range rounds {
		farm.gen.Store(int64(round + 1))
		if out, errOut, code := n.run(t, "fetch", "-all"); code != 0 {
			t.Fatalf("round %d: fetch: exit %d\n%s\n%s", round, code, out, errOut)
		}
		waitNextSecond()

		strategy := round % 3
		if round >= 3 {
			strategy = rng.IntN(3)
		}
		seen[strategy]++
		// The hooks kill the client and wait until it is gone before the
		// server replies, so it can record neither failure nor success.
		// (Set after the start: the child takes far longer to reach DATA.)
		k := n.start(t, "digest", "-send")
		switch strategy {
		case killBeforeAccept:
			sink.setHook(func() bool { k.kill(); return false })
		case killAfterAccept:
			sink.setHook(func() bool { k.kill(); return true })
		}
		if strategy == killAtRandom {
			time.Sleep(time.Duration(rng.IntN(400)) * time.Millisecond)
		} else {
			select {
			case <-k.exited:
			case <-time.After(watchdog):
				t.Fatalf("round %d: digest -send never reached the SMTP server", round)
			}
		}
		k.kill()
		sink.setHook(nil)
		t.Logf("round %d: killed %s", round, strategyName[strategy])

		for attempt := 0; ; attempt++ {
			if attempt == 4 {
				t.Fatalf("round %d: not delivered after %d restarts", round, attempt)
			}
			pending, _ := digestState(t, n.db())
			before := 0
			if pending != nil {
				before = sink.count(pending.MessageID)
			}
			out, errOut, code := n.run(t, "digest", "-send")
			if code == 0 {
				if pending != nil && pending.InDoubt() {
					t.Fatalf("round %d: an in-doubt digest was resent without -force:\n%s", round, out)
				}
				break
			}
			if pending == nil || !pending.InDoubt() || !strings.Contains(errOut, "-force") {
				t.Fatalf("round %d: digest -send: exit %d\n%s\n%s", round, code, out, errOut)
			}
			// In doubt: refused, and nothing was sent by the refusal.
			if got := sink.count(pending.MessageID); got != before {
				t.Fatalf("round %d: the refusing run changed the server's count %d → %d", round, before, got)
			}
			if _, ok := refusals[strategy]; !ok && attempt == 0 {
				refusals[strategy] = fmt.Sprintf("exit %d: %s", code, quote(digestIDs.ReplaceAllString(firstLine(errOut), "digest ID (Message-ID <…>)")))
			}
			if before == 0 {
				refusedBeforeAccept++
				out, errOut, code := n.run(t, "digest", "-send", "-force")
				if code != 0 || sink.count(pending.MessageID) != 1 {
					t.Fatalf("round %d: -force: exit %d, %d copies accepted\n%s\n%s", round, code, sink.count(pending.MessageID), out, errOut)
				}
				break
			}
			refusedAfterAccept++
			// The message did arrive: record it as the operator would. No
			// command does this; -force would send a second copy.
			confirmSent(t, n.db(), pending.ID)
			break
		}
	}

	pending, all := digestState(t, n.db())
	if pending != nil {
		t.Errorf("digest %s still pending", pending.ID)
	}
	inDigest := map[string]string{}
	for _, d := range all {
		if d.Sent.IsZero() {
			t.Errorf("digest %s not recorded as sent", d.ID)
		}
		if c := sink.count(d.MessageID); c != 1 {
			t.Errorf("digest %s (Message-ID %s) accepted %d times, want exactly once", d.ID, d.MessageID, c)
		}
		for _, id := range d.EntryIDs {
			if other, dup := inDigest[id]; dup {
				t.Errorf("entry %s is in digests %s and %s", id, other, d.ID)
			}
			inDigest[id] = d.ID
		}
	}
	sink.mu.Lock()
	for id, c := range sink.accepted {
		if c > 1 {
			t.Errorf("Message-ID %s accepted %d times", id, c)
		}
	}
	sink.mu.Unlock()
	st, err := store.Open(context.Background(), n.db(), nil)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := st.Latest(context.Background(), 1<<30)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if inDigest[e.ID] == "" {
			t.Errorf("entry %s (%s) is in no digest", e.ID, e.Title)
		}
	}
	t.Logf("%d digests; strategies %v; in doubt and refused: %d before acceptance (then -force), %d after acceptance",
		len(all), seen, refusedBeforeAccept, refusedAfterAccept)
	for s := range 3 {
		if seen[s] == 0 {
			t.Errorf("no round killed %s", strategyName[s])
		}
	}
	if refusedAfterAccept == 0 || refusedBeforeAccept == 0 {
		t.Errorf("the in-doubt refusals were not both exercised (%d before, %d after acceptance)", refusedBeforeAccept, refusedAfterAccept)
	}
	rec.res("held: every digest sent once and recorded, every entry in one digest, over rounds killed at random points, " +
		"before acceptance and after acceptance")

	t.Run("killed before the server accepted", func(t *testing.T) {
		rec := recordAt(t, 2, secCrash, "`digest -send` killed after the send began, before the SMTP server accepted",
			"the next run refuses (in doubt) and names -force; with -force the digest is delivered, exactly once")
		msg, ok := refusals[killBeforeAccept]
		if !ok {
			t.Fatal("no refusal observed after a kill before acceptance")
		}
		rec.res("%s; -force then delivered it once", msg)
	})
	t.Run("killed after the server accepted", func(t *testing.T) {
		rec := recordAt(t, 3, secCrash, "`digest -send` killed after the SMTP server accepted, before netdigest recorded it",
			"the next run refuses (in doubt) and names -force; nothing is resent")
		msg, ok := refusals[killAfterAccept]
		if !ok {
			t.Fatal("no refusal observed after a kill after acceptance")
		}
		rec.res("%s; the server still holds exactly one copy (the test then records it as sent in-process: no command does)", msg)
	})
}

// TestDigestSameSecond prepares two digests at one clock reading, in
// process with a fixed clock (the binary's clock cannot be held still): a
// digest, then one with Since, which takes the same entries again.
// Ids are the preparation time to the second, so the second needs a suffix.
func TestDigestSameSecond(t *testing.T) {
	section(t, secCrash)
	rec := recordAt(t, 4, secCrash, "two digests prepared within one second (a digest, then one with -since)",
		"both are prepared and written, with distinct ids and Message-IDs")
	srv := newGoodServer(t, 3)
	h := newHarness(t, nil, hostileFetch(), feedSource("good", srv.URL))
	h.runner.Config.Digest = config.Digest{Schedule: config.DefaultDigestSchedule, Location: time.UTC, FirstDays: 7}
	r, err := render.NewDigestRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	h.runner.DigestRenderer = r
	if res := h.fetchAll(t)["good"]; res.Err != nil {
		t.Fatal(res.Err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	first, err := h.runner.Digest(ctx, pipeline.DigestOptions{Dir: dir})
	if err != nil || first.Digest == nil {
		t.Fatalf("first digest: %+v, %v", first, err)
	}
	second, err := h.runner.Digest(ctx, pipeline.DigestOptions{Dir: dir, Since: h.clock.Now().Add(-time.Hour)})
	if err != nil {
		t.Errorf("second digest at the same second: %v", err)
		rec.res("the second fails: %s", quote(err.Error()))
		return
	}
	if second.Digest == nil || second.Digest.MessageID == first.Digest.MessageID {
		t.Fatalf("second digest: %+v", second)
	}
	rec.res("both written, with distinct Message-IDs")
}
