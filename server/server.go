// Package server is the daemon's HTTP side: the merged feed as Atom, JSON
// Feed and RSS (validators, 304s, gzip), a web page of the latest entries with
// the sources' health and the digest archive, the archived digests as sent,
// a search of the stored entries, a liveness check and Prometheus metrics. Every endpoint is read-only: GET
// and HEAD only, nothing changes state.
package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/store"
	"github.com/netdigest/netdigest/templates"
)

// Schedule is what the page shows of the plan (schedule.Scheduler satisfies
// it). A zero time means "not planned".
type Schedule interface {
	Next(source string) time.Time
	NextDigest() time.Time
}

// DefaultCacheTTL is how long a rendered feed is served at most before it is
// rendered again, even when the store looks unchanged.
const DefaultCacheTTL = time.Minute

// storeTimeout bounds the store queries of /healthz and /metrics, so a
// wedged database answers 503 rather than hanging the prober.
const storeTimeout = 2 * time.Second

// Deps are what the handler serves from. Config and Runner (with its Store)
// are required; the others have defaults.
type Deps struct {
	Config *config.Config // nil: Runner.Config
	// Runner renders the Atom feed (RenderFeed); Runner.Store is read for
	// everything else.
	Runner   *pipeline.Runner
	Schedule Schedule // nil (one-shot use): the page shows "—" for planned times
	Metrics  *Metrics // nil: a fresh one, counting nothing
	// Templates holds page.html.tmpl, digests.html.tmpl, parts.html.tmpl
	// and site.html.tmpl: templates.FS (nil means that) or the config's
	// override directory, where a file that is absent falls back to the
	// embedded one.
	Templates fs.FS
	Now       func() time.Time // nil: time.Now
	Log       *slog.Logger     // nil: discarded
	// CacheTTL caps how long rendered feeds are reused (0: DefaultCacheTTL).
	// They are also rendered again as soon as the store changes.
	CacheTTL time.Duration
}

// Security headers. Every response forbids framing, sniffing, referrers and
// any subresource; HTML pages then allow exactly the styles they carry.
const (
	cspBase = "default-src 'none'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	// An archived digest is email HTML: inline style attributes throughout,
	// which only 'unsafe-inline' allows. sandbox still forbids scripts,
	// forms, plugins and same-origin access, and nothing else may load.
	cspDigest = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; " +
		"form-action 'none'; frame-ancestors 'none'; sandbox"
)

// digestID is what store digest ids look like ("20261123T203824Z" and any
// similar token): no slash, no leading dot, so nothing path-like gets to the
// store.
var digestID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

type server struct {
	cfg      *config.Config
	runner   *pipeline.Runner
	store    *store.Store
	sched    Schedule
	metrics  *Metrics
	now      func() time.Time
	log      *slog.Logger
	pages    *pages
	cacheTTL time.Duration
	atom     *feedFormat
	json     *feedFormat
	rss      *feedFormat
	// partCache: the topics and conferences, and their feeds' caches.
	partCache partCache
	// opml: /sources.opml, encoded once per config.
	opml *opmlFile
	// calendar: /talks.ics.
	calendar *feedFormat
}

