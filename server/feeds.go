package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/render"
)

// feedFormat is one served form of the merged feed, with its cache: the
// bytes are rendered again only when the store changed or CacheTTL passed.
type feedFormat struct {
	name        string
	contentType string
	render      func(ctx context.Context) ([]byte, time.Time, error)

	mu       sync.Mutex // held while rendering, so a burst renders once
	key      storeKey
	rendered time.Time
	rep      *representation
}

// representation is a rendered feed in both encodings.
type representation struct {
	body, gz     []byte
	etag, gzETag string
	modified     time.Time // the feed's newest updated time
}

// storeKey changes whenever the store's entries may have: every write of
// entries (SaveFetch) also writes its source's state with a new LastFetch.
// The entry count catches writers that would not.
type storeKey struct {
	entries   int
	sources   int
	lastFetch time.Time
}

func (s *server) storeKey(ctx context.Context) (storeKey, error) {
	n, err := s.store.CountEntries(ctx)
	if err != nil {
		return storeKey{}, err
	}
	states, err := s.store.Sources(ctx)
	if err != nil {
		return storeKey{}, err
	}
	k := storeKey{entries: n, sources: len(states)}
	for _, st := range states {
		for _, t := range []time.Time{st.LastFetch, st.LastSuccess} {
			if t.After(k.lastFetch) {
				k.lastFetch = t
			}
		}
	}
	return k, nil
}

// get returns the cached representation, rendering it first when the store
// changed or it is older than ttl.
func (f *feedFormat) get(ctx context.Context, key storeKey, now time.Time, ttl time.Duration) (*representation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.rep != nil && f.key == key && now.Sub(f.rendered) < ttl && !now.Before(f.rendered) {
		return f.rep, nil
	}
	body, modified, err := f.render(ctx)
	if err != nil {
		return nil, err
	}
	gz, err := gzipBytes(body)
	if err != nil {
		return nil, fmt.Errorf("feed %s: gzip: %w", f.name, err)
	}
	f.rep = &representation{
		body: body, gz: gz,
		etag: strongETag(body, ""), gzETag: strongETag(body, "-gz"),
		modified: modified,
	}
	f.key, f.rendered = key, now
	return f.rep, nil
}

func (s *server) feedHandler(f *feedFormat) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, err := s.storeKey(r.Context())
		if err != nil {
			s.unavailable(w, r, err)
			return
		}
		s.serveFeed(w, r, f, key)
	}
}

// serveFeed answers a request for f, the merged feed or a part's, as of the
// store's key.
func (s *server) serveFeed(w http.ResponseWriter, r *http.Request, f *feedFormat, key storeKey) {
	rep, err := f.get(r.Context(), key, s.now(), s.cacheTTL)
	if err != nil {
		if errors.Is(err, errRender) || errors.Is(err, pipeline.ErrRender) || errors.Is(err, render.ErrNoID) || errors.Is(err, render.ErrNoDate) {
			s.internalError(w, r, err)
		} else {
			s.unavailable(w, r, err)
		}
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Add("Vary", "Accept-Encoding")
	// Readers poll: let every poll revalidate, which costs a 304.
	h.Set("Cache-Control", "no-cache")
	body, etag := rep.body, rep.etag
	if acceptsGzip(r.Header.Values("Accept-Encoding")) {
		body, etag = rep.gz, rep.gzETag
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	// ServeContent answers If-None-Match / If-Modified-Since with 304,
	// ranges with 206, and HEAD without a body.
	http.ServeContent(w, r, "", rep.modified, bytes.NewReader(body))
}

// errRender marks a failure to render entries the store did give.
var errRender = errors.New("render")

func (s *server) renderAtom(ctx context.Context) ([]byte, time.Time, error) {
	body, err := s.runner.RenderFeed(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	updated, err := atomUpdated(body)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: atom feed: %w", errRender, err)
	}
	return body, updated, nil
}

// atomUpdated reads the feed-level <updated>, the newest entry's update
// (render.Atom writes it before the entries, so few tokens are read).
func atomUpdated(doc []byte) (time.Time, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return time.Time{}, errors.New("no feed <updated>")
		}
		if err != nil {
			return time.Time{}, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && t.Name.Local == "updated" {
				var v string
				if err := d.DecodeElement(&v, &t); err != nil {
					return time.Time{}, err
				}
				return time.Parse(time.RFC3339, strings.TrimSpace(v))
			}
		case xml.EndElement:
			depth--
		}
	}
}

func (s *server) renderJSON(ctx context.Context) ([]byte, time.Time, error) {
	return s.renderWith(ctx, "feed.json", render.JSONFeed)
}

func (s *server) renderRSS(ctx context.Context) ([]byte, time.Time, error) {
	return s.renderWith(ctx, "feed.rss", render.RSS)
}

// renderWith renders the entries RenderFeed would put in the Atom feed in
// another format, served at file under the public link.
func (s *server) renderWith(ctx context.Context, file string, fn func(render.FeedInfo, []entry.Entry) ([]byte, error)) ([]byte, time.Time, error) {
	entries, err := s.store.Latest(ctx, s.maxEntries())
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("feed %s: %w", file, err)
	}
	states, err := s.store.Sources(ctx)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("feed %s: %w", file, err)
	}
	info := s.runner.FeedInfo(nil, file, states)
	body, err := fn(info, entries)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: %s: %w", errRender, file, err)
	}
	return body, pipeline.NewestUpdate(entries, info.Updated), nil
}

// acceptsGzip reports whether Accept-Encoding values allow gzip: listed
// (or "*") with a non-zero q.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			name = strings.TrimSpace(name)
			if !strings.EqualFold(name, "gzip") && !strings.EqualFold(name, "x-gzip") && name != "*" {
				continue
			}
			if q, ok := qValue(params); ok && q == 0 {
				continue
			}
			return true
		}
	}
	return false
}

// qValue reads q= from ";"-separated parameters.
func qValue(params string) (float64, bool) {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0, true // malformed: not acceptable
			}
			return q, true
		}
	}
	return 1, false
}

// gzipBytes compresses b deterministically (no name, no time in the
// header), so the gzip ETag names one exact byte sequence.
func gzipBytes(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
