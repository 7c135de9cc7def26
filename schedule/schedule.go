// Package schedule is the daemon's clock: it fetches each source on its cron
// schedule (spread by a stable per-source offset, held while pipeline.Decide
// says it is failing or deferred, never two runs of one source at once),
// catches up after downtime, runs the digest on its own schedule, and stops
// gracefully.
//
// Whether a source may be fetched is pipeline.Decide's; when the daemon
// runs it (jitter, catch-up) is pure functions in plan.go; this file is the
// thin runner around robfig/cron.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/store"
)

// Jobs is what the scheduler runs (pipeline.Runner satisfies it; tests use a
// fake).
type Jobs interface {
	// Refresh fetches one source now, whatever its schedule.
	Refresh(ctx context.Context, src config.Source) pipeline.Result
	// State is the source's stored state (zero for a source never fetched).
	State(ctx context.Context, name string) (store.SourceState, error)
	// Digest prepares and delivers the digest.
	Digest(ctx context.Context) error
	// LastDigest is the creation time of the newest digest (sent or
	// pending), zero if none.
	LastDigest(ctx context.Context) (time.Time, error)
	// AfterFetch runs after a refresh brought new or updated entries (e.g.
	// rewrites <output>/feed.atom).
	AfterFetch(ctx context.Context) error
}

// Defaults for Options' zero fields.
const (
	DefaultMaxJitter     = time.Minute
	DefaultGrace         = 30 * time.Second
	DefaultStartupSpread = time.Minute
)

// Options tune a Scheduler; zero fields take the defaults.
type Options struct {
	// Now is the clock decisions and Next use. robfig/cron fires on the
	// wall clock, so in the daemon this must be (the default) time.Now.
	Now func() time.Time
	Log *slog.Logger // discarded when nil
	// MaxJitter is the spread of sources sharing a schedule, never more
	// than a tenth of the schedule's period.
	MaxJitter     time.Duration
	Grace         time.Duration // how long Stop lets in-flight runs finish before cancelling them
	StartupSpread time.Duration // overdue sources at start are spread over this
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.MaxJitter, DefaultMaxJitter)
	def(&o.Grace, DefaultGrace)
	def(&o.StartupSpread, DefaultStartupSpread)
	return o
}

// Scheduler runs sources and the digest on their schedules. Its methods are
// safe for concurrent use.
type Scheduler struct {
	jobs Jobs
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	plan    *plan // current; replaced whole by Reload
	planErr error // a bad spec given to New, returned by Start
	running map[string]bool
	sem     chan struct{} // bounds refreshes in flight to fetch.workers

	digestRunning            bool
	afterRunning, afterAgain bool

	started, stopping bool
	cron              *cron.Cron
	timers            []*time.Timer // pending catch-up runs
	runCtx            context.Context
	cancelRuns        context.CancelFunc
	stopCh            chan struct{} // closed when Stop begins
	stopped           chan struct{} // closed when Stop has ended

	runs     sync.WaitGroup // runs in flight, and the digest catch-up waiting its turn
	catchUps sync.WaitGroup // catch-up fetches not yet ended; the catch-up digest waits for them
}

// plan is the schedule of one config.
type plan struct {
	sources map[string]*sourcePlan
	order   []string // config order
	digest  digestPlan
	workers int
}

type sourcePlan struct {
	src       config.Source
	sched     cron.Schedule // with the source's offset
	entry     cron.EntryID
	state     store.SourceState // as last read
	catchUpAt time.Time         // a pending catch-up run
	warned    bool              // gone already logged
}

type digestPlan struct {
	spec      string
	loc       *time.Location
	sched     cron.Schedule
	entry     cron.EntryID
	catchUpAt time.Time // estimate, while a catch-up digest waits for the catch-up fetches
}

// New plans cfg's sources and digest. Nothing runs until Start.
func New(jobs Jobs, cfg *config.Config, opts Options) *Scheduler {
	opts = opts.withDefaults()
	s := &Scheduler{
		jobs:    jobs,
		opts:    opts,
		log:     opts.Log,
		running: make(map[string]bool),
		stopCh:  make(chan struct{}),
		stopped: make(chan struct{}),
	}
	s.plan, s.planErr = newPlan(cfg, opts.MaxJitter)
	if s.plan == nil {
		s.plan = &plan{sources: map[string]*sourcePlan{}}
	}
	s.sem = make(chan struct{}, max(s.plan.workers, 1))
	return s
}

