package pipeline

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/store"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestDecide: every reason, its boundaries, the URL-change reset, and which
// hold wins. The backoff's end is given (decide), so boundaries are exact;
// TestDecideBackoff checks Decide draws it.
func TestDecide(t *testing.T) {
	now := at("2025-03-03T10:20:00Z")
	src := config.Source{Name: "a", URL: "https://a.example.org/feed", Schedule: "@hourly"}
	fetched := func(ts string) store.SourceState {
		return store.SourceState{Name: "a", URL: src.URL, LastFetch: at(ts)}
	}
	failing := func(ts string, failures int) store.SourceState {
		st := fetched(ts)
		st.Failures = failures
		return st
	}
	withNextTry := func(st store.SourceState, ts string) store.SourceState {
		st.NextTry = at(ts)
		return st
	}
	oldURL := withNextTry(failing("2025-03-03T10:10:00Z", 4), "2025-03-03T12:00:00Z")
	oldURL.URL, oldURL.Gone, oldURL.ETag = "https://old.example.org/feed", true, `"v1"`
	gone := fetched("2025-03-01T10:00:00Z")
	gone.Gone = true
	goneRetry := withNextTry(gone, "2025-03-03T12:00:00Z")
	fresh := store.SourceState{Name: "a", URL: src.URL, LastFetch: at("2025-03-03T10:05:00Z"), ETag: `"e"`}

	for _, tc := range []struct {
		name     string
		spec     string // default @hourly
		st       store.SourceState
		backoff  string // "" for none
		want     Decision
		newState bool // want.State is the blank state for src's URL, not st
	}{
		{name: "never fetched", st: store.SourceState{Name: "a"},
			want: Decision{Due: true, Reason: ReasonNew}, newState: true},
		{name: "no state at all", st: store.SourceState{},
			want: Decision{Due: true, Reason: ReasonNew}, newState: true},
		{name: "url known, never fetched", st: store.SourceState{Name: "a", URL: src.URL},
			want: Decision{Due: true, Reason: ReasonNew}},
		{name: "fetched this hour", st: fresh,
			want: Decision{Reason: ReasonNotDue, Until: at("2025-03-03T11:00:00Z")}},
		{name: "fetched before the last slot", st: fetched("2025-03-03T09:05:00Z"),
			want: Decision{Due: true, Reason: ReasonScheduled}},
		{name: "fetched exactly at the last slot", st: fetched("2025-03-03T09:20:00Z"), spec: "@every 1h",
			want: Decision{Due: true, Reason: ReasonScheduled}},
		{name: "every 30m not yet", st: fetched("2025-03-03T09:51:00Z"), spec: "@every 30m",
			want: Decision{Reason: ReasonNotDue, Until: at("2025-03-03T10:21:00Z")}},
		{name: "every 30m due", st: fetched("2025-03-03T09:50:00Z"), spec: "@every 30m",
			want: Decision{Due: true, Reason: ReasonScheduled}},
		{name: "weekly cron done", st: fetched("2025-03-03T09:20:00Z"), spec: "0 8 * * MON",
			want: Decision{Reason: ReasonNotDue, Until: at("2025-03-10T08:00:00Z")}},
		{name: "weekly cron due", st: fetched("2025-03-02T10:20:00Z"), spec: "0 8 * * MON",
			want: Decision{Due: true, Reason: ReasonScheduled}},
		{name: "a week off", st: fetched("2025-02-24T09:05:00Z"),
			want: Decision{Due: true, Reason: ReasonScheduled}},
		{name: "backing off", st: failing("2025-03-03T10:10:00Z", 3), backoff: "2025-03-03T10:30:00Z",
			want: Decision{Reason: ReasonBackoff, Until: at("2025-03-03T10:30:00Z"), Failures: 3}},
		{name: "backing off past the schedule's slot", st: failing("2025-03-03T08:50:00Z", 6), spec: "@every 1m",
			backoff: "2025-03-03T11:30:00Z",
			want:    Decision{Reason: ReasonBackoff, Until: at("2025-03-03T11:30:00Z"), Failures: 6}},
		{name: "backoff over", st: failing("2025-03-03T09:10:00Z", 1), backoff: "2025-03-03T09:15:00Z",
			want: Decision{Due: true, Reason: ReasonScheduled}},
		{name: "backoff ends now", st: failing("2025-03-03T09:10:00Z", 3), backoff: "2025-03-03T10:20:00Z",
			want: Decision{Due: true, Reason: ReasonScheduled}},
		{name: "backoff over, schedule not yet", st: failing("2025-03-03T10:10:00Z", 1), backoff: "2025-03-03T10:15:00Z",
			want: Decision{Reason: ReasonNotDue, Until: at("2025-03-03T11:00:00Z")}},
		{name: "retry-after later than backoff wins", st: withNextTry(failing("2025-03-03T10:10:00Z", 1), "2025-03-03T12:00:00Z"),
			backoff: "2025-03-03T10:15:00Z",
			want:    Decision{Reason: ReasonRetryAfter, Until: at("2025-03-03T12:00:00Z"), RetryAfter: at("2025-03-03T12:00:00Z")}},
		{name: "retry-after equal to backoff wins", st: withNextTry(failing("2025-03-03T10:10:00Z", 1), "2025-03-03T10:30:00Z"),
			backoff: "2025-03-03T10:30:00Z",
			want:    Decision{Reason: ReasonRetryAfter, Until: at("2025-03-03T10:30:00Z"), RetryAfter: at("2025-03-03T10:30:00Z")}},
		{name: "backoff later than retry-after wins", st: withNextTry(failing("2025-03-03T10:10:00Z", 3), "2025-03-03T10:25:00Z"),
			backoff: "2025-03-03T10:30:00Z",
			want:    Decision{Reason: ReasonBackoff, Until: at("2025-03-03T10:30:00Z"), Failures: 3, RetryAfter: at("2025-03-03T10:25:00Z")}},
		{name: "retry-after without failures", st: withNextTry(fetched("2025-03-03T08:00:00Z"), "2025-03-03T11:00:00Z"),
			want: Decision{Reason: ReasonRetryAfter, Until: at("2025-03-03T11:00:00Z"), RetryAfter: at("2025-03-03T11:00:00Z")}},
		{name: "retry-after ends now", st: withNextTry(fetched("2025-03-03T08:00:00Z"), "2025-03-03T10:20:00Z"),
			want: Decision{Due: true, Reason: ReasonScheduled}},
		{name: "retry-after passed", st: withNextTry(fetched("2025-03-03T08:00:00Z"), "2025-03-03T09:00:00Z"),
			want: Decision{Due: true, Reason: ReasonScheduled}},
		{name: "gone", st: gone, want: Decision{Reason: ReasonGone}},
		{name: "gone wins over retry-after", st: goneRetry,
			want: Decision{Reason: ReasonGone, RetryAfter: at("2025-03-03T12:00:00Z")}},
		{name: "url changed: the old state holds nothing", st: oldURL, backoff: "2025-03-03T11:30:00Z",
			want: Decision{Due: true, Reason: ReasonURLChanged}, newState: true},
		{name: "url changed though fetched a minute ago", st: func() store.SourceState {
			st := fetched("2025-03-03T10:19:00Z")
			st.URL = "https://old.example.org/"
			return st
		}(), want: Decision{Due: true, Reason: ReasonURLChanged}, newState: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := src
			if tc.spec != "" {
				s.Schedule = tc.spec
			}
			var bo time.Time
			if tc.backoff != "" {
				bo = at(tc.backoff)
			}
			want := tc.want
			want.State = tc.st
			if tc.newState {
				want.State = store.SourceState{Name: "a", URL: src.URL}
			}
			got := decide(s, tc.st, bo, now)
			if got.Err != nil {
				t.Fatal(got.Err)
			}
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Errorf("decide =\n %+v\nwant\n %+v", got, want)
			}
		})
	}
	t.Run("a spec that does not parse", func(t *testing.T) {
		s := src
		s.Schedule = "every tuesday"
		got := decide(s, fresh, time.Time{}, now)
		if got.Due || got.Reason != ReasonBadSpec || got.Err == nil || !strings.Contains(got.Err.Error(), `"every tuesday"`) {
			t.Errorf("decide = %+v, want not due for a bad spec, naming it", got)
		}
	})
	t.Run("the parsed schedule is used, not the spec", func(t *testing.T) {
		// Load parses once; what it parsed is what decides (the spec
		// string is only shown).
		cfg, err := config.Parse("feeds.yaml", []byte(`title: t
id: urn:t
link: https://example.org/
sources:
  - name: a
    url: https://a.example.org/feed
    schedule: "@every 2h"
`))
		if err != nil {
			t.Fatal(err)
		}
		s := cfg.Sources[0]
		s.Schedule = "@hourly" // ignored: Cron is set
		got := decide(s, fetched("2025-03-03T09:05:00Z"), time.Time{}, now)
		if got.Due || !got.Until.Equal(at("2025-03-03T11:05:00Z")) {
			t.Errorf("decide = %+v, want not due until 11:05 (@every 2h)", got)
		}
	})
}

