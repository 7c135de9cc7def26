package schedule

import (
	"hash/fnv"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/store"
)

// This file holds the scheduler's decisions as pure functions of their
// inputs (schedule, pipeline.Decide's answer, time), so they are
// table-tested without goroutines or clocks. Whether a source may be
// fetched (gone, backoff, Retry-After, due) is pipeline.Decide's alone;
// this file adds when the daemon's clock runs it (jitter, catch-up).

// Reasons a source is not fetched when its time comes; logged as outcome.
// All but skipRunning are pipeline.Decide's.
const (
	skipRunning    = "running"                         // the previous run of the source has not ended
	skipGone       = string(pipeline.ReasonGone)       // 410: not polled until its URL changes
	skipBackoff    = string(pipeline.ReasonBackoff)    // failing: pipeline.BackoffEnd
	skipRetryAfter = string(pipeline.ReasonRetryAfter) // the server asked us to wait
	skipNotDue     = string(pipeline.ReasonNotDue)     // catch-up only: fetched recently enough
)

// periodRef is a fixed instant to measure periods from, so a source's
// jitter does not depend on when the daemon started.
var periodRef = time.Date(2001, time.January, 1, 0, 0, 0, 0, time.UTC)

// period is the shortest gap between two activations of sched, sampled over
// a few activations (a weekday-only spec gives a day, not three).
func period(sched cron.Schedule) time.Duration {
	if cd, ok := sched.(cron.ConstantDelaySchedule); ok {
		return cd.Delay
	}
	t := sched.Next(periodRef)
	if t.IsZero() {
		return 0
	}
	var p time.Duration
	for range 16 {
		n := sched.Next(t)
		if n.IsZero() {
			break
		}
		if d := n.Sub(t); p == 0 || d < p {
			p = d
		}
		t = n
	}
	return p
}

// offset is a source's stable place within its schedule's spread: a hash of
// its name, under maxJitter and a tenth of the period, in milliseconds. The
// same name gets the same offset on every start.
func offset(name string, period, maxJitter time.Duration) time.Duration {
	spread := min(maxJitter, period/10).Milliseconds()
	if spread <= 0 {
		return 0
	}
	h := fnv.New64a()
	h.Write([]byte(name))
	return time.Duration(h.Sum64()%uint64(spread)) * time.Millisecond
}

// jittered moves sched's activations later by off.
func jittered(sched cron.Schedule, off time.Duration) cron.Schedule {
	if cd, ok := sched.(cron.ConstantDelaySchedule); ok {
		return grid{every: cd.Delay, off: off}
	}
	return shifted{inner: sched, off: off}
}

// shifted is a cron spec whose activations come off later.
type shifted struct {
	inner cron.Schedule
	off   time.Duration
}

func (s shifted) Next(t time.Time) time.Time {
	n := s.inner.Next(t.Add(-s.off))
	if n.IsZero() {
		return n
	}
	return n.Add(s.off)
}

// gridAnchor is where @every grids start.
var gridAnchor = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// grid is an @every schedule on a fixed grid (anchor+off + k·every). robfig's
// ConstantDelaySchedule counts from whenever the entry was added, so every
// source with the same @every would fire together, and a restart would move
// them all.
type grid struct {
	every, off time.Duration
}

func (g grid) Next(t time.Time) time.Time {
	anchor := gridAnchor.Add(g.off)
	d := t.Sub(anchor)
	k := d / g.every
	if d < 0 && d%g.every != 0 {
		k-- // floor, not truncation, before the anchor
	}
	return anchor.Add((k + 1) * g.every).In(t.Location())
}

// verdict is whether to fetch a source now, and if not, why and until when.
type verdict struct {
	run   bool
	why   string
	until time.Time // for backoff and retry-after
}

// decide says whether a source is fetched now, given pipeline.Decide's
// answer. A tick of its schedule is the schedule saying so (a jittered tick
// may come just before the spec's next time after the last fetch); a
// catch-up run after start also needs Decide's due (fetched long enough
// ago). Either way a gone source, a backoff or a Retry-After wins.
func decide(d pipeline.Decision, catchUp bool) (verdict, error) {
	switch {
	case d.Reason == pipeline.ReasonGone:
		return verdict{why: skipGone}, nil
	case d.Held():
		return verdict{why: string(d.Reason), until: d.Until}, nil
	case !catchUp:
		return verdict{run: true}, nil
	case d.Err != nil:
		return verdict{}, d.Err
	case !d.Due:
		return verdict{why: skipNotDue}, nil
	}
	return verdict{run: true}, nil
}

// overdue picks, in config order, the sources to fetch right after start:
// those pipeline.Decide says are due. A source without a state in states is
// left to its schedule.
func overdue(srcs []config.Source, states map[string]store.SourceState, now time.Time) []string {
	var out []string
	for _, src := range srcs {
		st, ok := states[src.Name]
		if !ok {
			continue
		}
		// Specs were parsed when planned, so Decide cannot fail here.
		if v, err := decide(pipeline.Decide(src, st, now), true); err == nil && v.run {
			out = append(out, src.Name)
		}
	}
	return out
}

// nextRun is the first activation of sched after now, or at or after until
// when the source is held, or the pending catch-up run when that is earlier.
func nextRun(sched cron.Schedule, now, until, catchUpAt time.Time) time.Time {
	from := now
	if until.After(now) {
		from = until.Add(-time.Nanosecond) // Next is strictly after its argument
	}
	next := sched.Next(from)
	if !catchUpAt.IsZero() && (next.IsZero() || catchUpAt.Before(next)) {
		next = catchUpAt
	}
	return next
}

// catchUpDelays spreads n runs evenly over spread, the first at once.
func catchUpDelays(n int, spread time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = spread * time.Duration(i) / time.Duration(n)
	}
	return out
}

// digestMissed reports whether a digest slot came between the last digest
// and now: one catch-up run covers any number of missed slots. A daemon that
// never made a digest has missed none; its first comes at the first slot.
func digestMissed(sched cron.Schedule, last, now time.Time) bool {
	if last.IsZero() {
		return false
	}
	next := sched.Next(last)
	return !next.IsZero() && !next.After(now)
}