// newPlan parses every schedule in cfg, reporting all bad ones at once.
func newPlan(cfg *config.Config, maxJitter time.Duration) (*plan, error) {
	p := &plan{sources: make(map[string]*sourcePlan, len(cfg.Sources)), workers: cfg.Fetch.Workers}
	if p.workers <= 0 {
		p.workers = config.DefaultWorkers
	}
	var errs []error
	for _, src := range cfg.Sources {
		sched, err := src.ParsedSchedule()
		if err != nil {
			errs = append(errs, fmt.Errorf("source %q: %w", src.Name, err))
			continue
		}
		off := offset(src.Name, period(sched), maxJitter)
		p.sources[src.Name] = &sourcePlan{src: src, sched: jittered(sched, off)}
		p.order = append(p.order, src.Name)
	}
	loc := cfg.Digest.Location
	if loc == nil {
		loc = time.UTC
	}
	spec := cfg.Digest.Schedule
	if spec == "" {
		spec = config.DefaultDigestSchedule
	}
	sched, err := cfg.Digest.ParsedSchedule()
	if err != nil {
		errs = append(errs, fmt.Errorf("digest: %w", err))
	}
	p.digest = digestPlan{spec: spec, loc: loc, sched: sched}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

func (s *Scheduler) now() time.Time { return s.opts.Now() }

// Start reads every source's state and the last digest's time, schedules the
// sources and the digest, and returns. Overdue sources (due by
// pipeline.Decide) are fetched at once, spread over StartupSpread; a digest
// slot missed while down runs once, after those fetches. Runs get ctx's values but
// not its cancellation: Stop ends them.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	switch {
	case s.planErr != nil:
		s.mu.Unlock()
		return fmt.Errorf("schedule: start: %w", s.planErr)
	case s.stopping:
		s.mu.Unlock()
		return errors.New("schedule: start: stopped")
	case s.started:
		s.mu.Unlock()
		return errors.New("schedule: start: already started")
	}
	s.started = true
	names := append([]string(nil), s.plan.order...)
	s.mu.Unlock()

	states, last, err := s.readStart(ctx, names)
	if err != nil {
		s.mu.Lock()
		s.started = false
		s.mu.Unlock()
		return fmt.Errorf("schedule: start: %w", err)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return errors.New("schedule: start: stopped")
	}
	now := s.now()
	s.runCtx, s.cancelRuns = context.WithCancel(context.WithoutCancel(ctx))
	s.cron = cron.New(cron.WithLocation(time.UTC), cron.WithLogger(cron.DiscardLogger))
	p := s.plan

	var srcs []config.Source
	for _, name := range p.order {
		sp := p.sources[name]
		sp.entry = s.cron.Schedule(sp.sched, s.sourceJob(name))
		if st, ok := states[name]; ok { // else added by a Reload during the reads
			sp.state = st
		}
		srcs = append(srcs, sp.src)
	}
	late := overdue(srcs, states, now)
	for i, d := range catchUpDelays(len(late), s.opts.StartupSpread) {
		name := late[i]
		p.sources[name].catchUpAt = now.Add(d)
		s.catchUps.Add(1)
		s.timers = append(s.timers, time.AfterFunc(d, func() {
			defer s.catchUps.Done()
			s.runSource(name, true)
		}))
	}

	p.digest.entry = s.cron.Schedule(p.digest.sched, cron.FuncJob(func() { s.runDigest(false) }))
	catchUpDigest := digestMissed(p.digest.sched, last, now)
	if catchUpDigest {
		p.digest.catchUpAt = now.Add(s.opts.StartupSpread)
		s.runs.Add(1)
		go s.digestAfterCatchUps()
	}

	s.cron.Start()
	s.log.Info("scheduler started", "sources", len(p.order), "overdue", len(late),
		"digest_catch_up", catchUpDigest, "next_digest", s.nextDigestLocked(now))
	return nil
}

