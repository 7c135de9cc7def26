package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/fetch"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/redact"
	"github.com/netdigest/netdigest/store"
)

// loadConfig reports a bad config with every problem and file:line.
func loadConfig(e *env, path string) (*config.Config, bool) {
	cfg, err := config.Load(path)
	if err != nil {
		var cerr *config.Error
		if errors.As(err, &cerr) {
			fmt.Fprintf(e.stderr, "netdigest: %d problem(s) in the config; nothing was fetched:\n%v\n", len(cerr.Problems), err)
		} else {
			fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		}
		return nil, false
	}
	return cfg, true
}

// openRunner wires the stages for cfg. The caller closes the store.
func openRunner(ctx context.Context, e *env, cfg *config.Config, logger *slog.Logger) (*pipeline.Runner, error) {
	if err := os.MkdirAll(cfg.Output, 0o755); err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	st, err := store.Open(ctx, cfg.Store, e.now)
	if err != nil {
		return nil, err
	}
	return &pipeline.Runner{
		Config:     cfg,
		Store:      st,
		Client:     newClient(e, cfg),
		Normalizer: normalize.New(pipeline.Topics(cfg)...),
		Version:    e.version,
		Now:        e.now,
		Log:        logger,
	}, nil
}

// setup parses a command's flags (which take no arguments), loads the config
// and opens the stages (verbose, when set, is read after parsing). It returns nil and the exit status when the command
// must stop; otherwise the caller closes the runner's store.
func setup(ctx context.Context, e *env, fs *flag.FlagSet, configPath *string, args []string, verbose *bool) (*pipeline.Runner, int) {
	cfg, code := parseAndLoad(e, fs, configPath, args, 0)
	if cfg == nil {
		return nil, code
	}
	r, err := openRunner(ctx, e, cfg, cliLogger(e, verbose != nil && *verbose))
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return nil, exitPartial
	}
	return r, exitOK
}

// parseAndLoad parses a command's flags, which must leave nargs arguments,
// and loads the config. It returns nil and the exit status when the command
// must stop.
func parseAndLoad(e *env, fs *flag.FlagSet, configPath *string, args []string, nargs int) (*config.Config, int) {
	if code := parseFlags(fs, args); code >= 0 {
		return nil, code
	}
	if fs.NArg() != nargs {
		fs.Usage()
		return nil, exitUsage
	}
	cfg, ok := loadConfig(e, *configPath)
	if !ok {
		return nil, exitUsage
	}
	return cfg, exitOK
}

// newClient is the one HTTP client of a run.
func newClient(e *env, cfg *config.Config) *fetch.Client {
	return fetch.New(fetch.Options{
		UserAgent:      fmt.Sprintf("netdigest/%s (+%s)", e.version, cfg.Link),
		ConnectTimeout: cfg.Fetch.ConnectTimeout,
		Timeout:        cfg.Fetch.Timeout,
		MaxBodyBytes:   cfg.Fetch.MaxBodyBytes,
		PerHost:        cfg.Fetch.PerHost,
		Now:            e.now,

		AllowPrivateNetworks: cfg.Fetch.AllowPrivateNetworks,
	})
}

func cmdCheck(ctx context.Context, e *env, args []string) int {
	fs, configPath := newFlagSet(e, "check", "", "Validate the config (every problem is listed with file:line) and print the sources.")
	cfg, code := parseAndLoad(e, fs, configPath, args, 0)
	if cfg == nil {
		return code
	}
	fmt.Fprintf(e.stdout, "%s: %q, %d sources, store %s, output %s\n\n", cfg.Path, cfg.Title, len(cfg.Sources), cfg.Store, cfg.Output)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tSCHEDULE\tCONFERENCE\tTAGS\tURL")
	for _, s := range cfg.Sources {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Kind, s.Schedule, dash(s.Conference), dash(strings.Join(s.Tags, ",")), redact.String(s.URL))
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "\nprivate networks: %s\n", privateNetworks(cfg))
	return exitOK
}

