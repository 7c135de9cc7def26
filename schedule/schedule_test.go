package schedule

// The runner tests run inside testing/synctest bubbles: time there is a fake
// clock that only moves when every goroutine is blocked, so time.Sleep
// advances it to exactly the next instant of interest and synctest.Wait
// returns once the scheduler has finished reacting. Nothing depends on real
// timing. A bubble starts at 2000-01-01T00:00:00Z, a Saturday; offTheHour moves
// it to 00:20.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/store"
)

type call struct {
	name string
	at   time.Time
}

// fakeJobs records calls and keeps source states the way pipeline.Runner
// does: LastFetch is the attempt, a failure counts up and keeps NextTry, a
// success clears both.
type fakeJobs struct {
	mu        sync.Mutex
	states    map[string]store.SourceState
	last      time.Time // newest digest
	refreshes []call
	digests   []time.Time
	afters    int
	// Optional behaviours; nil ones succeed at once.
	refresh func(ctx context.Context, src config.Source) pipeline.Result
	digest  func(ctx context.Context) error
	after   func(ctx context.Context) error
}

func newFakeJobs() *fakeJobs { return &fakeJobs{states: map[string]store.SourceState{}} }

func (f *fakeJobs) Refresh(ctx context.Context, src config.Source) pipeline.Result {
	start := time.Now()
	f.mu.Lock()
	f.refreshes = append(f.refreshes, call{src.Name, start})
	hook := f.refresh
	f.mu.Unlock()
	res := pipeline.Result{Source: src.Name, Outcome: pipeline.Unchanged}
	if hook != nil {
		res = hook(ctx, src)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.states[src.Name]
	st.Name, st.URL, st.LastFetch = src.Name, src.URL, start
	if res.Outcome == pipeline.Failed {
		st.Failures++
		st.NextTry = res.NextTry
	} else {
		st.Failures, st.NextTry = 0, time.Time{}
	}
	f.states[src.Name] = st
	return res
}

func (f *fakeJobs) State(_ context.Context, name string) (store.SourceState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.states[name], nil
}

func (f *fakeJobs) Digest(ctx context.Context) error {
	f.mu.Lock()
	f.digests = append(f.digests, time.Now())
	hook := f.digest
	f.mu.Unlock()
	var err error
	if hook != nil {
		err = hook(ctx)
	}
	f.mu.Lock()
	f.last = time.Now()
	f.mu.Unlock()
	return err
}

func (f *fakeJobs) LastDigest(context.Context) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last, nil
}

func (f *fakeJobs) AfterFetch(ctx context.Context) error {
	f.mu.Lock()
	f.afters++
	hook := f.after
	f.mu.Unlock()
	if hook != nil {
		return hook(ctx)
	}
	return nil
}

func (f *fakeJobs) calls(name string) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Time
	for _, c := range f.refreshes {
		if c.name == name {
			out = append(out, c.at)
		}
	}
	return out
}

func (f *fakeJobs) names() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, c := range f.refreshes {
		out = append(out, c.name)
	}
	return out
}

func (f *fakeJobs) digestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.digests)
}

func (f *fakeJobs) afterCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.afters
}

// fetchedAt is the state of a source fetched successfully at t.
func fetchedAt(src config.Source, t time.Time) store.SourceState {
	return store.SourceState{Name: src.Name, URL: src.URL, LastFetch: t, LastSuccess: t}
}

func source(name, spec string) config.Source {
	return config.Source{Name: name, Kind: config.KindFeed, URL: "https://" + name + ".example.org/feed", Schedule: spec}
}

func testConfig(digest string, srcs ...config.Source) *config.Config {
	if digest == "" {
		digest = config.DefaultDigestSchedule
	}
	return &config.Config{
		Sources: srcs,
		Digest:  config.Digest{Schedule: digest, Location: time.UTC},
		Fetch:   config.Fetch{Workers: 4},
	}
}

// logBuffer collects the scheduler's log lines for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newScheduler starts a scheduler over jobs.
func newScheduler(t *testing.T, jobs Jobs, cfg *config.Config, opts Options) (*Scheduler, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	opts.Log = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := New(jobs, cfg, opts)
	if err := s.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Stop is idempotent: this ends the bubble's goroutines when a test
	// fails before its own Stop.
	t.Cleanup(func() { s.Stop(context.Background()) })
	return s, logs
}

