// Package pipeline is the orchestration: it runs each source through the
// stages (fetch → normalize → store) and renders the merged feed from the
// store. It decides what is due, records every outcome in the source's state
// and never lets one source's failure stop another.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/netdigest/netdigest/atomicfile"
	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/fetch"
	"github.com/netdigest/netdigest/mail"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/normalize/indico"
	"github.com/netdigest/netdigest/normalize/notes"
	"github.com/netdigest/netdigest/normalize/page"
	"github.com/netdigest/netdigest/redact"
	"github.com/netdigest/netdigest/render"
	"github.com/netdigest/netdigest/store"
)

// Outcome says what one refresh of a source did.
type Outcome string

const (
	New       Outcome = "new"       // at least one new entry
	Updated   Outcome = "updated"   // no new entries, some changed in place
	Unchanged Outcome = "unchanged" // 304 (Result.NotModified), or nothing new or changed
	NotDue    Outcome = "not due"   // the schedule says not yet
	Deferred  Outcome = "deferred"  // the server asked us to wait (Retry-After)
	Gone      Outcome = "gone"      // the URL answered 410; not polled until the config changes
	Failed    Outcome = "error"

	// BackingOff: failing, so not fetched again before Result.NextTry
	// (Decide's backoff, the daemon's too).
	BackingOff Outcome = "backing off"
)

// Outcomes lists every Outcome, so callers that enumerate them (the
// daemon's metrics declare a series for each) never miss a new one.
func Outcomes() []Outcome {
	return []Outcome{New, Updated, Unchanged, NotDue, Deferred, Gone, Failed, BackingOff}
}

// Result is the outcome of one source's refresh.
type Result struct {
	Source   string
	Outcome  Outcome
	Counts   store.Counts
	Parsed   int // entries the source carried this time
	Err      error
	Duration time.Duration
	// MovedTo is set when the source's URL permanently redirects there: the
	// config should be updated. In redact.URL's form: it is printed and logged.
	MovedTo string
	NextTry time.Time // for Deferred and BackingOff: when it may be tried again
	// Failures is how many consecutive failures a BackingOff follows.
	Failures int
	// Warnings are what the parser skipped or guessed in a partial result.
	Warnings []string
	// NotModified: the server answered 304, nothing was parsed. Unchanged
	// without it is a document that parsed (Parsed says how many entries
	// it carried, possibly none).
	NotModified bool
}

// Failed reports whether the run should count this source as failing.
func (r Result) Failed() bool { return r.Outcome == Failed || r.Outcome == Gone }

// Runner runs the pipeline for one config. All fields are required except
// Log (discarded when nil), Now (time.Now when nil), and the digest's
// DigestRenderer and Sender (only Digest uses them).
type Runner struct {
	Config     *config.Config
	Store      *store.Store
	Client     *fetch.Client
	Normalizer *normalize.Normalizer
	// DigestRenderer renders digests; Sender delivers them (nil when no
	// mail server is configured: digests are written to files).
	DigestRenderer *render.DigestRenderer
	Sender         mail.Sender
	Version        string
	Now            func() time.Time
	Log            *slog.Logger
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.New(slog.DiscardHandler)
}

// FetchOptions select what FetchAll does.
type FetchOptions struct {
	// All ignores the sources' schedules and backoffs (Retry-After and 410
	// still apply: the server asked for them).
	All bool
	// Progress, when set, is called once per source as it finishes, from one
	// goroutine at a time.
	Progress func(Result)
}

