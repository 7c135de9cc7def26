package schedule

import (
	"fmt"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris and America/New_York whatever the machine has

	"github.com/robfig/cron/v3"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/store"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustSpec(t *testing.T, spec string, loc *time.Location) cron.Schedule {
	t.Helper()
	sched, err := config.Digest{Schedule: spec, Location: loc}.ParsedSchedule()
	if err != nil {
		t.Fatal(err)
	}
	return sched
}

func TestPeriod(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want time.Duration
	}{
		{"@hourly", time.Hour},
		{"*/5 * * * *", 5 * time.Minute},
		{"0,1 8 * * *", time.Minute},
		{"0 8 * * MON-FRI", 24 * time.Hour},
		{"0 8 * * MON", 7 * 24 * time.Hour},
		{"0 0 1 * *", 28 * 24 * time.Hour},
		{"@every 30m", 30 * time.Minute},
		{"@every 90s", 90 * time.Second},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			if got := period(mustSpec(t, tc.spec, time.UTC)); got != tc.want {
				t.Errorf("period = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestOffset(t *testing.T) {
	t.Run("stable across restarts", func(t *testing.T) {
		// Pinned values: a change of hash would move every source's slot.
		for name, want := range map[string]time.Duration{"lwn": 54350 * time.Millisecond, "netdev-blog": 56398 * time.Millisecond} {
			if got := offset(name, time.Hour, time.Minute); got != want {
				t.Errorf("offset(%q) = %s, want %s", name, got, want)
			}
		}
	})
	for _, tc := range []struct {
		spec          string
		maxJitter     time.Duration
		bound         time.Duration // every offset is below
		minSpreadFrac float64       // max-min covers at least this share of bound
	}{
		{"@hourly", time.Minute, time.Minute, 0.8},
		{"@hourly", 10 * time.Second, 10 * time.Second, 0.8},
		{"*/5 * * * *", time.Minute, 30 * time.Second, 0.8}, // a tenth of the period
		{"@every 30s", time.Minute, 3 * time.Second, 0.8},
	} {
		t.Run(fmt.Sprintf("100 sources %s within %s", tc.spec, tc.maxJitter), func(t *testing.T) {
			p := period(mustSpec(t, tc.spec, time.UTC))
			distinct := map[time.Duration]bool{}
			lo, hi := time.Duration(1<<62), time.Duration(0)
			for i := range 100 {
				name := fmt.Sprintf("source-%02d", i)
				off := offset(name, p, tc.maxJitter)
				if off < 0 || off >= tc.bound {
					t.Fatalf("offset(%q) = %s, want in [0, %s)", name, off, tc.bound)
				}
				if again := offset(name, p, tc.maxJitter); again != off {
					t.Fatalf("offset(%q) = %s then %s", name, off, again)
				}
				distinct[off] = true
				lo, hi = min(lo, off), max(hi, off)
			}
			if len(distinct) < 90 {
				t.Errorf("%d distinct offsets among 100 sources, want them spread", len(distinct))
			}
			if spread := hi - lo; float64(spread) < tc.minSpreadFrac*float64(tc.bound) {
				t.Errorf("offsets cover %s of %s", spread, tc.bound)
			}
		})
	}
	if got := offset("x", 5*time.Millisecond, time.Minute); got != 0 {
		t.Errorf("offset with a 5ms period = %s, want 0", got)
	}
}

func TestJittered(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec string
		off  time.Duration
		from string
		want []string // successive activations
	}{
		{"cron spec shifted", "@hourly", 17 * time.Second, "2025-03-03T10:20:00Z",
			[]string{"2025-03-03T11:00:17Z", "2025-03-03T12:00:17Z", "2025-03-03T13:00:17Z"}},
		{"within the shift", "@hourly", 17 * time.Second, "2025-03-03T11:00:10Z",
			[]string{"2025-03-03T11:00:17Z", "2025-03-03T12:00:17Z"}},
		{"millisecond offset", "*/5 * * * *", 1500 * time.Millisecond, "2025-03-03T10:20:00Z",
			[]string{"2025-03-03T10:20:01.5Z", "2025-03-03T10:25:01.5Z"}},
		{"@every on a fixed grid", "@every 30m", 5 * time.Second, "2025-03-03T10:20:00.3Z",
			[]string{"2025-03-03T10:30:05Z", "2025-03-03T11:00:05Z", "2025-03-03T11:30:05Z"}},
		{"@every on the grid point", "@every 30m", 5 * time.Second, "2025-03-03T10:30:05Z",
			[]string{"2025-03-03T11:00:05Z"}},
		{"@every before the anchor", "@every 30m", 0, "1999-12-31T23:50:00Z",
			[]string{"2000-01-01T00:00:00Z", "2000-01-01T00:30:00Z"}},
		{"@every 7m keeps its cadence", "@every 7m", 0, "2000-01-01T00:20:00Z",
			[]string{"2000-01-01T00:21:00Z", "2000-01-01T00:28:00Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sched := jittered(mustSpec(t, tc.spec, time.UTC), tc.off)
			tm := at(tc.from)
			for _, w := range tc.want {
				tm = sched.Next(tm)
				if !tm.Equal(at(w)) {
					t.Fatalf("got %s, want %s", tm.UTC().Format(time.RFC3339Nano), w)
				}
			}
		})
	}
}

// TestDecide: the scheduler's reading of pipeline.Decide for a tick and a
// catch-up run. (Decide's own reasons and boundaries: pipeline's TestDecide;
// the backoff's numbers: pipeline's TestBackoff.)
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
	oldURL := failing("2025-03-03T10:10:00Z", 4)
	oldURL.URL, oldURL.Gone = "https://old.example.org/feed", true
	gone := fetched("2025-03-01T10:00:00Z")
	gone.Gone = true

	for _, tc := range []struct {
		name string
		st   store.SourceState
		spec string
		// untilBackoff: the verdicts' until is pipeline.BackoffEnd(st);
		// nowAtBackoffEnd: decided at that instant rather than now.
		untilBackoff, nowAtBackoffEnd bool
		tick, catchUp                 verdict
		catchUpErr                    bool
	}{
		{name: "never fetched", tick: verdict{run: true}, catchUp: verdict{run: true}},
		{name: "fetched this hour", st: fetched("2025-03-03T10:05:00Z"),
			tick: verdict{run: true}, catchUp: verdict{why: skipNotDue}},
		{name: "fetched before the last slot", st: fetched("2025-03-03T09:05:00Z"),
			tick: verdict{run: true}, catchUp: verdict{run: true}},
		{name: "a week off", st: fetched("2025-02-24T09:05:00Z"),
			tick: verdict{run: true}, catchUp: verdict{run: true}},
		{name: "backing off", st: failing("2025-03-03T10:10:00Z", 3), untilBackoff: true,
			tick:    verdict{why: skipBackoff},
			catchUp: verdict{why: skipBackoff}},
		{name: "backoff over", st: failing("2025-03-03T09:10:00Z", 1),
			tick: verdict{run: true}, catchUp: verdict{run: true}},
		{name: "backoff ends now", st: failing("2025-03-03T08:50:00Z", 3), nowAtBackoffEnd: true,
			tick: verdict{run: true}, catchUp: verdict{run: true}},
		{name: "retry-after later than backoff wins", st: withNextTry(failing("2025-03-03T10:10:00Z", 1), "2025-03-03T12:00:00Z"),
			tick:    verdict{why: skipRetryAfter, until: at("2025-03-03T12:00:00Z")},
			catchUp: verdict{why: skipRetryAfter, until: at("2025-03-03T12:00:00Z")}},
		{name: "backoff later than retry-after wins", st: withNextTry(failing("2025-03-03T10:10:00Z", 3), "2025-03-03T10:25:00Z"),
			untilBackoff: true,
			tick:         verdict{why: skipBackoff},
			catchUp:      verdict{why: skipBackoff}},
		{name: "retry-after without failures", st: withNextTry(fetched("2025-03-03T08:00:00Z"), "2025-03-03T11:00:00Z"),
			tick:    verdict{why: skipRetryAfter, until: at("2025-03-03T11:00:00Z")},
			catchUp: verdict{why: skipRetryAfter, until: at("2025-03-03T11:00:00Z")}},
		{name: "retry-after passed", st: withNextTry(fetched("2025-03-03T08:00:00Z"), "2025-03-03T09:00:00Z"),
			tick: verdict{run: true}, catchUp: verdict{run: true}},
		{name: "gone", st: gone, tick: verdict{why: skipGone}, catchUp: verdict{why: skipGone}},
		{name: "state of an old URL holds nothing", st: oldURL,
			tick: verdict{run: true}, catchUp: verdict{run: true}},
		{name: "a spec that does not parse fails a catch-up only", st: fetched("2025-03-03T09:05:00Z"), spec: "every day",
			tick: verdict{run: true}, catchUpErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, when := src, now
			if tc.spec != "" {
				s.Schedule = tc.spec
			}
			if tc.untilBackoff {
				end := pipeline.BackoffEnd(tc.st)
				if !end.After(now) {
					t.Fatalf("backoff ends at %s, before now: fix the case", end)
				}
				tc.tick.until, tc.catchUp.until = end, end
			}
			if tc.nowAtBackoffEnd {
				when = pipeline.BackoffEnd(tc.st)
			}
			for _, c := range []struct {
				catchUp bool
				want    verdict
				wantErr bool
			}{{false, tc.tick, false}, {true, tc.catchUp, tc.catchUpErr}} {
				got, err := decide(pipeline.Decide(s, tc.st, when), c.catchUp)
				if (err != nil) != c.wantErr {
					t.Fatalf("catchUp=%v: err = %v, want error %v", c.catchUp, err, c.wantErr)
				}
				if got.run != c.want.run || got.why != c.want.why || !got.until.Equal(c.want.until) {
					t.Errorf("catchUp=%v: decide = %+v, want %+v", c.catchUp, got, c.want)
				}
			}
		})
	}
}

