package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/mail"
	"github.com/netdigest/netdigest/render"
	"github.com/netdigest/netdigest/store"
	"github.com/netdigest/netdigest/templates"
)

// fakeSender records what it was given; block, when set, holds each Send
// until it is closed (after signalling entered).
type fakeSender struct {
	mu      sync.Mutex
	sent    [][]byte
	err     error
	block   chan struct{}
	entered chan struct{}
}

func (f *fakeSender) Send(ctx context.Context, from string, to []string, raw []byte) error {
	if f.block != nil {
		f.entered <- struct{}{}
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.sent = append(f.sent, raw)
	return nil
}

func (f *fakeSender) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.sent) }

// digestRunner is a Runner for digests over st, delivering with sender.
func digestRunner(t *testing.T, st *store.Store, clk *clock, sender *fakeSender) *Runner {
	t.Helper()
	dr, err := render.NewDigestRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	return &Runner{
		Config: &config.Config{
			Title: "t", Link: "https://news.example.org/",
			Digest: config.Digest{Schedule: config.DefaultDigestSchedule, Location: time.UTC, FirstDays: 7},
			Mail:   &config.Mail{Host: "127.0.0.1", Port: 25, From: "n@example.org", To: []string{"r@example.org"}},
		},
		Store:          st,
		DigestRenderer: dr,
		Sender:         sender,
		Now:            clk.Now,
	}
}

// twoProcesses opens one store file twice, as two processes would; the
// first plays another live process of this host.
func twoProcesses(t *testing.T, clk *clock) (other, self *store.Store) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "n.db")
	var sts [2]*store.Store
	for i := range sts {
		st, err := store.Open(context.Background(), path, clk.Now)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		sts[i] = st
	}
	o := store.Self()
	o.PID = os.Getppid() // alive, and not this process
	sts[0].SetOwner(o)
	return sts[0], sts[1]
}

func addEntries(t *testing.T, st *store.Store, clk *clock, prefix string, n int) {
	t.Helper()
	es := make([]entry.Entry, n)
	for i := range es {
		id := fmt.Sprintf("urn:%s:%d", prefix, i)
		es[i] = entry.Entry{ID: id, GUID: id, Source: "s", Link: "https://s.example/" + id, Title: "Talk " + id,
			Published: clk.Now().Add(-time.Hour), Updated: clk.Now().Add(-time.Hour), ContentHash: id}
	}
	if _, err := st.SaveFetch(context.Background(), store.SourceState{Name: "s"}, es); err != nil {
		t.Fatal(err)
	}
}

// TestDigestWhileAnotherSends: a digest run while another process is in
// the middle of sending reports it busy, sends nothing, and does not call
// that delivery interrupted.
func TestDigestWhileAnotherSends(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	other, self := twoProcesses(t, clk)
	addEntries(t, other, clk, "a", 5)
	slow := &fakeSender{block: make(chan struct{}), entered: make(chan struct{}, 1)}
	done := make(chan error, 1)
	go func() {
		_, err := digestRunner(t, other, clk, slow).Digest(ctx, DigestOptions{Send: true})
		done <- err
	}()
	<-slow.entered // the other process is mid-send

	mine := &fakeSender{}
	res, err := digestRunner(t, self, clk, mine).Digest(ctx, DigestOptions{Send: true})
	var be *store.BusyError
	if !errors.As(err, &be) || errors.Is(err, ErrInDoubt) || res == nil || res.Action != DigestBusy || !be.Sending {
		t.Fatalf("beside a live send: %+v, %v; want DigestBusy and a BusyError (sending), not in doubt", res, err)
	}
	if res, err = digestRunner(t, self, clk, mine).Digest(ctx, DigestOptions{Send: true, Force: true}); !errors.As(err, &be) {
		t.Fatalf("-force beside a live send: %+v, %v; want busy", res, err)
	}
	close(slow.block)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if mine.count() != 0 || slow.count() != 1 {
		t.Errorf("sent by this process %d, by the other %d; want 0 and 1", mine.count(), slow.count())
	}
}