// readStart reads what Start decides from.
func (s *Scheduler) readStart(ctx context.Context, names []string) (map[string]store.SourceState, time.Time, error) {
	states := make(map[string]store.SourceState, len(names))
	for _, name := range names {
		st, err := s.jobs.State(ctx, name)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("source %q: state: %w", name, err)
		}
		states[name] = st
	}
	last, err := s.jobs.LastDigest(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("last digest: %w", err)
	}
	return states, last, nil
}

// digestAfterCatchUps runs the missed digest once the catch-up fetches have
// ended, so it carries what was published while the daemon was down.
func (s *Scheduler) digestAfterCatchUps() {
	defer s.runs.Done()
	fetched := make(chan struct{})
	go func() {
		s.catchUps.Wait() // ends on Stop too: Stop settles the pending timers
		close(fetched)
	}()
	select {
	case <-fetched:
		s.runDigest(true)
	case <-s.stopCh:
		s.mu.Lock()
		s.plan.digest.catchUpAt = time.Time{}
		s.mu.Unlock()
	}
}

func (s *Scheduler) sourceJob(name string) cron.Job {
	return cron.FuncJob(func() { s.runSource(name, false) })
}

// nextLocked is sp's next planned fetch, zero for a gone source. Call with
// s.mu held.
func (s *Scheduler) nextLocked(sp *sourcePlan, now time.Time) time.Time {
	d := pipeline.Decide(sp.src, sp.state, now)
	if d.Reason == pipeline.ReasonGone {
		return time.Time{}
	}
	var until time.Time
	if d.Held() {
		until = d.Until
	}
	return nextRun(sp.sched, now, until, sp.catchUpAt)
}

// runSource is one tick (or catch-up run) of a source: skipped while its
// previous run goes on, while it is held (gone, backoff, Retry-After) or, for
// catch-up, when no longer due; otherwise refreshed.
func (s *Scheduler) runSource(name string, catchUp bool) {
	s.mu.Lock()
	sp := s.plan.sources[name]
	if sp != nil && catchUp {
		sp.catchUpAt = time.Time{}
	}
	if s.stopping || sp == nil {
		s.mu.Unlock()
		return
	}
	if s.running[name] {
		next := s.nextLocked(sp, s.now())
		s.mu.Unlock()
		s.log.Info("skipped: previous run still going", "source", name, "outcome", skipRunning, "next", next)
		return
	}
	s.running[name] = true
	s.runs.Add(1)
	ctx, sem := s.runCtx, s.sem
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.running, name)
		s.mu.Unlock()
		s.runs.Done()
	}()
	defer s.recoverRun("source", name)

	st, err := s.jobs.State(ctx, name)
	if err != nil {
		s.log.Warn("skipped: reading state failed", "source", name, "outcome", string(pipeline.Failed), "error", err)
		return
	}
	s.mu.Lock()
	if sp = s.plan.sources[name]; sp == nil {
		s.mu.Unlock()
		return // removed by Reload meanwhile
	}
	sp.state = st
	src := sp.src
	now := s.now()
	v, err := decide(pipeline.Decide(src, st, now), catchUp)
	next := s.nextLocked(sp, now)
	warnGone := v.why == skipGone && !sp.warned
	sp.warned = sp.warned || warnGone
	s.mu.Unlock()
	switch {
	case err != nil:
		s.log.Warn("skipped", "source", name, "outcome", string(pipeline.Failed), "error", err)
		return
	case warnGone:
		s.log.Warn("skipped: gone (HTTP 410), not polled until its url changes", "source", name, "outcome", v.why)
		return
	case !v.run:
		s.log.Debug("skipped", "source", name, "outcome", v.why, "until", v.until, "next", next)
		return
	}

	select {
	case sem <- struct{}{}:
		defer func() { <-sem }()
	case <-s.stopCh:
		return
	}
	start := s.now()
	res := s.jobs.Refresh(ctx, src)
	dur := s.now().Sub(start)
	if st, err := s.jobs.State(ctx, name); err == nil {
		s.mu.Lock()
		if sp := s.plan.sources[name]; sp != nil {
			sp.state = st
		}
		s.mu.Unlock()
	} else if ctx.Err() == nil {
		s.log.Warn("reading state after refresh", "source", name, "error", err)
	}
	if res.Outcome == pipeline.New || res.Outcome == pipeline.Updated {
		s.afterFetch()
	}
	s.mu.Lock()
	next = time.Time{}
	if sp := s.plan.sources[name]; sp != nil && !s.stopping {
		next = s.nextLocked(sp, s.now())
	}
	s.mu.Unlock()
	// pipeline.Runner logs the fetch itself, with its error; this line adds
	// the schedule's view.
	s.log.Info("scheduled refresh", "source", name, "outcome", string(res.Outcome), "duration", dur, "next", next)
}

