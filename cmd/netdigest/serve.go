package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/schedule"
	"github.com/netdigest/netdigest/server"
	"github.com/netdigest/netdigest/store"
)

// shutdownTimeout bounds how long serve waits for HTTP requests and runs in
// flight after SIGTERM before it gives up on them; systemd's default
// TimeoutStopSec (90 s) is well above it.
const shutdownTimeout = 45 * time.Second

func cmdServe(ctx context.Context, e *env, args []string) int {
	fs, configPath := newFlagSet(e, "serve", "",
		"Run the daemon: fetch each source on its schedule, make the digest on digest.schedule, and serve\n"+
			"the merged feed (/feed.atom, /feed.json, /feed.rss), a web page (/), /healthz and /metrics.\n"+
			"SIGHUP reloads the config (a bad one is reported and the old one keeps running);\n"+
			"SIGTERM or SIGINT stops it, letting fetches in flight finish.")
	listen := fs.String("listen", "", "serve on `ADDR` (host:port) instead of the config's listen: (default "+config.DefaultListen+")")
	jsonLogs := fs.Bool("json", false, "log JSON lines instead of text")
	cfg, code := parseAndLoad(e, fs, configPath, args, 0)
	if cfg == nil {
		return code
	}
	addr := cfg.Listen
	if *listen != "" {
		addr = *listen
	}
	logger := daemonLogger(e, *jsonLogs)
	// Caught from the start: SIGHUP's default action would end the daemon.
	hangups := e.hangups
	if hangups == nil {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGHUP)
		defer signal.Stop(ch)
		hangups = ch
	}

	// Listen first: a port in use is the commonest start failure, and it
	// must not cost opening (and integrity-checking) the store.
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: listen: %v\n", err)
		return exitUsage
	}
	defer ln.Close()
	if err := os.MkdirAll(cfg.Output, 0o755); err != nil {
		fmt.Fprintf(e.stderr, "netdigest: output directory: %v\n", err)
		return exitPartial
	}
	st, err := store.Open(ctx, cfg.Store, e.now)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	defer st.Close()
	d := &daemon{e: e, log: logger, store: st, metrics: server.NewMetrics()}
	gen, err := d.generation(cfg)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitUsage
	}
	d.sched = schedule.New(d, cfg, schedule.Options{Log: logger})
	if err := d.install(gen); err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitUsage
	}

	srv := server.NewHTTPServer(addr, d)
	srv.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	// One fetch cycle per store: wait out a run from cron still going.
	release, err := waitFetchLease(ctx, st, logger)
	if err != nil {
		logger.Error("start", "error", err)
		srv.Close()
		return exitPartial
	}
	defer release()
	if err := d.sched.Start(ctx); err != nil {
		logger.Error("start", "error", err)
		srv.Close()
		return exitPartial
	}
	logger.Info("serving", "url", "http://"+ln.Addr().String()+"/", "config", cfg.Path,
		"store", cfg.Store, "sources", len(cfg.Sources), "pid", os.Getpid())

	code = exitOK
loop:
	for {
		select {
		case <-ctx.Done():
			logger.Info("stopping", "reason", context.Cause(ctx))
			break loop
		case <-hangups:
			d.reload(*configPath, addr)
		case err := <-served:
			logger.Error("http server stopped", "error", err)
			code = exitPartial
			break loop
		}
	}

	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := srv.Shutdown(stopCtx); err != nil {
			logger.Warn("http shutdown", "error", err)
		}
	}()
	go func() {
		defer wg.Done()
		if err := d.sched.Stop(stopCtx); err != nil {
			logger.Warn("scheduler stop", "error", err)
		}
	}()
	wg.Wait()
	logger.Info("stopped")
	return code
}

// leaseRetry is how often serve tries again for a fetch lease held by
// another process.
const leaseRetry = 5 * time.Second

// waitFetchLease takes the store's fetch lease, waiting while another
// process holds it.
func waitFetchLease(ctx context.Context, st *store.Store, logger *slog.Logger) (func(), error) {
	for logged := false; ; logged = true {
		release, err := pipeline.HoldFetch(ctx, st, logger)
		var held *store.LeaseHeldError
		if !errors.As(err, &held) {
			return release, err
		}
		if !logged {
			logger.Warn("waiting for another netdigest to finish fetching this store", "holder", held.Owner.String())
		}
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-time.After(leaseRetry):
		}
	}
}

// daemonLogger is slog to stderr; systemd's journal adds its own timestamps,
// but a person running serve by hand wants them too, so they stay.
func daemonLogger(e *env, json bool) *slog.Logger {
	if json {
		return slog.New(slog.NewJSONHandler(e.stderr, nil))
	}
	return slog.New(slog.NewTextHandler(e.stderr, nil))
}

// daemon is what serve runs: the scheduler's jobs and the HTTP handler, both
// built from the current generation (one config's runner and handler),
// which SIGHUP swaps whole. The store, the metrics and the scheduler outlive
// generations.
type daemon struct {
	e       *env
	log     *slog.Logger
	store   *store.Store
	metrics *server.Metrics
	sched   *schedule.Scheduler
	current atomic.Pointer[generation]
}

// generation is everything derived from one config. Runs that started under
// an older generation finish with it; nothing in it is mutated once built.
type generation struct {
	cfg       *config.Config
	runner    *pipeline.Runner
	templates fs.FS
	handler   http.Handler
}