func stop(t *testing.T, s *Scheduler) {
	t.Helper()
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// offTheHour moves the bubble's clock from midnight to 00:20, away from the
// slots of hourly and daily schedules, which fall at the bubble's start.
func offTheHour() { time.Sleep(20 * time.Minute) }

// sleepUntil moves the bubble's clock to tm and lets the scheduler react.
func sleepUntil(tm time.Time) {
	time.Sleep(time.Until(tm))
	synctest.Wait()
}

func TestSkipIfStillRunning(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		offTheHour()
		a := source("a", "@every 1m")
		jobs := newFakeJobs()
		jobs.states["a"] = fetchedAt(a, time.Now()) // not overdue: no catch-up run
		release := make(chan struct{})
		jobs.refresh = func(context.Context, config.Source) pipeline.Result {
			<-release
			return pipeline.Result{Outcome: pipeline.Unchanged}
		}
		s, logs := newScheduler(t, jobs, testConfig("", a), Options{})

		first := s.Next("a")
		sleepUntil(first)
		if n := len(jobs.calls("a")); n != 1 {
			t.Fatalf("%d refreshes at the first tick, want 1", n)
		}
		sleepUntil(first.Add(time.Minute)) // the next tick, while the first run is blocked
		if n := len(jobs.calls("a")); n != 1 {
			t.Fatalf("%d refreshes after a tick during a run, want still 1", n)
		}
		if !strings.Contains(logs.String(), "source=a outcome=running") {
			t.Errorf("the skipped tick is not logged:\n%s", logs)
		}
		close(release)
		synctest.Wait()
		sleepUntil(first.Add(2 * time.Minute))
		if got := jobs.calls("a"); len(got) != 2 || !got[1].Equal(first.Add(2*time.Minute)) {
			t.Errorf("refreshes at %v, want a second one at %s once the first ended", got, first.Add(2*time.Minute))
		}
		stop(t, s)
	})
}

func TestStopLetsRunsFinishWithinGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		offTheHour()
		a, b := source("a", "@hourly"), source("b", "@hourly")
		jobs := newFakeJobs()
		// Both overdue: a runs at once, b would run half a minute later.
		jobs.states["a"] = fetchedAt(a, time.Now().Add(-3*time.Hour))
		jobs.states["b"] = fetchedAt(b, time.Now().Add(-3*time.Hour))
		release := make(chan struct{})
		var ctxErr error
		jobs.refresh = func(ctx context.Context, src config.Source) pipeline.Result {
			<-release
			ctxErr = ctx.Err()
			return pipeline.Result{Outcome: pipeline.New}
		}
		s, _ := newScheduler(t, jobs, testConfig("", a, b), Options{Grace: time.Minute})
		synctest.Wait()
		if got := jobs.names(); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("refreshes %v, want a in flight", got)
		}

		stopped := make(chan error)
		start := time.Now()
		go func() { stopped <- s.Stop(context.Background()) }()
		synctest.Wait()
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned (%v) while a run was in flight", err)
		default:
		}
		if !s.Next("a").IsZero() || !s.NextDigest().IsZero() {
			t.Errorf("after Stop: Next = %s, NextDigest = %s, want zero", s.Next("a"), s.NextDigest())
		}

		time.Sleep(10 * time.Second)
		close(release)
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != 10*time.Second {
			t.Errorf("Stop returned after %s, want when the run ended (10s)", waited)
		}
		if ctxErr != nil {
			t.Errorf("the run's context was %v within the grace period", ctxErr)
		}
		// Its AfterFetch (new entries) belonged to the run and was let finish;
		// the pending catch-up of b and every later tick never start.
		if n := jobs.afterCount(); n != 1 {
			t.Errorf("%d AfterFetch calls, want 1", n)
		}
		time.Sleep(3 * time.Hour)
		synctest.Wait()
		if got := jobs.names(); !slices.Equal(got, []string{"a"}) {
			t.Errorf("refreshes after Stop: %v, want only a", got)
		}
	})
}

func TestStopCancelsRunsAfterGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		offTheHour()
		a := source("a", "@hourly")
		jobs := newFakeJobs() // a never fetched: caught up at once
		var ctxErr error
		jobs.refresh = func(ctx context.Context, src config.Source) pipeline.Result {
			<-ctx.Done() // a fetch that hangs until cancelled
			ctxErr = ctx.Err()
			return pipeline.Result{Outcome: pipeline.Failed, Err: ctx.Err()}
		}
		s, logs := newScheduler(t, jobs, testConfig("", a), Options{Grace: 30 * time.Second})
		synctest.Wait()
		start := time.Now()
		if err := s.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if waited := time.Since(start); waited != 30*time.Second {
			t.Errorf("Stop returned after %s, want the grace period (30s)", waited)
		}
		if !errors.Is(ctxErr, context.Canceled) {
			t.Errorf("the run saw ctx error %v, want context.Canceled", ctxErr)
		}
		if !strings.Contains(logs.String(), "cancelling runs still going after grace") {
			t.Errorf("the cancellation is not logged:\n%s", logs)
		}
	})
}

func TestStopWithExpiredContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		offTheHour()
		a := source("a", "@hourly")
		jobs := newFakeJobs()
		release := make(chan struct{})
		jobs.refresh = func(ctx context.Context, src config.Source) pipeline.Result {
			<-release // ignores cancellation
			return pipeline.Result{Outcome: pipeline.Unchanged}
		}
		s, _ := newScheduler(t, jobs, testConfig("", a), Options{Grace: time.Hour})
		synctest.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Stop = %v, want the context's deadline", err)
		}
		close(release)
		// A second Stop waits for the first to have ended.
		if err := s.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

func TestStartCatchesUpOverdueSources(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		offTheHour()
		now := time.Now()
		srcs := []config.Source{
			source("late", "@hourly"),
			source("fresh", "@hourly"),
			source("never", "@hourly"),
			source("backed-off", "@every 5m"),
			source("retry-after", "@hourly"),
			source("gone", "@hourly"),
		}
		jobs := newFakeJobs()
		jobs.states["late"] = fetchedAt(srcs[0], now.Add(-3*time.Hour))
		jobs.states["fresh"] = fetchedAt(srcs[1], now.Add(-10*time.Minute))
		bo := fetchedAt(srcs[3], now.Add(-10*time.Minute))
		bo.Failures = 4 // 40m ± 20% from 10 minutes ago
		jobs.states["backed-off"] = bo
		ra := fetchedAt(srcs[4], now.Add(-3*time.Hour))
		ra.Failures, ra.NextTry = 1, now.Add(2*time.Hour)
		jobs.states["retry-after"] = ra
		gone := fetchedAt(srcs[5], now.Add(-3*time.Hour))
		gone.Gone = true
		jobs.states["gone"] = gone

		s, _ := newScheduler(t, jobs, testConfig("", srcs...), Options{StartupSpread: time.Minute})
		synctest.Wait()
		if got := s.Next("never"); !got.Equal(now.Add(30 * time.Second)) {
			t.Errorf("Next(never) = %s, want its catch-up run at start+30s", got)
		}
		sleepUntil(now.Add(time.Minute))
		want := []call{{"late", now}, {"never", now.Add(30 * time.Second)}}
		if got := jobs.refreshes; !slices.EqualFunc(got, want, func(a, b call) bool { return a.name == b.name && a.at.Equal(b.at) }) {
			t.Errorf("catch-up refreshes %v, want %v", got, want)
		}
		// Then back to their schedules: the next ones are the hourly slots.
		hourly := func(name string) time.Time {
			return jittered(mustSpec(t, "@hourly", time.UTC), offset(name, time.Hour, DefaultMaxJitter)).Next(now)
		}
		for _, name := range []string{"late", "never", "fresh"} {
			if got, want := s.Next(name), hourly(name); !got.Equal(want) {
				t.Errorf("Next(%s) = %s, want %s", name, got, want)
			}
		}
		if got, want := s.Next("retry-after"), hourly("retry-after").Add(2*time.Hour); !got.Equal(want) {
			t.Errorf("Next(retry-after) = %s, want the first slot after Retry-After, %s", got, want)
		}
		if got := s.Next("gone"); !got.IsZero() {
			t.Errorf("Next(gone) = %s, want zero", got)
		}
		stop(t, s)
	})
}