// afterFetch runs Jobs.AfterFetch, at most one at a time: requests while it
// runs are coalesced into one more run.
func (s *Scheduler) afterFetch() {
	s.mu.Lock()
	if s.afterRunning {
		s.afterAgain = true
		s.mu.Unlock()
		return
	}
	s.afterRunning = true
	s.runs.Add(1) // the caller is a counted run, so Stop cannot have seen zero
	ctx := s.runCtx
	s.mu.Unlock()
	go func() {
		defer s.runs.Done()
		defer s.recoverRun("after fetch", "")
		for {
			start := s.now()
			err := s.jobs.AfterFetch(ctx)
			if err != nil {
				s.log.Warn("after fetch", "outcome", string(pipeline.Failed), "duration", s.now().Sub(start), "error", err)
			}
			s.mu.Lock()
			if !s.afterAgain || ctx.Err() != nil {
				s.afterRunning, s.afterAgain = false, false
				s.mu.Unlock()
				return
			}
			s.afterAgain = false
			s.mu.Unlock()
		}
	}()
}

// runDigest is one digest tick, or the catch-up run at start (which checks
// again that a slot was missed: a regular tick may have run it meanwhile).
func (s *Scheduler) runDigest(catchUp bool) {
	s.mu.Lock()
	if catchUp {
		s.plan.digest.catchUpAt = time.Time{}
	}
	if s.stopping {
		s.mu.Unlock()
		return
	}
	if s.digestRunning {
		next := s.nextDigestLocked(s.now())
		s.mu.Unlock()
		s.log.Info("digest skipped: previous run still going", "outcome", skipRunning, "next", next)
		return
	}
	s.digestRunning = true
	s.runs.Add(1)
	ctx, sched := s.runCtx, s.plan.digest.sched
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.digestRunning = false
		s.mu.Unlock()
		s.runs.Done()
	}()
	defer s.recoverRun("digest", "")

	if catchUp {
		last, err := s.jobs.LastDigest(ctx)
		if err != nil {
			s.log.Warn("digest catch-up: last digest", "outcome", string(pipeline.Failed), "error", err)
			return
		}
		if !digestMissed(sched, last, s.now()) {
			s.log.Debug("digest catch-up: no longer due", "outcome", skipNotDue)
			return
		}
	}
	start := s.now()
	err := s.jobs.Digest(ctx)
	dur := s.now().Sub(start)
	s.mu.Lock()
	next := s.nextDigestLocked(s.now())
	s.mu.Unlock()
	if err != nil {
		s.log.Warn("digest", "outcome", string(pipeline.Failed), "duration", dur, "next", next, "error", err)
		return
	}
	s.log.Info("digest", "outcome", "done", "duration", dur, "next", next)
}

func (s *Scheduler) recoverRun(job, name string) {
	// A panicking parser must not take the daemon's other sources down.
	if p := recover(); p != nil {
		s.log.Error("run panicked", "job", job, "source", name, "outcome", string(pipeline.Failed),
			"panic", p, "stack", string(debug.Stack()))
	}
}