// generation wires cfg: a fresh HTTP client (fetch: settings may have
// changed), the digest renderer and sender, and the web handler.
func (d *daemon) generation(cfg *config.Config) (*generation, error) {
	if err := os.MkdirAll(cfg.Output, 0o755); err != nil {
		return nil, fmt.Errorf("output directory: %w", err)
	}
	r := &pipeline.Runner{
		Config:     cfg,
		Store:      d.store,
		Client:     newClient(d.e, cfg),
		Normalizer: normalize.New(pipeline.Topics(cfg)...),
		Version:    d.e.version,
		Now:        d.e.now,
		Log:        d.log,
	}
	renderer, tmpl, err := digestRenderer(cfg)
	if err != nil {
		return nil, err
	}
	r.DigestRenderer = renderer
	if cfg.Mail != nil {
		// A missing password is reported now, not at Monday's digest.
		sender, err := newSender(cfg)
		if err != nil {
			return nil, err
		}
		r.Sender = sender
	}
	return &generation{cfg: cfg, runner: r, templates: tmpl}, nil
}

// install builds gen's handler (the scheduler must exist: the page shows its
// plan) and makes gen current.
func (d *daemon) install(gen *generation) error {
	h, err := server.New(server.Deps{
		Config:    gen.cfg,
		Runner:    gen.runner,
		Schedule:  d.sched,
		Metrics:   d.metrics,
		Templates: gen.templates,
		Now:       d.e.now,
		Log:       d.log,
	})
	if err != nil {
		return fmt.Errorf("web page: %w", err)
	}
	gen.handler = h
	d.current.Store(gen)
	return nil
}

// reload reads the config again. Anything wrong keeps the running
// generation: a typo in feeds.yaml must not stop a daemon that works.
func (d *daemon) reload(path, addr string) {
	old := d.current.Load()
	cfg, err := config.Load(path)
	if err != nil {
		d.log.Error("reload: config refused; the previous one keeps running", "config", path, "error", err)
		return
	}
	if cfg.Store != old.cfg.Store {
		d.log.Error("reload: config refused: the store path changed, which needs a restart; the previous config keeps running",
			"config", path, "store", old.cfg.Store, "new_store", cfg.Store)
		return
	}
	if cfg.Listen != old.cfg.Listen {
		d.log.Warn("reload: listen changed; it takes effect at the next restart", "listen", addr, "new_listen", cfg.Listen)
	}
	gen, err := d.generation(cfg)
	if err != nil {
		d.log.Error("reload: config refused; the previous one keeps running", "config", path, "error", err)
		return
	}
	if err := d.sched.Reload(cfg); err != nil {
		d.log.Error("reload: config refused; the previous one keeps running", "config", path, "error", err)
		return
	}
	if err := d.install(gen); err != nil {
		// The scheduler already runs the new sources; their entries are
		// served by the old page until a good reload.
		d.log.Error("reload: web page kept from the previous config", "config", path, "error", err)
		return
	}
	d.log.Info("reloaded", "config", path, "sources", len(cfg.Sources))
}

// ServeHTTP serves from the current generation.
func (d *daemon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.current.Load().handler.ServeHTTP(w, r)
}

// The schedule.Jobs the scheduler runs, each on the current generation.

func (d *daemon) Refresh(ctx context.Context, src config.Source) pipeline.Result {
	res := d.current.Load().runner.Refresh(ctx, src)
	d.metrics.ObserveFetch(res)
	return res
}

func (d *daemon) State(ctx context.Context, name string) (store.SourceState, error) {
	return d.store.SourceState(ctx, name)
}

func (d *daemon) LastDigest(ctx context.Context) (time.Time, error) {
	return d.current.Load().runner.LastDigest(ctx)
}

func (d *daemon) AfterFetch(ctx context.Context) error {
	gen := d.current.Load()
	if err := gen.runner.WriteFeed(ctx, pipeline.FeedPath(gen.cfg)); err != nil {
		return err
	}
	_, err := gen.runner.PublishParts(ctx)
	return err
}

// Digest delivers over SMTP when mail: is configured, else writes files, as
// run does.
func (d *daemon) Digest(ctx context.Context) error {
	gen := d.current.Load()
	opts := pipeline.DigestOptions{Dir: filepath.Join(gen.cfg.Output, "digests"), Send: gen.runner.Sender != nil}
	res, err := gen.runner.Digest(ctx, opts)
	action := ""
	if res != nil {
		action = string(res.Action)
	}
	var be *store.BusyError
	if errors.As(err, &be) {
		// Another process (a manual digest) is delivering: not interrupted.
		d.metrics.ObserveDigest(action, nil)
		d.log.Info("digest", "action", action, "reason", be.Error())
		return nil
	}
	d.metrics.ObserveDigest(action, err)
	if err != nil || res.Action == pipeline.DigestSent {
		return err // the scheduler logs the error; pipeline logged the send
	}
	attrs := []any{"action", action}
	if res.Digest != nil {
		attrs = append(attrs, "digest", res.Digest.ID, "message_id", res.Digest.MessageID, "entries", len(res.Digest.EntryIDs))
	}
	d.log.Info("digest", attrs...)
	return nil
}
