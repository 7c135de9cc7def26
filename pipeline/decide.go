package pipeline

import (
	"encoding/binary"
	"hash/fnv"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/store"
)

// This file is the one source policy: may a source be fetched now, and if
// not, why and until when. The CLI's due check (FetchAll), the daemon's
// next-run computation (schedule) and the web page's state and "next fetch"
// all ask Decide, so the CLI and the daemon cannot drift apart.

// Reason says why a source is or is not due.
type Reason string

const (
	ReasonNew        Reason = "never fetched" // due: nothing stored for its URL
	ReasonURLChanged Reason = "url changed"   // due: the state was learnt of another URL, reset
	ReasonScheduled  Reason = "scheduled"     // due: its schedule came round since the last fetch
	ReasonNotDue     Reason = "not due"       // until its schedule's next time after the last fetch
	ReasonBackoff    Reason = "backoff"       // failing: until LastFetch + backoff(failures)
	ReasonRetryAfter Reason = "retry-after"   // the server asked to wait until then
	ReasonGone       Reason = "gone"          // 410: not fetched until its URL changes in the config
	ReasonBadSpec    Reason = "bad schedule"  // a Source built in code with a spec that does not parse
)

// The exponential backoff of a failing source: BackoffBase after its first
// failure, doubling up to BackoffMax, ±20% so failing sources spread out.
const (
	BackoffBase = 5 * time.Minute
	BackoffMax  = 6 * time.Hour
)

// Decision is whether a source is fetched now, and why.
type Decision struct {
	Due    bool
	Reason Reason
	// Until is when a source that is not due may be fetched: the schedule's
	// next time (ReasonNotDue), the backoff's or the server's end
	// (ReasonBackoff, ReasonRetryAfter). Zero otherwise.
	Until time.Time
	// Failures is how many consecutive failures the backoff follows.
	Failures int
	// State is what of the stored state applies to the source as configured
	// now: all of it, or, when it was learnt of another URL
	// (ReasonURLChanged), a blank state for the new URL.
	State store.SourceState
	// RetryAfter is the server's Retry-After while it is ahead, whatever
	// the Reason: a forced fetch still respects it.
	RetryAfter time.Time
	Err        error // ReasonBadSpec: what did not parse
}

// Held reports whether something other than its schedule keeps the source
// from being fetched (gone, backoff, Retry-After): the daemon's ticks, which
// keep their own time, heed only these.
func (d Decision) Held() bool {
	switch d.Reason {
	case ReasonGone, ReasonBackoff, ReasonRetryAfter:
		return true
	}
	return false
}

// Decide says whether src, whose stored state is st, is fetched at now. In
// order: a state of another URL no longer applies (due, from a blank state);
// a gone source stays gone; the later of its backoff and the server's
// Retry-After holds it; then its schedule's next time after the last fetch.
func Decide(src config.Source, st store.SourceState, now time.Time) Decision {
	return decide(src, st, BackoffEnd(st), now)
}

// decide is Decide with the backoff's end given, so its table test sets
// boundaries exactly.
func decide(src config.Source, st store.SourceState, backoffUntil, now time.Time) Decision {
	if stale(src, st) {
		d := Decision{Due: true, Reason: ReasonURLChanged, State: store.SourceState{Name: src.Name, URL: src.URL}}
		if st.URL == "" && st.LastFetch.IsZero() {
			d.Reason = ReasonNew // nothing stored yet
		}
		return d
	}
	d := Decision{State: st}
	if st.NextTry.After(now) {
		d.RetryAfter = st.NextTry
	}
	if st.Gone {
		d.Reason = ReasonGone
		return d
	}
	until, why := backoffUntil, ReasonBackoff
	if !st.NextTry.IsZero() && !st.NextTry.Before(backoffUntil) {
		until, why = st.NextTry, ReasonRetryAfter
	}
	if until.After(now) {
		d.Reason, d.Until = why, until
		if why == ReasonBackoff {
			d.Failures = st.Failures
		}
		return d
	}
	if st.LastFetch.IsZero() {
		d.Due, d.Reason = true, ReasonNew
		return d
	}
	sched, err := src.ParsedSchedule()
	if err != nil {
		d.Reason, d.Err = ReasonBadSpec, err
		return d
	}
	if next := sched.Next(st.LastFetch); next.After(now) {
		d.Reason, d.Until = ReasonNotDue, next
		return d
	}
	d.Due, d.Reason = true, ReasonScheduled
	return d
}

// stale reports whether st was learnt of another URL than src's: then
// nothing in it (validators, failures, a 410, the feed's own id) applies.
func stale(src config.Source, st store.SourceState) bool { return st.URL != src.URL }

// BackoffEnd is when a failing source may be fetched again: its last fetch
// plus backoff(failures), with a jitter drawn from its name, failures and
// last fetch, so every caller (and every run of the CLI) agrees on it.
// Zero when it is not failing.
func BackoffEnd(st store.SourceState) time.Time {
	if st.Failures <= 0 || st.LastFetch.IsZero() {
		return time.Time{}
	}
	return st.LastFetch.Add(backoff(st.Failures, BackoffBase, BackoffMax, backoffJitter(st)))
}

// backoff is how long a source waits after its failures-th consecutive
// failure: ceiling ∧ base·2^(failures-1), then ±20% by jitter ∈ [-1, 1).
func backoff(failures int, base, ceiling time.Duration, jitter float64) time.Duration {
	if failures <= 0 {
		return 0
	}
	d := ceiling
	if n := failures - 1; n < 62 && base <= ceiling>>n {
		d = base << n
	}
	return d + time.Duration(float64(d)*0.2*jitter)
}

// backoffJitter is a draw in [-1, 1), one per failure of one source: a hash,
// not a random number, so the decision stays a pure function of the state.
func backoffJitter(st store.SourceState) float64 {
	h := fnv.New64a()
	h.Write([]byte(st.Name))
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(st.Failures))
	binary.LittleEndian.PutUint64(b[8:], uint64(st.LastFetch.UnixNano()))
	h.Write(b[:])
	return float64(h.Sum64()>>11)/(1<<53)*2 - 1
}