// TestDecideBackoff: Decide holds a failing source for BackoffEnd, the same
// instant on every call.
func TestDecideBackoff(t *testing.T) {
	src := config.Source{Name: "flaky", URL: "https://flaky.example.org/feed", Schedule: "@every 1m"}
	st := store.SourceState{Name: "flaky", URL: src.URL, LastFetch: at("2025-03-03T10:00:00Z"), Failures: 3}
	end := BackoffEnd(st)
	if lo, hi := st.LastFetch.Add(16*time.Minute), st.LastFetch.Add(24*time.Minute); end.Before(lo) || !end.Before(hi) {
		t.Fatalf("BackoffEnd = %s, want in [%s, %s): 20m ± 20%%", end, lo, hi)
	}
	if again := BackoffEnd(st); !again.Equal(end) {
		t.Errorf("BackoffEnd = %s then %s: one draw per failure", end, again)
	}
	d := Decide(src, st, end.Add(-time.Nanosecond))
	if d.Due || d.Reason != ReasonBackoff || !d.Until.Equal(end) || d.Failures != 3 {
		t.Errorf("just before the end: %+v, want backing off until %s after 3 failures", d, end)
	}
	if d := Decide(src, st, end); !d.Due {
		t.Errorf("at the end: %+v, want due", d)
	}
	ok := st
	ok.Failures = 0
	if d := Decide(src, ok, st.LastFetch.Add(time.Minute)); !d.Due {
		t.Errorf("not failing: %+v, want due on its schedule", d)
	}
}