// privateNetworks says which sources may reach loopback, private and
// link-local addresses.
func privateNetworks(cfg *config.Config) string {
	if cfg.Fetch.AllowPrivateNetworks {
		return "allowed for every source (fetch: allow_private_networks)"
	}
	var names []string
	for _, s := range cfg.Sources {
		if s.AllowPrivateNetworks {
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 {
		return "refused for every source (allow_private_networks is off)"
	}
	return "allowed for " + strings.Join(names, ", ") + " only (allow_private_networks on the source)"
}

type sourceList []string

func (l *sourceList) String() string     { return strings.Join(*l, ",") }
func (l *sourceList) Set(v string) error { *l = append(*l, v); return nil }

func cmdFetch(ctx context.Context, e *env, args []string) int {
	fs, configPath := newFlagSet(e, "fetch", "", "Fetch the sources that are due by their schedule into the store, one line per source.")
	var names sourceList
	fs.Var(&names, "source", "fetch only the source `NAME` (repeatable); implies -all for it")
	all := fs.Bool("all", false, "ignore schedules and backoffs: fetch every source now")
	verbose := fs.Bool("v", false, "log details to stderr")
	r, code := setup(ctx, e, fs, configPath, args, verbose)
	if r == nil {
		return code
	}
	defer r.Store.Close()
	sources, ok := selectSources(e, r.Config, names)
	if !ok {
		return exitUsage
	}
	release, code := holdFetch(ctx, e, r)
	if release == nil {
		return code
	}
	defer release()
	results := fetchWithProgress(ctx, e, r, sources, *all || len(names) > 0)
	return summarize(e, results, ctx.Err())
}

func cmdFeed(ctx context.Context, e *env, args []string) int {
	fs, configPath := newFlagSet(e, "feed", "", "Write the merged Atom feed of the newest max_entries entries (stdout by default),\n"+
		"or with -topic or -conference the feed of that part (as served at /topics/<slug>.atom).")
	out := fs.String("o", "", "write to `FILE` (atomically) instead of stdout")
	chosen := addFeedFlags(fs)
	r, code := setup(ctx, e, fs, configPath, args, nil)
	if r == nil {
		return code
	}
	defer r.Store.Close()
	if !chosen.merged() {
		return writeChosenFeed(ctx, e, r, chosen, *out)
	}
	if *out != "" {
		if err := r.WriteFeed(ctx, *out); err != nil {
			fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
			return exitPartial
		}
		return exitOK
	}
	data, err := r.RenderFeed(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	e.stdout.Write(data)
	return exitOK
}

func cmdRun(ctx context.Context, e *env, args []string) int {
	fs, configPath := newFlagSet(e, "run", "",
		"One full cycle for a crontab line: fetch the due sources, write <output>/feed.atom, and when the\n"+
			"digest schedule has come round (or no digest was ever made) prepare the digest and deliver it:\n"+
			"over SMTP when mail: is configured, otherwise as files in <output>/digests/.")
	all := fs.Bool("all", false, "ignore schedules and backoffs: fetch every source now")
	noDigest := fs.Bool("no-digest", false, "do not make the digest, even when it is due")
	verbose := fs.Bool("v", false, "log details to stderr")
	r, code := setup(ctx, e, fs, configPath, args, verbose)
	if r == nil {
		return code
	}
	defer r.Store.Close()
	release, code := holdFetch(ctx, e, r)
	if release == nil {
		return code
	}
	defer release()
	cfg := r.Config
	results := fetchWithProgress(ctx, e, r, cfg.Sources, *all)
	code = summarize(e, results, ctx.Err())
	if ctx.Err() != nil {
		return code
	}
	path := pipeline.FeedPath(cfg)
	if err := r.WriteFeed(ctx, path); err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	n, _ := r.Store.CountEntries(ctx)
	fmt.Fprintf(e.stdout, "feed: %s (%d of %d stored entries)\n", path, min(n, cfg.MaxEntries), n)
	if pcode := publishParts(ctx, e, r); pcode > code {
		code = pcode
	}
	if *noDigest {
		return code
	}
	if dcode := runDigestIfDue(ctx, e, r); dcode > code {
		code = dcode
	}
	return code
}

// holdFetch takes the store's fetch lease for a fetch or run. Another
// process fetching this store (a run still going, serve) makes this one
// skip, exit 0: that process is doing the work.
func holdFetch(ctx context.Context, e *env, r *pipeline.Runner) (release func(), code int) {
	release, err := pipeline.HoldFetch(ctx, r.Store, r.Log)
	var held *store.LeaseHeldError
	switch {
	case errors.As(err, &held):
		fmt.Fprintf(e.stdout, "skipped: another netdigest (%s) is fetching this store since %s; nothing was fetched\n",
			held.Owner, held.Acquired.Local().Format(time.DateTime))
		return nil, exitOK
	case err != nil:
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return nil, exitPartial
	}
	return release, exitOK
}

// runDigestIfDue is run's digest step.
func runDigestIfDue(ctx context.Context, e *env, r *pipeline.Runner) int {
	due, err := r.DigestDue(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	if !due {
		fmt.Fprintln(e.stdout, "digest: not due yet")
		return exitOK
	}
	opts := pipeline.DigestOptions{Dir: filepath.Join(r.Config.Output, "digests")}
	if r.Config.Mail != nil {
		sender, err := newSender(r.Config)
		if err != nil {
			fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
			return exitPartial
		}
		r.Sender, opts.Send = sender, true
	}
	if code := attachRenderer(e, r); code != exitOK {
		return code
	}
	res, err := r.Digest(ctx, opts)
	if busy, ok := digestBusy(e, res, err); ok {
		return busy
	}
	if res != nil {
		reportDigest(e, res, r.Config)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	return exitOK
}

func selectSources(e *env, cfg *config.Config, names []string) ([]config.Source, bool) {
	if len(names) == 0 {
		return cfg.Sources, true
	}
	var out []config.Source
	for _, n := range names {
		s, ok := cfg.Source(n)
		if !ok {
			fmt.Fprintf(e.stderr, "netdigest: no source named %q in %s\n", n, cfg.Path)
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// fetchWithProgress prints one line per source as it finishes, so a person
// at a terminal sees a long run move.
func fetchWithProgress(ctx context.Context, e *env, r *pipeline.Runner, sources []config.Source, all bool) []pipeline.Result {
	done := 0
	width := len(fmt.Sprint(len(sources)))
	return r.FetchAll(ctx, sources, pipeline.FetchOptions{
		All: all,
		Progress: func(res pipeline.Result) {
			done++
			fmt.Fprintf(e.stdout, "[%*d/%d] %-20s %s\n", width, done, len(sources), res.Source, describe(res))
		},
	})
}

func describe(res pipeline.Result) string {
	var b strings.Builder
	switch res.Outcome {
	case pipeline.New, pipeline.Updated:
		fmt.Fprintf(&b, "%s: %d new, %d updated of %d", res.Outcome, res.Counts.New, res.Counts.Updated, res.Parsed)
	case pipeline.Unchanged:
		switch {
		case res.NotModified:
			b.WriteString("unchanged (304)")
		case res.Parsed == 0:
			// A document without entries is no 304: its warning says why.
			b.WriteString("0 entries")
		default:
			fmt.Fprintf(&b, "unchanged: %d entries", res.Parsed)
		}
	case pipeline.Deferred:
		fmt.Fprintf(&b, "deferred: the server asked to wait until %s", res.NextTry.Local().Format(time.DateTime))
	case pipeline.BackingOff:
		// The daemon's backoff: -all or -source fetches it anyway.
		failures := "failures"
		if res.Failures == 1 {
			failures = "failure"
		}
		fmt.Fprintf(&b, "backing off until %s after %d %s", res.NextTry.Local().Format(time.DateTime), res.Failures, failures)
	default:
		b.WriteString(string(res.Outcome))
	}
	if res.Counts.Duplicates > 0 {
		fmt.Fprintf(&b, ", %d already from another source", res.Counts.Duplicates)
	}
	if res.Err != nil {
		fmt.Fprintf(&b, ": %v", res.Err)
	}
	switch n := len(res.Warnings); {
	case n == 1:
		// One warning (a feed recovered or empty) is read where it shows.
		fmt.Fprintf(&b, " (warning: %s)", res.Warnings[0])
	case n > 1:
		fmt.Fprintf(&b, " (%d warnings: 'netdigest preview %s' lists them)", n, res.Source)
	}
	if res.MovedTo != "" {
		fmt.Fprintf(&b, " (moved permanently to %s: update the config)", res.MovedTo)
	}
	if res.Duration > 0 {
		fmt.Fprintf(&b, " [%s]", res.Duration.Round(time.Millisecond))
	}
	return b.String()
}

// summarize prints the totals and returns the exit status.
func summarize(e *env, results []pipeline.Result, interrupted error) int {
	var fetched, failed, newEntries, updated int
	for _, r := range results {
		if r.Outcome != pipeline.NotDue && r.Outcome != pipeline.Deferred && r.Outcome != pipeline.BackingOff {
			fetched++
		}
		if r.Failed() {
			failed++
		}
		newEntries += r.Counts.New
		updated += r.Counts.Updated
	}
	fmt.Fprintf(e.stdout, "%d sources: %d fetched, %d not due, %d failed; %d new entries, %d updated\n",
		len(results), fetched, len(results)-fetched, failed, newEntries, updated)
	if interrupted != nil {
		fmt.Fprintln(e.stderr, "netdigest: interrupted; sources finished before the interruption are saved")
		return exitPartial
	}
	if failed > 0 {
		return exitPartial
	}
	return exitOK
}

func cliLogger(e *env, verbose bool) *slog.Logger {
	if !verbose {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func cmdBackup(ctx context.Context, e *env, args []string) int {
	fs, configPath := newFlagSet(e, "backup", "FILE",
		"Write a consistent copy of the store to FILE (which must not exist), safe while the daemon runs.")
	cfg, code := parseAndLoad(e, fs, configPath, args, 1)
	if cfg == nil {
		return code
	}
	st, err := store.Open(ctx, cfg.Store, e.now)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	defer st.Close()
	if err := st.Backup(ctx, fs.Arg(0)); err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	fmt.Fprintf(e.stdout, "backup of %s written to %s\n", cfg.Store, fs.Arg(0))
	return exitOK
}