// FetchAll refreshes the sources Decide says are due (all of them with
// opts.All) with a bounded pool of workers and returns one result per
// source, in the order given. Cancelling ctx stops
// work in flight; sources already saved stay saved.
//
// The sources' states are read with one query before the pool starts, and
// the states of fetches that brought no entries (304s, failures) go to one
// writer goroutine that commits everything queued while it was writing in
// one transaction: a warm cycle is mostly these two, and one query and one
// commit per source were most of its cost. A worker hands such a state over
// and fetches its next source; the writer reports the source (Progress, its
// result) once its state is committed, so a result still says what is
// stored.
func (r *Runner) FetchAll(ctx context.Context, sources []config.Source, opts FetchOptions) []Result {
	results := make([]Result, len(sources))
	states, err := r.loadStates(ctx)
	if err != nil {
		for i, src := range sources {
			results[i] = Result{Source: src.Name, Outcome: Failed, Err: fmt.Errorf("source %q: %w", src.Name, err)}
		}
		return results
	}
	workers := r.Config.Fetch.Workers
	if workers <= 0 {
		workers = config.DefaultWorkers
	}
	var progressMu sync.Mutex
	report := func(i int, res Result) {
		r.logResult(res)
		results[i] = res // each i by one goroutine; read after they all end
		if opts.Progress != nil {
			progressMu.Lock()
			opts.Progress(res)
			progressMu.Unlock()
		}
	}
	writer := newStateWriter(r.Store, func(b stateSave, err error) {
		res := b.res
		if err != nil {
			b.pending.onErr(&res, err)
		}
		report(b.i, res)
	})
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(sources)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				st, ok := states[sources[i].Name]
				if !ok {
					st = store.SourceState{Name: sources[i].Name}
				}
				res, pending := r.refreshIfDue(ctx, sources[i], st, opts.All)
				if pending == nil {
					report(i, res)
					continue
				}
				writer.queue <- stateSave{ctx: ctx, i: i, res: res, pending: pending}
			}
		}()
	}
	for i := range sources {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	writer.stop()
	r.relinkAfter(ctx, sources, results)
	return results
}

// loadStates reads every stored source state, by name.
func (r *Runner) loadStates(ctx context.Context) (map[string]store.SourceState, error) {
	list, err := r.Store.Sources(ctx)
	if err != nil {
		return nil, err
	}
	states := make(map[string]store.SourceState, len(list))
	for _, st := range list {
		states[st.Name] = st
	}
	return states, nil
}

// pendingState is a source state refresh leaves to its caller to save (a
// fetch that brought no entries), with how a failed save changes the
// result.
type pendingState struct {
	state store.SourceState
	onErr func(*Result, error)
}

// stateWriter is FetchAll's group commit of source states: one goroutine
// takes everything queued, writes it in one transaction, and hands each
// state's outcome to finish.
type stateWriter struct {
	st     *store.Store
	queue  chan stateSave
	done   chan struct{}
	finish func(stateSave, error)
}

// stateSave is one queued state: the result to report once it is saved.
type stateSave struct {
	ctx     context.Context
	i       int
	res     Result
	pending *pendingState
}

// maxStateBatch bounds one transaction and the queue in front of it.
const maxStateBatch = 100

func newStateWriter(st *store.Store, finish func(stateSave, error)) *stateWriter {
	w := &stateWriter{st: st, queue: make(chan stateSave, maxStateBatch), done: make(chan struct{}), finish: finish}
	go w.run()
	return w
}

// stop ends the writer once every queued state has been finished.
func (w *stateWriter) stop() {
	close(w.queue)
	<-w.done
}

func (w *stateWriter) run() {
	defer close(w.done)
	for req := range w.queue {
		batch := []stateSave{req}
	drain:
		for len(batch) < maxStateBatch {
			select {
			case more, ok := <-w.queue:
				if !ok {
					break drain
				}
				batch = append(batch, more)
			default:
				break drain
			}
		}
		w.write(batch)
	}
}

// write commits a batch in one transaction under the first state's ctx.
// When that fails (one bad state, or that ctx cancelled), each state is
// written alone under its own ctx, so each gets its own error and none is
// lost because of another.
func (w *stateWriter) write(batch []stateSave) {
	if len(batch) > 1 {
		states := make([]store.SourceState, len(batch))
		for i, b := range batch {
			states[i] = b.pending.state
		}
		if err := w.st.SaveStates(batch[0].ctx, states); err == nil {
			for _, b := range batch {
				w.finish(b, nil)
			}
			return
		}
	}
	for _, b := range batch {
		w.finish(b, w.st.SaveState(b.ctx, b.pending.state))
	}
}

// refreshIfDue refreshes src when Decide says it is due, or when forced
// (-all, -source, Refresh); otherwise it returns the result that says why
// not, with no state to save.
func (r *Runner) refreshIfDue(ctx context.Context, src config.Source, st store.SourceState, force bool) (
	Result, *pendingState) {
	if err := ctx.Err(); err != nil {
		return Result{Source: src.Name, Outcome: Failed, Err: fmt.Errorf("source %q: %w", src.Name, err)}, nil
	}
	d := Decide(src, st, r.now())
	if res, skip := skipped(src, d, force); skip {
		return res, nil
	}
	return r.refresh(ctx, src, d.State)
}