func TestBackoff(t *testing.T) {
	base, ceiling := 5*time.Minute, 6*time.Hour
	nominal := []time.Duration{ // failures 1..10
		5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute, 80 * time.Minute,
		160 * time.Minute, 320 * time.Minute, 6 * time.Hour, 6 * time.Hour, 6 * time.Hour,
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i, want := range nominal {
		failures := i + 1
		t.Run(fmt.Sprintf("failures=%d", failures), func(t *testing.T) {
			for _, tc := range []struct {
				jitter float64
				want   time.Duration
			}{
				{0, want},
				{-1, want * 8 / 10},
				{0.5, want * 11 / 10},
			} {
				if got := backoff(failures, base, ceiling, tc.jitter); got != tc.want {
					t.Errorf("jitter %v: backoff = %s, want %s", tc.jitter, got, tc.want)
				}
			}
			lo, hi := want*8/10, want*12/10
			seen := map[time.Duration]bool{}
			for range 200 {
				got := backoff(failures, base, ceiling, r.Float64()*2-1)
				if got < lo || got >= hi {
					t.Fatalf("backoff = %s, want in [%s, %s)", got, lo, hi)
				}
				seen[got] = true
			}
			if len(seen) < 100 {
				t.Errorf("%d distinct backoffs in 200 draws", len(seen))
			}
		})
	}
	for _, tc := range []struct {
		failures int
		base     time.Duration
		want     time.Duration
	}{
		{0, base, 0},
		{-1, base, 0},
		{63, base, ceiling},
		{1000, base, ceiling},
		{1, 8 * time.Hour, ceiling}, // a base above the ceiling is capped too
	} {
		if got := backoff(tc.failures, tc.base, ceiling, 0); got != tc.want {
			t.Errorf("backoff(%d, %s) = %s, want %s", tc.failures, tc.base, got, tc.want)
		}
	}
	if BackoffBase != base || BackoffMax != ceiling {
		t.Errorf("BackoffBase, BackoffMax = %s, %s; want the daemon's 5m and 6h", BackoffBase, BackoffMax)
	}
	if got := BackoffEnd(store.SourceState{LastFetch: at("2025-03-03T10:10:00Z")}); !got.IsZero() {
		t.Errorf("BackoffEnd without failures = %s, want zero", got)
	}
}

// TestBackoffJitter: the draw is pure but spread: within ±20% of the
// nominal backoff, different for different sources and failures.
func TestBackoffJitter(t *testing.T) {
	last := at("2025-03-03T10:00:00Z")
	seen := map[time.Duration]bool{}
	var below, above int
	for i := range 200 {
		st := store.SourceState{Name: fmt.Sprintf("s%03d", i), LastFetch: last, Failures: 1 + i%3}
		nominal := BackoffBase << (st.Failures - 1)
		got := BackoffEnd(st).Sub(last)
		if got < nominal*8/10 || got >= nominal*12/10 {
			t.Fatalf("%s after %d failures: backoff %s, want within 20%% of %s", st.Name, st.Failures, got, nominal)
		}
		if got < nominal {
			below++
		} else if got > nominal {
			above++
		}
		seen[got] = true
		if j := backoffJitter(st); j < -1 || j >= 1 {
			t.Fatalf("jitter %v out of [-1, 1)", j)
		}
	}
	if len(seen) < 150 || below < 50 || above < 50 {
		t.Errorf("%d distinct backoffs in 200 sources (%d below nominal, %d above): want them spread", len(seen), below, above)
	}
}

// TestFetchAllBacksOff: a source answering 500 is not requested again by
// the next run within its backoff, which says until when; -all (or Refresh)
// still fetches it; once the backoff is over it is fetched again.
func TestFetchAllBacksOff(t *testing.T) {
	srv := &feedServer{status: http.StatusInternalServerError}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	h := newHarness(t, config.Source{Name: "flaky", URL: ts.URL, Schedule: "@every 1s"})

	if r := h.fetchAll(t, false)["flaky"]; r.Outcome != Failed {
		t.Fatalf("first = %+v, want failed", r)
	}
	st, err := h.store.SourceState(context.Background(), "flaky")
	if err != nil {
		t.Fatal(err)
	}
	end := BackoffEnd(st)
	h.clock.Add(time.Minute) // the schedule (@every 1s) says due; the backoff (5m ± 1m) does not
	r := h.fetchAll(t, false)["flaky"]
	if r.Outcome != BackingOff || !r.NextTry.Equal(end) || r.Failures != 1 || r.Failed() {
		t.Errorf("within the backoff = %+v, want backing off until %s after 1 failure", r, end)
	}
	if n := srv.requests.Load(); n != 1 {
		t.Errorf("requests = %d, want 1 (not requested within the backoff)", n)
	}

	if r := h.fetchAll(t, true)["flaky"]; r.Outcome != Failed {
		t.Errorf("-all within the backoff = %+v, want fetched (and failed)", r)
	}
	if n := srv.requests.Load(); n != 2 {
		t.Errorf("requests = %d, want 2 (-all forces a fetch)", n)
	}
	if r := h.runner.Refresh(context.Background(), h.runner.Config.Sources[0]); r.Outcome != Failed {
		t.Errorf("Refresh within the backoff = %+v, want fetched", r)
	}
	if n := srv.requests.Load(); n != 3 {
		t.Errorf("requests = %d, want 3 (Refresh forces a fetch)", n)
	}

	st, _ = h.store.SourceState(context.Background(), "flaky")
	if st.Failures != 3 {
		t.Fatalf("failures = %d, want 3", st.Failures)
	}
	h.clock.Add(BackoffEnd(st).Sub(h.clock.Now()))
	srv.mu.Lock()
	srv.status, srv.body = 0, rss(item("x", "X", "https://x.example.org/x", "x"))
	srv.mu.Unlock()
	if r := h.fetchAll(t, false)["flaky"]; r.Outcome != New {
		t.Errorf("after the backoff = %+v, want fetched (new)", r)
	}
	if n := srv.requests.Load(); n != 4 {
		t.Errorf("requests = %d, want 4", n)
	}
}

// TestForcedFetchKeepsRetryAfter: -all overrides a backoff, never the
// server's Retry-After, even when the backoff ends later.
func TestForcedFetchKeepsRetryAfter(t *testing.T) {
	src := config.Source{Name: "busy", URL: "https://busy.example.org/feed", Schedule: "@hourly"}
	now := at("2025-03-03T10:20:00Z")
	st := store.SourceState{Name: "busy", URL: src.URL, LastFetch: at("2025-03-03T10:10:00Z"), Failures: 6,
		NextTry: at("2025-03-03T10:40:00Z")} // backoff: ~2h40m
	d := Decide(src, st, now)
	if d.Reason != ReasonBackoff {
		t.Fatalf("Decide = %+v, want backing off (later than the Retry-After)", d)
	}
	res, skip := skipped(src, d, true)
	if !skip || res.Outcome != Deferred || !res.NextTry.Equal(st.NextTry) {
		t.Errorf("forced = %+v (skipped %v), want deferred until the Retry-After", res, skip)
	}
	res, skip = skipped(src, d, false)
	if !skip || res.Outcome != BackingOff || !res.NextTry.Equal(d.Until) {
		t.Errorf("not forced = %+v (skipped %v), want backing off", res, skip)
	}
}