func TestDigestCatchUp(t *testing.T) {
	for _, tc := range []struct {
		name    string
		last    time.Time
		atStart int // digests run at start
	}{
		// The bubble starts on Saturday 2000-01-01; the last Monday slot
		// before it was 1999-12-27 08:00.
		{"a week off: 7 missed slots, one run", time.Date(1999, 11, 8, 8, 0, 5, 0, time.UTC), 1},
		{"last digest after the last slot", time.Date(1999, 12, 27, 8, 0, 10, 0, time.UTC), 0},
		{"never made one", time.Time{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				offTheHour()
				a := source("a", "@hourly") // never fetched: caught up at start
				jobs := newFakeJobs()
				jobs.last = tc.last
				release := make(chan struct{})
				var refreshed time.Time
				jobs.refresh = func(context.Context, config.Source) pipeline.Result {
					<-release
					refreshed = time.Now()
					return pipeline.Result{Outcome: pipeline.New}
				}
				s, _ := newScheduler(t, jobs, testConfig("0 8 * * MON", a), Options{})
				synctest.Wait()
				if n := jobs.digestCount(); n != 0 {
					t.Fatalf("%d digests before the catch-up fetches ended, want 0", n)
				}
				time.Sleep(20 * time.Second)
				close(release)
				synctest.Wait()
				if n := jobs.digestCount(); n != tc.atStart {
					t.Fatalf("%d digests at start, want %d", n, tc.atStart)
				}
				if tc.atStart > 0 && jobs.digests[0].Before(refreshed) {
					t.Errorf("digest at %s, before the catch-up fetch ended at %s", jobs.digests[0], refreshed)
				}
				slot := time.Date(2000, 1, 3, 8, 0, 0, 0, time.UTC)
				if got := s.NextDigest(); !got.Equal(slot) {
					t.Errorf("NextDigest = %s, want %s", got, slot)
				}
				sleepUntil(slot.Add(-time.Second))
				if n := jobs.digestCount(); n != tc.atStart {
					t.Errorf("%d digests before the next slot, want still %d", n, tc.atStart)
				}
				sleepUntil(slot)
				if n := jobs.digestCount(); n != tc.atStart+1 {
					t.Errorf("%d digests after the next slot, want %d", n, tc.atStart+1)
				}
				stop(t, s)
			})
		})
	}
}

func TestReloadBadSpecKeepsOldPlan(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		offTheHour()
		now := time.Now()
		a, b := source("a", "@hourly"), source("b", "*/10 * * * *")
		jobs := newFakeJobs()
		jobs.states["a"] = fetchedAt(a, now)
		jobs.states["b"] = fetchedAt(b, now)
		s, _ := newScheduler(t, jobs, testConfig("0 8 * * MON", a, b), Options{})
		nextA, nextB, nextDigest := s.Next("a"), s.Next("b"), s.NextDigest()

		bad := testConfig("whenever", source("a", "*/5 * * * *"), source("c", "@hourly"), source("d", "every day"))
		err := s.Reload(bad)
		if err == nil {
			t.Fatal("Reload with bad specs succeeded")
		}
		for _, want := range []string{`source "d"`, `"every day"`, "digest", `"whenever"`} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Reload error %q does not mention %s", err, want)
			}
		}
		if s.Next("a") != nextA || s.Next("b") != nextB || s.NextDigest() != nextDigest || !s.Next("c").IsZero() {
			t.Errorf("plan changed by a failed reload: a %s→%s, b %s→%s, digest %s→%s, c %s",
				nextA, s.Next("a"), nextB, s.Next("b"), nextDigest, s.NextDigest(), s.Next("c"))
		}
		sleepUntil(nextB)
		if got := jobs.names(); !slices.Equal(got, []string{"b"}) {
			t.Fatalf("refreshes %v, want b on its old schedule", got)
		}

		// A good config: a re-planned, b removed, c added, digest moved.
		good := testConfig("0 9 * * TUE", source("a", "*/5 * * * *"), source("c", "@hourly"))
		if err := s.Reload(good); err != nil {
			t.Fatal(err)
		}
		reloaded := time.Now()
		every5 := jittered(mustSpec(t, "*/5 * * * *", time.UTC), offset("a", 5*time.Minute, DefaultMaxJitter))
		hourlyC := jittered(mustSpec(t, "@hourly", time.UTC), offset("c", time.Hour, DefaultMaxJitter))
		if got, want := s.Next("a"), every5.Next(reloaded); !got.Equal(want) {
			t.Errorf("Next(a) = %s, want %s", got, want)
		}
		if got, want := s.Next("c"), hourlyC.Next(reloaded); !got.Equal(want) {
			t.Errorf("Next(c) = %s, want %s", got, want)
		}
		if got := s.Next("b"); !got.IsZero() {
			t.Errorf("Next(b) = %s after its removal, want zero", got)
		}
		if got, want := s.NextDigest(), time.Date(2000, 1, 4, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
			t.Errorf("NextDigest = %s, want %s", got, want)
		}

		end := reloaded.Add(2 * time.Hour)
		sleepUntil(end)
		for name, sched := range map[string]cron.Schedule{"a": every5, "c": hourlyC} {
			var want []time.Time
			for tm := sched.Next(reloaded); tm.Before(end); tm = sched.Next(tm) {
				want = append(want, tm)
			}
			if got := jobs.calls(name); !slices.EqualFunc(got, want, time.Time.Equal) {
				t.Errorf("refreshes of %s at %v\nwant %v", name, got, want)
			}
		}
		if n := len(jobs.calls("b")); n != 1 {
			t.Errorf("%d refreshes of b, want none after its removal", n-1)
		}
		stop(t, s)
	})
}