// skipped is the result of a source Decide keeps from being fetched. Forcing
// overrides the schedule and the backoff, never a 410 or the server's
// Retry-After: the server asked for those. A gone source is reported on
// every run, due or not, until the config changes.
func skipped(src config.Source, d Decision, force bool) (Result, bool) {
	res := Result{Source: src.Name}
	switch {
	case d.Reason == ReasonGone:
		res.Outcome = Gone
		res.Err = fmt.Errorf("source %q: %s is gone (HTTP 410) since %s; not polled until its url changes in the config",
			src.Name, redact.String(src.URL), d.State.LastFetch.UTC().Format(time.DateOnly))
	case d.Reason == ReasonRetryAfter || (force && !d.RetryAfter.IsZero()):
		res.Outcome, res.NextTry = Deferred, d.RetryAfter
	case d.Due || force:
		return res, false
	case d.Reason == ReasonBackoff:
		res.Outcome, res.NextTry, res.Failures = BackingOff, d.Until, d.Failures
	case d.Err != nil:
		res.Outcome, res.Err = Failed, fmt.Errorf("source %q: %w", src.Name, d.Err)
	default:
		res.Outcome = NotDue
	}
	return res, true
}

// Refresh fetches one source now, whatever its schedule and backoff (the
// daemon's scheduler decided when); a 410 or a Retry-After still holds.
func (r *Runner) Refresh(ctx context.Context, src config.Source) Result {
	st, err := r.Store.SourceState(ctx, src.Name)
	if err != nil {
		return Result{Source: src.Name, Outcome: Failed, Err: fmt.Errorf("source %q: %w", src.Name, err)}
	}
	res, pending := r.refreshIfDue(ctx, src, st, true)
	if pending != nil {
		if err := r.Store.SaveState(ctx, pending.state); err != nil {
			pending.onErr(&res, err)
		}
	}
	r.logResult(res)
	r.relinkAfter(ctx, []config.Source{src}, []Result{res})
	return res
}

// refresh fetches, parses and stores one source from st, the state Decide
// said applies. A fetch that brings no entries (304, failure) is not saved
// here: its state comes back as pending for the caller to save (and log
// the result after).
func (r *Runner) refresh(ctx context.Context, src config.Source, st store.SourceState) (
	res Result, pending *pendingState) {
	start := r.now()
	res.Source = src.Name
	defer func() { res.Duration = r.now().Sub(start) }()

	url := src.URL
	if st.PermanentURL != "" {
		url = st.PermanentURL
		res.MovedTo = redact.String(st.PermanentURL)
	}
	st.LastFetch = r.now()
	req := FetchRequest(src, url)
	req.ETag, req.LastModified = st.ETag, st.LastModified
	resp, err := r.Client.Get(ctx, req)
	if err != nil {
		return r.fail(ctx, &res, st, fmt.Errorf("source %q: %w", src.Name, err))
	}
	if resp.PermanentURL != "" {
		st.PermanentURL = resp.PermanentURL
		res.MovedTo = redact.String(resp.PermanentURL)
	}
	if resp.NotModified {
		st.ETag, st.LastModified = resp.ETag, resp.LastModified
		r.succeed(&st)
		res.Outcome, res.NotModified = Unchanged, true
		return res, &pendingState{state: st, onErr: func(res *Result, err error) {
			res.Outcome, res.Err = Failed, fmt.Errorf("source %q: %w", src.Name, err)
		}}
	}

	doc, err := Parse(src, resp)
	if err != nil {
		return r.fail(ctx, &res, st, fmt.Errorf("source %q: %w", src.Name, err))
	}
	st.Feed = feedMeta(doc)
	// Items stored before under the same raw hash would normalize to the
	// same entries: a changed feed mostly carries items already stored.
	known, err := r.Store.RawHashes(ctx, src.Name)
	if err != nil {
		return r.fail(ctx, &res, st, fmt.Errorf("source %q: %w", src.Name, err))
	}
	entries, skipped := r.Normalizer.EntriesSkipping(NormalizeSource(src, DocumentURL(src, resp)), doc, r.now(), known)
	res.Parsed = len(entries) + skipped
	res.Warnings = doc.Warnings

	st.ETag, st.LastModified = resp.ETag, resp.LastModified
	r.succeed(&st)
	counts, err := r.Store.SaveFetch(ctx, st, entries)
	if err != nil {
		res.Outcome, res.Err = Failed, fmt.Errorf("source %q: %w", src.Name, err)
		return res, nil
	}
	counts.Unchanged += skipped
	res.Counts = counts
	switch {
	case counts.New > 0:
		res.Outcome = New
	case counts.Updated > 0:
		res.Outcome = Updated
	default:
		res.Outcome = Unchanged
	}
	return res, nil
}