func TestOverdue(t *testing.T) {
	now := at("2025-03-03T10:20:00Z")
	mk := func(name, spec string) config.Source {
		return config.Source{Name: name, URL: "https://" + name + ".example.org/feed", Schedule: spec}
	}
	srcs := []config.Source{
		mk("hourly-late", "@hourly"),
		mk("hourly-fresh", "@hourly"),
		mk("never", "@hourly"),
		mk("every-late", "@every 30m"),
		mk("every-fresh", "@every 30m"),
		mk("weekly-late", "0 8 * * MON"),
		mk("weekly-fresh", "0 8 * * MON"),
		mk("backed-off", "@every 5m"),
		mk("backoff-over", "@every 5m"),
		mk("retry-after", "@hourly"),
		mk("gone", "@hourly"),
		mk("moved", "@hourly"),
		mk("added-by-reload", "@hourly"),
	}
	st := func(name, lastFetch string) store.SourceState {
		return store.SourceState{Name: name, URL: "https://" + name + ".example.org/feed", LastFetch: at(lastFetch)}
	}
	states := map[string]store.SourceState{
		"hourly-late":  st("hourly-late", "2025-03-03T09:00:30Z"),
		"hourly-fresh": st("hourly-fresh", "2025-03-03T10:00:30Z"),
		"never":        {},
		"every-late":   st("every-late", "2025-03-03T09:40:00Z"),
		"every-fresh":  st("every-fresh", "2025-03-03T10:00:00Z"),
		"weekly-late":  st("weekly-late", "2025-02-24T08:00:30Z"),
		"weekly-fresh": st("weekly-fresh", "2025-03-03T08:00:30Z"),
		"backed-off":   st("backed-off", "2025-03-03T10:00:00Z"),   // 80m ± 16m: held
		"backoff-over": st("backoff-over", "2025-03-03T08:00:00Z"), // 80m ± 16m: over
		"retry-after":  st("retry-after", "2025-03-03T08:00:00Z"),
		"gone":         st("gone", "2025-03-03T08:00:00Z"),
		"moved":        st("moved", "2025-03-03T10:19:00Z"),
	}
	for _, name := range []string{"backed-off", "backoff-over"} {
		s := states[name]
		s.Failures = 5
		states[name] = s
	}
	ra := states["retry-after"]
	ra.NextTry = at("2025-03-03T12:00:00Z")
	states["retry-after"] = ra
	g := states["gone"]
	g.Gone = true
	states["gone"] = g
	m := states["moved"]
	m.URL = "https://elsewhere.example.org/feed"
	states["moved"] = m
	got := overdue(srcs, states, now)
	want := []string{"hourly-late", "never", "every-late", "weekly-late", "backoff-over", "moved"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("overdue = %v\nwant      %v", got, want)
	}
}

