// Package server serves a corpusgen corpus over HTTP the way a well-behaved
// feed host does: strong ETags, Last-Modified, 304 answers to conditional
// GETs, optional gzip and latency. It counts what it answered and which
// conditional headers it received (GET /stats, POST /reset), and changes a
// given fraction of the sources on request (POST /churn?fraction=0.1&n=1000),
// deterministically: the k-th churn picks the same sources for the same seed.
package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netdigest/netdigest/bench/corpusgen"
)

// Epoch is the Last-Modified of every source before its first change; each
// change moves it one hour later.
var Epoch = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// Options tune a Server.
type Options struct {
	Gzip    bool          // gzip bodies for clients that accept it
	Latency time.Duration // added before every answer
}

// Stats are the server's counters since the last reset.
type Stats struct {
	Requests        int64 `json:"requests"`
	OK              int64 `json:"ok"`           // 200
	NotModified     int64 `json:"not_modified"` // 304
	Errors          int64 `json:"errors"`       // 4xx and 5xx
	IfNoneMatch     int64 `json:"if_none_match"`
	IfModifiedSince int64 `json:"if_modified_since"`
	Gzipped         int64 `json:"gzipped"`
	BodyBytes       int64 `json:"body_bytes"`
}

// ChurnResult says what one churn changed.
type ChurnResult struct {
	Churn   int      `json:"churn"` // how many churns so far, this one included
	Changed []string `json:"changed"`
}

// Server serves one corpus directory. It is safe for concurrent use.
type Server struct {
	dir    string
	opts   Options
	seed   uint64
	byFile map[string]int // file name -> source index
	srcs   []corpusgen.Source

	mu     sync.Mutex
	gen    []int // per source: how many times it changed
	churns int
	gz     map[string][]byte // file@gen -> gzipped body

	requests, ok, notModified, errors, ifNoneMatch, ifModifiedSince, gzipped, bodyBytes atomic.Int64
}

// New serves the corpus in dir.
func New(dir string, opts Options) (*Server, error) {
	m, err := corpusgen.LoadManifest(dir)
	if err != nil {
		return nil, err
	}
	s := &Server{
		dir: dir, opts: opts, seed: m.Seed, srcs: m.Sources,
		byFile: make(map[string]int, len(m.Sources)),
		gen:    make([]int, len(m.Sources)),
		gz:     map[string][]byte{},
	}
	for i, src := range m.Sources {
		s.byFile[src.File] = i
	}
	return s, nil
}

// Handler serves /f/<file>, /stats, /reset and /churn.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /f/{file}", s.serveSource)
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, s.Stats())
	})
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		writeJSON(w, s.Stats())
	})
	mux.HandleFunc("POST /churn", func(w http.ResponseWriter, r *http.Request) {
		frac, err := strconv.ParseFloat(r.URL.Query().Get("fraction"), 64)
		if err != nil || frac < 0 || frac > 1 {
			http.Error(w, "fraction: want a number in [0, 1]", http.StatusBadRequest)
			return
		}
		n := len(s.srcs)
		if v := r.URL.Query().Get("n"); v != "" {
			if n, err = strconv.Atoi(v); err != nil || n <= 0 || n > len(s.srcs) {
				http.Error(w, fmt.Sprintf("n: want 1..%d", len(s.srcs)), http.StatusBadRequest)
				return
			}
		}
		writeJSON(w, s.Churn(frac, n))
	})
	return mux
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	return Stats{
		Requests: s.requests.Load(), OK: s.ok.Load(), NotModified: s.notModified.Load(),
		Errors: s.errors.Load(), IfNoneMatch: s.ifNoneMatch.Load(), IfModifiedSince: s.ifModifiedSince.Load(),
		Gzipped: s.gzipped.Load(), BodyBytes: s.bodyBytes.Load(),
	}
}

// Reset zeroes the counters (not the sources' changes).
func (s *Server) Reset() {
	for _, c := range []*atomic.Int64{&s.requests, &s.ok, &s.notModified, &s.errors,
		&s.ifNoneMatch, &s.ifModifiedSince, &s.gzipped, &s.bodyBytes} {
		c.Store(0)
	}
}