// FetchRequest is the request that fetches src from url (its configured URL
// or the one a permanent redirect moved it to), carrying what the source is
// allowed to reach.
func FetchRequest(src config.Source, url string) fetch.Request {
	return fetch.Request{URL: url, AllowPrivateNetworks: src.AllowPrivateNetworks}
}

// DocumentURL is what relative links in the fetched document resolve
// against: the configured base, else the final URL without userinfo and
// query. Entries' links and ids are made from it and published, so it must
// not carry the credentials the fetch needed (url.ResolveReference keeps a
// base's userinfo, and "#x" or "" keeps its query). A snapshot's file URL
// stays: nothing made from it is published (links are http(s) only, the
// sanitizer drops file: URLs, feedMeta keeps only http(s) links).
func DocumentURL(src config.Source, resp *fetch.Response) string {
	if src.Base != "" {
		return src.Base
	}
	if render.HTTPURL(resp.URL) == "" {
		return resp.URL
	}
	return redact.String(resp.URL)
}

// feedMeta is what a parsed document says of itself, kept for the entries'
// <source> element: its id, its title as text, its http(s) link.
func feedMeta(doc *normalize.Document) store.FeedMeta {
	return store.FeedMeta{
		ID:    strings.TrimSpace(doc.ID),
		Title: normalize.PlainText(doc.Title),
		Link:  render.HTTPURL(strings.TrimSpace(doc.Link)),
	}
}

// Parse picks the parser for the source's kind.
func Parse(src config.Source, resp *fetch.Response) (*normalize.Document, error) {
	url := DocumentURL(src, resp)
	switch src.Kind {
	case config.KindFeed:
		doc, err := normalize.ParseFeed(resp.Body, resp.ContentType, url)
		if err != nil || src.Split == nil {
			return doc, err
		}
		return page.SplitFeed(doc, *pageRules(src).Split)
	case config.KindHTML:
		return page.ParseListing(resp.Body, resp.ContentType, url, pageRules(src))
	case config.KindArticle:
		return page.ParseArticle(resp.Body, resp.ContentType, url, pageRules(src))
	case config.KindText:
		var rules notes.Rules
		if t := src.Text; t != nil {
			rules = notes.Rules{Entry: t.Entry, StartAfter: t.StartAfter, Date: t.Date}
		}
		return notes.Parse(resp.Body, resp.ContentType, url, rules)
	case config.KindIndico:
		var rules indico.Rules
		if in := src.Indico; in != nil {
			rules = indico.Rules{Track: in.Track, Session: in.Session}
		}
		return indico.Parse(resp.Body, resp.ContentType, url, rules)
	default:
		return nil, fmt.Errorf("kind %q has no parser", src.Kind)
	}
}

func pageRules(src config.Source) page.Rules {
	var r page.Rules
	if sel := src.Select; sel != nil {
		r = page.Rules{
			Item: sel.Item, Title: sel.Title, Link: sel.Link, LinkAttr: sel.LinkAttr,
			Date: sel.Date, DateAttr: sel.DateAttr, DateLayouts: sel.DateLayouts,
			Summary: sel.Summary, Content: sel.Content, Author: sel.Author,
		}
	}
	if sp := src.Split; sp != nil {
		r.Split = &page.Split{Heading: sp.Heading, Pattern: sp.Pattern, Time: sp.Time, TimeAttr: sp.TimeAttr}
	}
	return r
}

// NormalizeSource is what normalize needs of a configured source fetched
// from fetchedURL.
func NormalizeSource(src config.Source, fetchedURL string) normalize.Source {
	return normalize.Source{
		Name:       src.Name,
		URL:        fetchedURL,
		Conference: src.Conference,
		Tags:       src.Tags,
		Include:    src.Include,
		Exclude:    src.Exclude,

		MaxItems:        src.MaxItems,
		MaxContentBytes: src.MaxContentBytes,
		Role:            src.Role,
	}
}