// Reload swaps in cfg's sources and digest schedule: new sources start on
// their schedule, removed ones stop (a run in flight ends normally), changed
// specs are re-planned. If any spec is bad, Reload returns every problem and
// keeps the old plan entirely.
func (s *Scheduler) Reload(cfg *config.Config) error {
	np, err := newPlan(cfg, s.opts.MaxJitter)
	if err != nil {
		return fmt.Errorf("schedule: reload: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return errors.New("schedule: reload: stopped")
	}
	old := s.plan
	var added, removed, replanned int
	for name, op := range old.sources {
		sp, ok := np.sources[name]
		switch {
		case !ok:
			removed++
			s.unschedule(op.entry)
		case sp.src.Schedule != op.src.Schedule:
			replanned++
			s.unschedule(op.entry)
			sp.entry = s.schedule(sp.sched, s.sourceJob(name))
			sp.state, sp.catchUpAt, sp.warned = op.state, op.catchUpAt, op.warned
		default:
			// Same spec: keep its entry (and a pending catch-up); the
			// source's other fields are read at each run.
			sp.sched, sp.entry = op.sched, op.entry
			sp.state, sp.catchUpAt, sp.warned = op.state, op.catchUpAt, op.warned
		}
	}
	for name, sp := range np.sources {
		if _, ok := old.sources[name]; !ok {
			added++
			sp.entry = s.schedule(sp.sched, s.sourceJob(name))
		}
	}
	if np.digest.spec == old.digest.spec && np.digest.loc.String() == old.digest.loc.String() {
		np.digest = old.digest
	} else {
		s.unschedule(old.digest.entry)
		np.digest.entry = s.schedule(np.digest.sched, cron.FuncJob(func() { s.runDigest(false) }))
		np.digest.catchUpAt = old.digest.catchUpAt
	}
	if np.workers != old.workers {
		s.sem = make(chan struct{}, np.workers) // runs in flight release into the one they took
	}
	s.plan, s.planErr = np, nil
	s.log.Info("schedule reloaded", "sources", len(np.order), "added", added, "removed", removed,
		"replanned", replanned, "next_digest", s.nextDigestLocked(s.now()))
	return nil
}

// schedule and unschedule touch the cron only once Start made it.
func (s *Scheduler) schedule(sched cron.Schedule, job cron.Job) cron.EntryID {
	if s.cron == nil {
		return 0
	}
	return s.cron.Schedule(sched, job)
}

func (s *Scheduler) unschedule(id cron.EntryID) {
	if s.cron != nil && id != 0 {
		s.cron.Remove(id)
	}
}

// Stop stops scheduling (nothing new starts, pending catch-up runs are
// dropped), lets runs in flight finish for up to Grace, then cancels their
// context, and returns once they have all returned. If ctx ends first, runs
// are cancelled at once, and Stop returns ctx's error if they are still going
// when it is done.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		select {
		case <-s.stopped:
			return nil
		case <-ctx.Done():
			return fmt.Errorf("schedule: stop: %w", ctx.Err())
		}
	}
	s.stopping = true
	close(s.stopCh)
	c, timers, cancel := s.cron, s.timers, s.cancelRuns
	s.timers = nil
	s.mu.Unlock()
	defer close(s.stopped)
	if cancel == nil {
		cancel = func() {}
	}
	defer cancel()

	if c != nil {
		c.Stop() // its jobs in flight are our runs, counted in s.runs
	}
	for _, t := range timers {
		if t.Stop() {
			s.catchUps.Done() // never fired, so never will
		}
	}
	done := make(chan struct{})
	go func() {
		s.runs.Wait()
		close(done)
	}()
	grace := time.NewTimer(s.opts.Grace)
	defer grace.Stop()
	select {
	case <-done:
		return nil
	case <-grace.C:
		s.log.Warn("stop: cancelling runs still going after grace", "grace", s.opts.Grace)
	case <-ctx.Done():
	}
	cancel()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("schedule: stop: runs still going: %w", ctx.Err())
	}
}

// Next is the source's next planned fetch: its schedule's next activation
// (after its backoff or Retry-After when failing), or a pending catch-up run.
// Zero for an unknown or gone source, and after Stop.
func (s *Scheduler) Next(source string) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	sp := s.plan.sources[source]
	if sp == nil || s.stopping {
		return time.Time{}
	}
	return s.nextLocked(sp, s.now())
}

// NextDigest is when the digest runs next (zero after Stop). A catch-up
// digest waiting for the catch-up fetches is reported at the end of
// StartupSpread, an estimate.
func (s *Scheduler) NextDigest() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return time.Time{}
	}
	return s.nextDigestLocked(s.now())
}

func (s *Scheduler) nextDigestLocked(now time.Time) time.Time {
	d := s.plan.digest
	if d.sched == nil {
		return time.Time{}
	}
	return nextRun(d.sched, now, time.Time{}, d.catchUpAt)
}