// Churn changes round(fraction·n) of the first n sources: the first item's
// title of each gets a revision mark, so its bytes, ETag and Last-Modified
// change. Which sources is decided by the seed and the churn's number.
func (s *Server) Churn(fraction float64, n int) ChurnResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.churns++
	k := int(math.Round(fraction * float64(n)))
	perm := rand.New(rand.NewPCG(s.seed, 1<<32+uint64(s.churns))).Perm(n)[:k]
	res := ChurnResult{Churn: s.churns, Changed: make([]string, 0, k)}
	for _, i := range perm {
		s.gen[i]++
		res.Changed = append(res.Changed, s.srcs[i].Name)
	}
	return res
}

// representation is what a source currently serves.
type representation struct {
	body         []byte
	etag         string
	lastModified time.Time
	gzipped      bool
}

func (s *Server) current(i int, gz bool) (representation, error) {
	src := s.srcs[i]
	s.mu.Lock()
	gen := s.gen[i]
	s.mu.Unlock()
	rep := representation{
		etag:         fmt.Sprintf(`"%s-%d"`, src.SHA256[:16], gen),
		lastModified: Epoch.Add(time.Duration(gen) * time.Hour),
	}
	key := fmt.Sprintf("%s@%d", src.File, gen)
	if gz {
		rep.etag = rep.etag[:len(rep.etag)-1] + `-gz"`
		rep.gzipped = true
		s.mu.Lock()
		b, ok := s.gz[key]
		s.mu.Unlock()
		if ok {
			rep.body = b
			return rep, nil
		}
	}
	body, err := os.ReadFile(filepath.Join(s.dir, src.File))
	if err != nil {
		return rep, err
	}
	if gen > 0 {
		body = Changed(body, src.ChurnAnchor, gen)
	}
	if gz {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(body)
		zw.Close()
		body = b.Bytes()
		s.mu.Lock()
		s.gz[key] = body
		s.mu.Unlock()
	}
	rep.body = body
	return rep, nil
}

// Changed is body after gen changes: the anchor gets a revision mark. A
// source without an anchor gets a trailing comment (XML, HTML) or blank.
func Changed(body []byte, anchor string, gen int) []byte {
	if anchor != "" && bytes.Contains(body, []byte(anchor)) {
		marked := strings.TrimSuffix(anchor, "] ") + fmt.Sprintf(" r%d] ", gen)
		return bytes.Replace(body, []byte(anchor), []byte(marked), 1)
	}
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return append(bytes.Clone(body), bytes.Repeat([]byte("\n"), gen)...)
	}
	return append(bytes.Clone(body), fmt.Sprintf("\n<!-- r%d -->\n", gen)...)
}

func (s *Server) serveSource(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if s.opts.Latency > 0 {
		if err := sleep(r.Context(), s.opts.Latency); err != nil {
			return
		}
	}
	i, ok := s.byFile[r.PathValue("file")]
	if !ok {
		s.errors.Add(1)
		http.NotFound(w, r)
		return
	}
	gz := s.opts.Gzip && acceptsGzip(r.Header.Get("Accept-Encoding"))
	rep, err := s.current(i, gz)
	if err != nil {
		s.errors.Add(1)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("ETag", rep.etag)
	h.Set("Last-Modified", rep.lastModified.Format(http.TimeFormat))
	h.Set("Vary", "Accept-Encoding")

	inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
	if inm != "" {
		s.ifNoneMatch.Add(1)
	}
	if ims != "" {
		s.ifModifiedSince.Add(1)
	}
	// RFC 9110 13.2.2: If-None-Match decides alone when present.
	notModified := false
	if inm != "" {
		notModified = etagMatch(inm, rep.etag)
	} else if ims != "" {
		if t, err := http.ParseTime(ims); err == nil && !rep.lastModified.After(t) {
			notModified = true
		}
	}
	if notModified {
		s.notModified.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", s.srcs[i].ContentType)
	if rep.gzipped {
		h.Set("Content-Encoding", "gzip")
		s.gzipped.Add(1)
	}
	h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	s.ok.Add(1)
	s.bodyBytes.Add(int64(len(rep.body)))
	w.Write(rep.body)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// etagMatch is the weak comparison If-None-Match uses (RFC 9110 13.1.2).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

func acceptsGzip(ae string) bool {
	for _, part := range strings.Split(ae, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
				return false
			}
		}
		return true
	}
	return false
}