func TestNextReportsPlannedTimes(t *testing.T) {
	t.Run("before start, with the injected clock", func(t *testing.T) {
		now := at("2025-03-03T10:20:00Z")
		s := New(newFakeJobs(), testConfig("0 8 * * MON", source("a", "@hourly"), source("b", "@every 30m")),
			Options{Now: func() time.Time { return now }})
		if got, want := s.Next("a"), at("2025-03-03T11:00:00Z").Add(offset("a", time.Hour, DefaultMaxJitter)); !got.Equal(want) {
			t.Errorf("Next(a) = %s, want %s", got, want)
		}
		if got, want := s.Next("b"), at("2025-03-03T10:30:00Z").Add(offset("b", 30*time.Minute, DefaultMaxJitter)); !got.Equal(want) {
			t.Errorf("Next(b) = %s, want %s", got, want)
		}
		if got, want := s.NextDigest(), at("2025-03-10T08:00:00Z"); !got.Equal(want) {
			t.Errorf("NextDigest = %s, want %s", got, want)
		}
		if got := s.Next("unknown"); !got.IsZero() {
			t.Errorf("Next(unknown) = %s, want zero", got)
		}
	})
	t.Run("a failing source is planned after its backoff", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			offTheHour()
			now := time.Now()
			f := source("f", "@every 1m")
			jobs := newFakeJobs()
			st := fetchedAt(f, now.Add(-time.Minute))
			st.Failures = 3 // 20m ± 20% after the last attempt
			jobs.states["f"] = st
			s, _ := newScheduler(t, jobs, testConfig("", f), Options{})
			next := s.Next("f")
			lo, hi := st.LastFetch.Add(16*time.Minute), st.LastFetch.Add(24*time.Minute+time.Minute)
			if next.Before(lo) || !next.Before(hi) {
				t.Errorf("Next(f) = %s, want in [%s, %s)", next, lo, hi)
			}
			if again := s.Next("f"); !again.Equal(next) {
				t.Errorf("Next(f) = %s then %s: one jitter draw per failure", next, again)
			}
			sleepUntil(next)
			if got := jobs.calls("f"); len(got) != 1 || !got[0].Equal(next) {
				t.Errorf("refreshes at %v, want one at the planned %s", got, next)
			}
			stop(t, s)
		})
	})
}

func TestFailingSourceBacksOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		offTheHour()
		a := source("a", "@every 1m") // never fetched: caught up at start
		jobs := newFakeJobs()
		calls := 0
		jobs.refresh = func(context.Context, config.Source) pipeline.Result {
			calls++
			if calls <= 3 {
				return pipeline.Result{Outcome: pipeline.Failed, Err: errors.New("HTTP 500")}
			}
			return pipeline.Result{Outcome: pipeline.Unchanged}
		}
		s, _ := newScheduler(t, jobs, testConfig("", a), Options{})
		time.Sleep(2 * time.Hour)
		synctest.Wait()
		got := jobs.calls("a")
		if len(got) < 6 {
			t.Fatalf("%d refreshes in 2h, want the failures then one a minute", len(got))
		}
		grid := jittered(mustSpec(t, "@every 1m", time.UTC), offset("a", time.Minute, DefaultMaxJitter))
		for i := 1; i < len(got); i++ {
			gap := got[i].Sub(got[i-1])
			if !grid.Next(got[i].Add(-time.Nanosecond)).Equal(got[i]) {
				t.Errorf("refresh %d at %s, off its schedule", i, got[i])
			}
			if i <= 3 { // after failure i: 5m·2^(i-1) ± 20%, then the next tick
				nominal := 5 * time.Minute << (i - 1)
				if lo, hi := nominal*8/10, nominal*12/10+time.Minute; gap < lo || gap >= hi {
					t.Errorf("gap after failure %d = %s, want in [%s, %s)", i, gap, lo, hi)
				}
			} else if gap != time.Minute { // success: back on its schedule
				t.Errorf("gap %d after a success = %s, want 1m", i, gap)
			}
		}
		stop(t, s)
	})
}