// TestDigestRaceSendsOnce: two processes' digests of the same entries,
// started together, round after round: one email per round, every entry in
// exactly one digest, and the loser only ever busy or with nothing new.
func TestDigestRaceSendsOnce(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	other, self := twoProcesses(t, clk)
	senders := []*fakeSender{{}, {}}
	runners := []*Runner{digestRunner(t, other, clk, senders[0]), digestRunner(t, self, clk, senders[1])}
	for round := range 10 {
		addEntries(t, self, clk, fmt.Sprint("r", round), 4)
		clk.Add(time.Hour)
		before := senders[0].count() + senders[1].count()
		var wg sync.WaitGroup
		results := make([]*DigestResult, 2)
		errs := make([]error, 2)
		for i, r := range runners {
			wg.Add(1)
			go func() { defer wg.Done(); results[i], errs[i] = r.Digest(ctx, DigestOptions{Send: true}) }()
		}
		wg.Wait()
		for i, err := range errs {
			var be *store.BusyError
			if err != nil && !errors.As(err, &be) {
				t.Fatalf("round %d, runner %d: %v", round, i, err)
			}
		}
		if got := senders[0].count() + senders[1].count() - before; got != 1 {
			t.Fatalf("round %d: %d emails (actions %s, %s), want 1", round, got, results[0].Action, results[1].Action)
		}
	}
	ds, err := self.Digests(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, d := range ds {
		full, err := self.Digest(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range full.EntryIDs {
			if seen[id] != "" {
				t.Errorf("entry %s in digests %s and %s", id, seen[id], d.ID)
			}
			seen[id] = d.ID
		}
	}
	if len(ds) != 10 || len(seen) != 40 {
		t.Errorf("%d digests carrying %d entries, want 10 carrying 40", len(ds), len(seen))
	}
}

// TestDigestSameSecondAcrossProcesses: digests prepared by two processes
// within one second (re-sends with -since, which may overlap) get distinct
// ids and Message-IDs; no UNIQUE failure surfaces.
func TestDigestSameSecondAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	other, self := twoProcesses(t, clk)
	addEntries(t, self, clk, "a", 3)
	dir := t.TempDir()
	runners := []*Runner{digestRunner(t, other, clk, nil), digestRunner(t, self, clk, nil)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	written := 0
	for _, r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 30 {
				res, err := r.Digest(ctx, DigestOptions{Dir: dir, Since: clk.Now().Add(-24 * time.Hour)})
				var be *store.BusyError
				if err != nil && !errors.As(err, &be) {
					t.Error(err)
					return
				}
				if err == nil && res.Action == DigestWritten {
					mu.Lock()
					written++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	ds, err := self.Digests(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	msgIDs := map[string]bool{}
	for _, d := range ds {
		if msgIDs[d.MessageID] {
			t.Errorf("Message-ID %s twice", d.MessageID)
		}
		msgIDs[d.MessageID] = true
	}
	if len(ds) != written || written == 0 {
		t.Errorf("%d digests recorded, %d written; want the same, not none", len(ds), written)
	}
}

// TestHoldFetch: a second fetch cycle of the same store is refused while
// the first runs, and may go once it released.
func TestHoldFetch(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	other, self := twoProcesses(t, clk)
	release, err := HoldFetch(ctx, other, nil)
	if err != nil {
		t.Fatal(err)
	}
	var held *store.LeaseHeldError
	if _, err := HoldFetch(ctx, self, nil); !errors.As(err, &held) || held.Owner.PID != os.Getppid() {
		t.Fatalf("second cycle: %v, want LeaseHeldError naming the first", err)
	}
	release()
	r2, err := HoldFetch(ctx, self, nil)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	r2()
}

// TestDigestRejectedDoesNotBlock: a digest the server refuses for good is
// recorded as rejected, logged as an error and never retried; the next
// digest carries only what arrived since, with a line linking to it.
func TestDigestRejectedDoesNotBlock(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	_, st := twoProcesses(t, clk)
	sender := &fakeSender{err: fmt.Errorf("smtp 127.0.0.1:25: end of DATA: 552 message size exceeds fixed limit: %w", mail.ErrMessageRejected)}
	r := digestRunner(t, st, clk, sender)
	var logs bytes.Buffer
	r.Log = slog.New(slog.NewTextHandler(&logs, nil))
	addEntries(t, st, clk, "big", 3)

	_, err := r.Digest(ctx, DigestOptions{Send: true})
	if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "552 message size exceeds fixed limit") {
		t.Fatalf("refused: %v, want ErrRejected with the reply", err)
	}
	if !strings.Contains(logs.String(), `level=ERROR msg="digest rejected by the mail server"`) {
		t.Errorf("no error log line:\n%s", logs.String())
	}
	if p, err := st.Pending(ctx); !errors.Is(err, store.ErrNoDigest) {
		t.Fatalf("the refused digest is still pending: %+v, %v", p, err)
	}
	ds, _ := st.Digests(ctx, 10)
	if len(ds) != 1 || ds[0].Rejected.IsZero() || !strings.Contains(ds[0].LastError, "552") {
		t.Fatalf("digests = %+v", ds)
	}
	refused := ds[0]

	sender.err = nil
	clk.Add(time.Hour)
	addEntries(t, st, clk, "next", 2)
	res, err := r.Digest(ctx, DigestOptions{Send: true})
	if err != nil || res.Action != DigestSent || len(res.Digest.EntryIDs) != 2 {
		t.Fatalf("next digest: %+v, %v; want sent with the 2 new entries", res, err)
	}
	link := "https://news.example.org/digests/" + refused.ID
	for name, part := range map[string]string{"text": res.Digest.Text, "HTML": res.Digest.HTML} {
		flat := strings.Join(strings.Fields(part), " ")
		if !strings.Contains(flat, "was never delivered") || !strings.Contains(flat, link) || !strings.Contains(flat, "552 message size exceeds fixed limit") {
			t.Errorf("the %s part does not tell of the refused digest and link %s", name, link)
		}
	}

	clk.Add(time.Hour)
	addEntries(t, st, clk, "later", 1)
	res, err = r.Digest(ctx, DigestOptions{Send: true})
	if err != nil || strings.Contains(res.Digest.Text, "was never delivered") {
		t.Errorf("the digest after: %v; mentions the refused one again: %v", err, strings.Contains(res.Digest.Text, "was never delivered"))
	}
}

// TestDigestMaybeDelivered: a delivery that timed out after the whole
// message was sent is in doubt, as after a crash: not resent without Force.
func TestDigestMaybeDelivered(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	_, st := twoProcesses(t, clk)
	sender := &fakeSender{err: fmt.Errorf("smtp 127.0.0.1:25: end of DATA: no reply within 10m0s: %w; %w", context.DeadlineExceeded, mail.ErrMaybeDelivered)}
	r := digestRunner(t, st, clk, sender)
	addEntries(t, st, clk, "a", 2)
	if _, err := r.Digest(ctx, DigestOptions{Send: true}); !errors.Is(err, ErrInDoubt) || !strings.Contains(err.Error(), "-force") {
		t.Fatalf("timeout after DATA: %v, want ErrInDoubt naming -force", err)
	}
	p, err := st.Pending(ctx)
	if err != nil || !p.InDoubt() || st.Held(p) || !strings.Contains(p.LastError, "no reply within") {
		t.Fatalf("after the timeout: %+v, %v; want in doubt, held by nobody, with the error", p, err)
	}
	sender.err = nil
	if _, err := r.Digest(ctx, DigestOptions{Send: true}); !errors.Is(err, ErrInDoubt) || sender.count() != 0 {
		t.Fatalf("the next run: %v, %d sent; want refused as in doubt, nothing sent", err, sender.count())
	}
	if res, err := r.Digest(ctx, DigestOptions{Send: true, Force: true}); err != nil || res.Action != DigestSent || sender.count() != 1 {
		t.Fatalf("-force: %+v, %v", res, err)
	}
}