// Topics converts the config's topics for normalize.New.
func Topics(cfg *config.Config) []normalize.Topic {
	out := make([]normalize.Topic, len(cfg.Topics))
	for i, t := range cfg.Topics {
		out[i] = normalize.Topic{Name: t.Name, Match: t.Match}
	}
	return out
}

func (r *Runner) succeed(st *store.SourceState) {
	st.LastSuccess = r.now()
	st.LastError = ""
	st.Failures = 0
	st.NextTry = time.Time{}
}

// fail records err in the result and in the source's state, which it
// returns pending for the caller to save; nothing when ctx was cancelled.
func (r *Runner) fail(ctx context.Context, res *Result, st store.SourceState, err error) (Result, *pendingState) {
	res.Outcome, res.Err = Failed, err
	st.LastError = err.Error()
	st.Failures++
	var se *fetch.StatusError
	switch {
	case errors.Is(err, fetch.ErrGone):
		st.Gone = true
		res.Outcome = Gone
	case errors.As(err, &se) && !se.RetryAfter.IsZero():
		st.NextTry = se.RetryAfter
		res.NextTry = se.RetryAfter
	}
	if ctx.Err() != nil {
		// The run was interrupted: not the source's fault, so record nothing.
		return *res, nil
	}
	return *res, &pendingState{state: st, onErr: func(res *Result, serr error) {
		res.Err = errors.Join(err, fmt.Errorf("source %q: %w", st.Name, serr))
	}}
}

func (r *Runner) logResult(res Result) {
	attrs := []any{"source", res.Source, "outcome", string(res.Outcome), "duration", res.Duration}
	if res.Outcome == NotDue || res.Outcome == BackingOff {
		return // not fetched: the progress line says why
	}
	if res.Parsed > 0 {
		attrs = append(attrs, "entries", res.Parsed, "new", res.Counts.New, "updated", res.Counts.Updated)
	}
	if res.MovedTo != "" {
		attrs = append(attrs, "moved_to", res.MovedTo)
	}
	if res.NotModified {
		attrs = append(attrs, "status", 304)
	}
	if len(res.Warnings) > 0 {
		// The texts, not a count: the daemon's log is where they are read.
		attrs = append(attrs, "warnings", res.Warnings)
	}
	if res.Err != nil {
		r.log().Warn("fetch failed", append(attrs, "error", res.Err)...)
		return
	}
	if len(res.Warnings) > 0 {
		r.log().Warn("fetched with warnings", attrs...)
		return
	}
	r.log().Info("fetched", attrs...)
}

// FeedPath is where Run writes the merged feed.
func FeedPath(cfg *config.Config) string { return cfg.Output + "/feed.atom" }

// RenderFeed renders the merged Atom feed of the newest max_entries entries.
func (r *Runner) RenderFeed(ctx context.Context) ([]byte, error) {
	entries, err := r.Store.Latest(ctx, r.Config.MaxEntries)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	states, err := r.Store.Sources(ctx)
	if err != nil {
		return nil, fmt.Errorf("feed: %w", err)
	}
	out, err := render.Atom(r.FeedInfo(nil, "feed.atom", states), entries)
	if err != nil {
		return nil, fmt.Errorf("feed: render: %w", err)
	}
	return out, nil
}

// SourceInfos is what every output says of each configured source: its
// name, its public URL (config.Source.PublicURL, never the URL fetched) and
// what its feed said of itself when last parsed from the URL configured now.
func SourceInfos(sources []config.Source, states []store.SourceState) map[string]render.SourceInfo {
	byName := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		byName[st.Name] = st
	}
	out := make(map[string]render.SourceInfo, len(sources))
	for _, src := range sources {
		info := render.SourceInfo{Title: src.Name, URL: src.PublicURL}
		if st, ok := byName[src.Name]; ok && !stale(src, st) {
			info.FeedID, info.FeedTitle, info.FeedLink = st.Feed.ID, st.Feed.Title, st.Feed.Link
		}
		out[src.Name] = info
	}
	return out
}

// WriteFeed renders the feed and replaces path atomically.
func (r *Runner) WriteFeed(ctx context.Context, path string) error {
	out, err := r.RenderFeed(ctx)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, out, 0o644); err != nil {
		return fmt.Errorf("feed: %w", err)
	}
	return nil
}

// selfLink is where the daemon serves the feed under the public link.
func selfLink(link string) string { return PublicURL(link, "feed.atom") }