func TestRetryAfterHonoured(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		offTheHour()
		a := source("a", "@every 1m")
		jobs := newFakeJobs()
		var retryAt time.Time
		jobs.refresh = func(context.Context, config.Source) pipeline.Result {
			if retryAt.IsZero() {
				retryAt = time.Now().Add(3 * time.Hour)
				return pipeline.Result{Outcome: pipeline.Failed, NextTry: retryAt, Err: errors.New("HTTP 429")}
			}
			return pipeline.Result{Outcome: pipeline.Unchanged}
		}
		s, _ := newScheduler(t, jobs, testConfig("", a), Options{})
		time.Sleep(4 * time.Hour)
		synctest.Wait()
		got := jobs.calls("a")
		if len(got) < 2 || got[1].Before(retryAt) || got[1].Sub(retryAt) >= time.Minute {
			t.Errorf("refreshes at %v, want the second at the first tick after %s", got[:min(len(got), 3)], retryAt)
		}
		stop(t, s)
	})
}

func TestAfterFetchCoalesced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		offTheHour()
		srcs := []config.Source{source("a", "@hourly"), source("b", "@hourly"), source("c", "@hourly"), source("d", "@hourly")}
		jobs := newFakeJobs() // all never fetched: caught up over the first minute
		jobs.refresh = func(_ context.Context, src config.Source) pipeline.Result {
			switch src.Name {
			case "b":
				return pipeline.Result{Outcome: pipeline.Updated}
			case "d":
				return pipeline.Result{Outcome: pipeline.Unchanged}
			}
			return pipeline.Result{Outcome: pipeline.New}
		}
		release := make(chan struct{})
		jobs.after = func(context.Context) error {
			<-release
			return nil
		}
		s, _ := newScheduler(t, jobs, testConfig("", srcs...), Options{})
		sleepUntil(time.Now().Add(time.Minute))
		if got := jobs.names(); len(got) != 4 {
			t.Fatalf("refreshes %v, want all four", got)
		}
		if n := jobs.afterCount(); n != 1 {
			t.Fatalf("%d AfterFetch in flight, want 1", n)
		}
		close(release)
		synctest.Wait()
		if n := jobs.afterCount(); n != 2 {
			t.Errorf("%d AfterFetch calls, want 2: b and c coalesced into one after a's", n)
		}
		stop(t, s)
	})
}

func TestPanickingRefreshDoesNotStopScheduling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		offTheHour()
		a := source("a", "@every 1m")
		jobs := newFakeJobs()
		jobs.refresh = func(context.Context, config.Source) pipeline.Result { panic("parser bug") }
		s, logs := newScheduler(t, jobs, testConfig("", a), Options{})
		time.Sleep(3 * time.Minute)
		synctest.Wait()
		if n := len(jobs.calls("a")); n < 3 {
			t.Errorf("%d refreshes, want one each minute despite the panics", n)
		}
		if !strings.Contains(logs.String(), "parser bug") {
			t.Errorf("the panic is not logged:\n%s", logs)
		}
		stop(t, s)
	})
}

func TestStartErrors(t *testing.T) {
	bad := testConfig("", source("a", "nope"))
	if err := New(newFakeJobs(), bad, Options{}).Start(t.Context()); err == nil || !strings.Contains(err.Error(), `source "a"`) {
		t.Errorf("Start with a bad spec = %v, want an error naming the source", err)
	}
	s := New(failingState{newFakeJobs()}, testConfig("", source("a", "@hourly")), Options{})
	if err := s.Start(t.Context()); err == nil || !strings.Contains(err.Error(), "database is locked") {
		t.Errorf("Start with an unreadable state = %v, want the store's error", err)
	}
	if err := s.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(t.Context()); err == nil {
		t.Error("Start after Stop succeeded")
	}
	if err := s.Reload(testConfig("", source("a", "@hourly"))); err == nil {
		t.Error("Reload after Stop succeeded")
	}
}

type failingState struct{ *fakeJobs }

func (failingState) State(context.Context, string) (store.SourceState, error) {
	return store.SourceState{}, fmt.Errorf("database is locked")
}