// New builds the handler. It parses the page templates once (and executes
// them on sample data), so a broken template fails here with its file name
// and line rather than on the first request.
func New(d Deps) (http.Handler, error) {
	if d.Runner == nil || d.Runner.Store == nil {
		return nil, errors.New("server: a Runner with a Store is required")
	}
	s := &server{
		cfg:      d.Config,
		runner:   d.Runner,
		store:    d.Runner.Store,
		sched:    d.Schedule,
		metrics:  d.Metrics,
		now:      d.Now,
		log:      d.Log,
		cacheTTL: d.CacheTTL,
	}
	if s.cfg == nil {
		s.cfg = d.Runner.Config
	}
	if s.cfg == nil {
		return nil, errors.New("server: a Config is required")
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.cacheTTL <= 0 {
		s.cacheTTL = DefaultCacheTTL
	}
	tmpl := d.Templates
	if tmpl == nil {
		tmpl = templates.FS
	}
	var err error
	if s.pages, err = parsePages(tmpl); err != nil {
		return nil, err
	}
	// The content types are the formats' (pipeline.Formats), as for the parts' feeds.
	contentType := func(ext string) string { f, _ := pipeline.FormatByExt(ext); return f.ContentType }
	s.atom = &feedFormat{name: "atom", contentType: contentType("atom"), render: s.renderAtom}
	s.json = &feedFormat{name: "json", contentType: contentType("json"), render: s.renderJSON}
	s.rss = &feedFormat{name: "rss", contentType: contentType("rss"), render: s.renderRSS}
	if s.opml, err = newOPMLFile(s.cfg); err != nil {
		return nil, err
	}
	s.calendar = s.newCalendar()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.handlePage)
	mux.HandleFunc("GET /feed.atom", s.feedHandler(s.atom))
	mux.HandleFunc("GET /feed.json", s.feedHandler(s.json))
	mux.HandleFunc("GET /feed.rss", s.feedHandler(s.rss))
	mux.HandleFunc("GET /search", s.handleSearch)
	for _, kind := range pipeline.PartKinds() {
		mux.HandleFunc("GET /"+kind+"/{$}", s.partIndex(kind))
		mux.HandleFunc("GET /"+kind+"/{file}", s.partHandler(kind))
	}
	mux.HandleFunc("GET /sources.opml", s.handleOPML)
	mux.HandleFunc("GET /"+pipeline.CalendarFile, s.feedHandler(s.calendar))
	mux.HandleFunc("GET /digests/{$}", s.handleArchive)
	mux.HandleFunc("GET /digests/{id}", s.handleDigest)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /metrics", s.handleMetrics)
	return secure(mux), nil
}

// NewHTTPServer wraps h with timeouts on every phase of a request, so slow or
// idle clients cannot hold connections open, and a 64 KiB header cap.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// secure sets the headers every response carries and refuses every method
// but GET and HEAD, whatever the path.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", cspBase)
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed: this server is read-only", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// handleDigest serves an archived digest's HTML part exactly as it was sent.
func (s *server) handleDigest(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !digestID.MatchString(id) {
		http.NotFound(w, r)
		return
	}
	d, err := s.store.Digest(r.Context(), id)
	if errors.Is(err, store.ErrNoDigest) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	body, ctype := d.HTML, "text/html; charset=utf-8"
	if body == "" {
		body, ctype = d.Text, "text/plain; charset=utf-8"
	}
	if body == "" {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Security-Policy", cspDigest)
	// A digest never changes once prepared; revalidation is a 304.
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", strongETag([]byte(body), ""))
	http.ServeContent(w, r, "", d.Created, bytes.NewReader([]byte(body)))
}

// handleHealth answers 200 when the store answers a cheap query in time.
func (s *server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// A primary-key lookup: it touches the database without scanning it.
	// A name no source has gives a zero state and no error.
	if _, err := s.store.SourceState(ctx, ""); err != nil {
		s.log.Warn("health check failed", "path", r.URL.Path, "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "store unavailable")
		return
	}
	fmt.Fprintln(w, "ok")
}

// unavailable answers a request the store could not serve.
func (s *server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client went away; nobody to answer
	}
	s.log.Error("request failed", "path", r.URL.Path, "status", http.StatusServiceUnavailable, "error", err)
	http.Error(w, "service unavailable: the store did not answer", http.StatusServiceUnavailable)
}

// internalError answers a request that failed for another reason than the
// store (a template that fails on real data).
func (s *server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "path", r.URL.Path, "status", http.StatusInternalServerError, "error", err)
	http.Error(w, "internal server error", http.StatusInternalServerError)
}

// strongETag is a quoted hash of body, with suffix for another encoding of
// the same representation.
func strongETag(body []byte, suffix string) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + suffix + `"`
}