func TestCatchUpDelays(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want []time.Duration
	}{
		{0, []time.Duration{}},
		{1, []time.Duration{0}},
		{4, []time.Duration{0, 15 * time.Second, 30 * time.Second, 45 * time.Second}},
	} {
		if got := catchUpDelays(tc.n, time.Minute); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("catchUpDelays(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

func TestNextRun(t *testing.T) {
	now := at("2025-03-03T10:20:00Z")
	hourly := jittered(mustSpec(t, "@hourly", time.UTC), 7*time.Second)
	minutely := jittered(mustSpec(t, "@every 1m", time.UTC), 0)
	for _, tc := range []struct {
		name             string
		sched            cron.Schedule
		until, catchUpAt string
		want             string
	}{
		{"on schedule", hourly, "", "", "2025-03-03T11:00:07Z"},
		{"held past a slot", hourly, "2025-03-03T13:30:00Z", "", "2025-03-03T14:00:07Z"},
		{"held until a slot", hourly, "2025-03-03T14:00:07Z", "", "2025-03-03T14:00:07Z"},
		{"hold over", hourly, "2025-03-03T10:10:00Z", "", "2025-03-03T11:00:07Z"},
		{"held, frequent schedule", minutely, "2025-03-03T10:31:12.5Z", "", "2025-03-03T10:32:00Z"},
		{"catch-up first", hourly, "", "2025-03-03T10:20:30Z", "2025-03-03T10:20:30Z"},
		{"slot before catch-up", minutely, "", "2025-03-03T10:21:30Z", "2025-03-03T10:21:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var until, cu time.Time
			if tc.until != "" {
				until = at(tc.until)
			}
			if tc.catchUpAt != "" {
				cu = at(tc.catchUpAt)
			}
			if got := nextRun(tc.sched, now, until, cu); !got.Equal(at(tc.want)) {
				t.Errorf("nextRun = %s, want %s", got.UTC().Format(time.RFC3339Nano), tc.want)
			}
		})
	}
}

func TestDigestMissed(t *testing.T) {
	monday := mustSpec(t, "0 8 * * MON", time.UTC)
	for _, tc := range []struct {
		name, last, now string
		want            bool
	}{
		{"a week off: 7 missed Monday slots", "2025-01-13T08:00:05Z", "2025-03-05T12:00:00Z", true},
		{"one missed slot", "2025-02-24T08:00:05Z", "2025-03-03T09:00:00Z", true},
		{"now is the slot", "2025-02-24T08:00:05Z", "2025-03-03T08:00:00Z", true},
		{"last digest after the last slot", "2025-03-03T08:00:05Z", "2025-03-05T12:00:00Z", false},
		{"last digest at the last slot", "2025-03-03T08:00:00Z", "2025-03-05T12:00:00Z", false},
		{"a pending digest made before the slot, restarted just before it", "2025-02-24T08:00:05Z", "2025-03-03T07:59:00Z", false},
		{"never made one", "", "2025-03-05T12:00:00Z", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var last time.Time
			if tc.last != "" {
				last = at(tc.last)
			}
			if got := digestMissed(monday, last, at(tc.now)); got != tc.want {
				t.Errorf("digestMissed = %v, want %v", got, tc.want)
			}
		})
	}
}
