package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// newTestClient is New allowed into private networks: the tests' servers
// listen on 127.0.0.1.
func newTestClient(opts Options) *Client {
	opts.AllowPrivateNetworks = true
	return New(opts)
}

func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestConditionalGet(t *testing.T) {
	const (
		etag = `"v1"`
		lm   = "Fri, 01 Mar 2024 10:00:00 GMT"
		body = "<rss/>"
	)
	tests := []struct {
		name string
		// notModified writes the 304; it may or may not repeat the validators.
		notModified func(w http.ResponseWriter)
	}{
		{"304 repeats validators", func(w http.ResponseWriter) {
			w.Header().Set("ETag", etag)
			w.Header().Set("Last-Modified", lm)
			w.WriteHeader(http.StatusNotModified)
		}},
		{"304 omits validators", func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusNotModified)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotINM, gotIMS []string
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				gotINM = r.Header.Values("If-None-Match")
				gotIMS = r.Header.Values("If-Modified-Since")
				if r.Header.Get("If-None-Match") == etag && r.Header.Get("If-Modified-Since") == lm {
					tt.notModified(w)
					return
				}
				w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
				w.Header().Set("ETag", etag)
				w.Header().Set("Last-Modified", lm)
				io.WriteString(w, body)
			})
			c := newTestClient(Options{})
			first, err := c.Get(t.Context(), Request{URL: srv.URL + "/feed"})
			if err != nil {
				t.Fatal(err)
			}
			want := &Response{
				URL: srv.URL + "/feed", StatusCode: 200, ContentType: "application/rss+xml; charset=utf-8",
				Body: []byte(body), ETag: etag, LastModified: lm,
			}
			if !reflect.DeepEqual(first, want) {
				t.Fatalf("first fetch = %+v, want %+v", first, want)
			}

			second, err := c.Get(t.Context(), Request{URL: first.URL, ETag: first.ETag, LastModified: first.LastModified})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotINM, []string{etag}) || !reflect.DeepEqual(gotIMS, []string{lm}) {
				t.Errorf("second fetch sent If-None-Match %q, If-Modified-Since %q", gotINM, gotIMS)
			}
			want = &Response{URL: srv.URL + "/feed", StatusCode: 304, ETag: etag, LastModified: lm, NotModified: true}
			if !reflect.DeepEqual(second, want) {
				t.Errorf("second fetch = %+v, want %+v", second, want)
			}
		})
	}
}

func TestValidatorsSentOnlyWhenPresent(t *testing.T) {
	tests := []struct {
		name     string
		req      Request
		wantINM  []string
		wantIMS  []string
		wantBody bool
	}{
		{"none", Request{}, nil, nil, true},
		{"etag only", Request{ETag: `W/"abc"`}, []string{`W/"abc"`}, nil, false},
		{"last-modified only", Request{LastModified: "Sat, 02 Mar 2024 08:00:00 GMT"}, nil, []string{"Sat, 02 Mar 2024 08:00:00 GMT"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotINM, gotIMS []string
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				gotINM = r.Header.Values("If-None-Match")
				gotIMS = r.Header.Values("If-Modified-Since")
				if gotINM != nil || gotIMS != nil {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				io.WriteString(w, "body")
			})
			tt.req.URL = srv.URL
			resp, err := newTestClient(Options{}).Get(t.Context(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotINM, tt.wantINM) || !reflect.DeepEqual(gotIMS, tt.wantIMS) {
				t.Errorf("sent If-None-Match %q, If-Modified-Since %q; want %q, %q", gotINM, gotIMS, tt.wantINM, tt.wantIMS)
			}
			if resp.NotModified == tt.wantBody {
				t.Errorf("NotModified = %v, want %v", resp.NotModified, !tt.wantBody)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		status int
		header string // Retry-After; "" sends none
		want   time.Time
	}{
		{"429 seconds", 429, "120", now.Add(120 * time.Second)},
		{"503 seconds", 503, "0", now},
		{"429 http-date", 429, "Fri, 01 Mar 2024 13:30:00 GMT", time.Date(2024, 3, 1, 13, 30, 0, 0, time.UTC)},
		{"503 http-date", 503, "Sat, 02 Mar 2024 00:00:00 GMT", time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)},
		{"429 absent", 429, "", time.Time{}},
		{"503 unparseable", 503, "soon", time.Time{}},
		{"429 negative", 429, "-5", time.Time{}},
		{"429 overflowing", 429, "99999999999999999", time.Time{}},
		{"500 ignores Retry-After", 500, "60", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				w.WriteHeader(tt.status)
			})
			c := newTestClient(Options{Now: func() time.Time { return now }})
			_, err := c.Get(t.Context(), Request{URL: srv.URL})
			var serr *StatusError
			if !errors.As(err, &serr) {
				t.Fatalf("err = %v, want *StatusError", err)
			}
			if serr.StatusCode != tt.status {
				t.Errorf("StatusCode = %d, want %d", serr.StatusCode, tt.status)
			}
			if !serr.RetryAfter.Equal(tt.want) {
				t.Errorf("RetryAfter = %v, want %v", serr.RetryAfter, tt.want)
			}
		})
	}

	t.Run("message names the time", func(t *testing.T) {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusTooManyRequests)
		})
		c := newTestClient(Options{Now: func() time.Time { return now }})
		_, err := c.Get(t.Context(), Request{URL: srv.URL + "/feed"})
		want := "GET " + srv.URL + "/feed: HTTP 429 Too Many Requests, retry after 2024-03-01T12:01:00Z"
		if err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
	})
}

func TestStatusErrors(t *testing.T) {
	tests := []struct {
		status   int
		wantGone bool
		wantMsg  string // after "GET <url>: "
	}{
		{410, true, "HTTP 410 Gone"},
		{500, false, "HTTP 500 Internal Server Error"},
		{404, false, "HTTP 404 Not Found"},
		{599, false, "HTTP 599"},
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.status), func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, "error page")
			})
			resp, err := newTestClient(Options{}).Get(t.Context(), Request{URL: srv.URL + "/feed"})
			if resp != nil {
				t.Errorf("resp = %+v, want nil", resp)
			}
			var serr *StatusError
			if !errors.As(err, &serr) || serr.StatusCode != tt.status {
				t.Fatalf("err = %#v, want *StatusError %d", err, tt.status)
			}
			if got := errors.Is(err, ErrGone); got != tt.wantGone {
				t.Errorf("errors.Is(err, ErrGone) = %v, want %v", got, tt.wantGone)
			}
			if want := "GET " + srv.URL + "/feed: " + tt.wantMsg; err.Error() != want {
				t.Errorf("err = %q, want %q", err, want)
			}
		})
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBodyCap(t *testing.T) {
	const limit = 1024
	atLimit := bytes.Repeat([]byte("a"), limit)
	overLimit := bytes.Repeat([]byte("a"), limit+1)
	// Compresses to far less than the limit but decodes to 64 times it.
	bomb := gzipped(t, bytes.Repeat([]byte{0}, 64*limit))
	if len(bomb) >= limit {
		t.Fatalf("gzip fixture is %d bytes, want under %d", len(bomb), limit)
	}

	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    []byte // nil: want ErrTooLarge
	}{
		{"at limit", func(w http.ResponseWriter, r *http.Request) { w.Write(atLimit) }, atLimit},
		{"over limit with Content-Length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(len(overLimit)))
			w.Write(overLimit)
		}, nil},
		{"over limit chunked", func(w http.ResponseWriter, r *http.Request) {
			// Flushing before the end forces chunked encoding: no Content-Length.
			w.Write(overLimit[:10])
			w.(http.Flusher).Flush()
			w.Write(overLimit[10:])
		}, nil},
		{"gzip decoding over limit", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("Content-Length", strconv.Itoa(len(bomb)))
			w.Write(bomb)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.handler)
			resp, err := newTestClient(Options{MaxBodyBytes: limit}).Get(t.Context(), Request{URL: srv.URL})
			if tt.want == nil {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("err = %v, want ErrTooLarge", err)
				}
				if !strings.HasPrefix(err.Error(), "GET "+srv.URL+": ") {
					t.Errorf("err = %q, want it to name the URL", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(resp.Body, tt.want) {
				t.Errorf("body is %d bytes, want %d", len(resp.Body), len(tt.want))
			}
		})
	}
}

// countingBody is a body far larger than any limit in the tests that
// counts how much of it was read.
type countingBody struct{ n, size int64 }

func (b *countingBody) Read(p []byte) (int, error) {
	if b.n >= b.size {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), b.size-b.n)]
	for i := range p {
		p[i] = 'x'
	}
	b.n += int64(len(p))
	return len(p), nil
}

func (b *countingBody) Close() error { return nil }

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestBodyCapReadsAtMostLimitPlusOne(t *testing.T) {
	const limit = 1000
	body := &countingBody{size: 1000 * limit}
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: body, ContentLength: -1, Request: r}, nil
	})
	_, err := newTestClient(Options{MaxBodyBytes: limit, Transport: rt}).Get(t.Context(), Request{URL: "http://feeds.test/x"})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if n := body.n; n != limit+1 {
		t.Errorf("read %d bytes of the body, want %d", n, limit+1)
	}
}

func TestGzipDecoded(t *testing.T) {
	plain := []byte(strings.Repeat("<item><title>netdev</title></item>\n", 200))
	var gotAE string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		gotAE = r.Header.Get("Accept-Encoding")
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzipped(t, plain))
	})
	resp, err := newTestClient(Options{}).Get(t.Context(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(gotAE, "gzip") {
		t.Errorf("Accept-Encoding = %q, want gzip", gotAE)
	}
	if !bytes.Equal(resp.Body, plain) {
		t.Errorf("body = %.40q…, want the decoded feed", resp.Body)
	}
	if resp.ContentType != "application/xml" {
		t.Errorf("ContentType = %q", resp.ContentType)
	}
}

// redirectChain serves /hop/i for i < len(codes) as a redirect with codes[i]
// to /hop/i+1, and the last hop as a 200.
func redirectChain(t *testing.T, codes []int) *httptest.Server {
	t.Helper()
	return newServer(t, func(w http.ResponseWriter, r *http.Request) {
		i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if i < len(codes) {
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", i+1), codes[i])
			return
		}
		io.WriteString(w, "final")
	})
}

func TestRedirectLimit(t *testing.T) {
	t.Run("5 redirects followed", func(t *testing.T) {
		srv := redirectChain(t, []int{302, 302, 302, 302, 302})
		resp, err := newTestClient(Options{}).Get(t.Context(), Request{URL: srv.URL + "/hop/0"})
		if err != nil {
			t.Fatal(err)
		}
		if resp.URL != srv.URL+"/hop/5" || string(resp.Body) != "final" {
			t.Errorf("resp URL %q body %q", resp.URL, resp.Body)
		}
	})
	t.Run("6 redirects refused", func(t *testing.T) {
		srv := redirectChain(t, []int{302, 302, 302, 302, 302, 302})
		_, err := newTestClient(Options{}).Get(t.Context(), Request{URL: srv.URL + "/hop/0"})
		if err == nil || !strings.Contains(err.Error(), "stopped after 5 redirects") {
			t.Errorf("err = %v, want one naming the limit of 5", err)
		}
	})
	t.Run("loop", func(t *testing.T) {
		var hits atomic.Int32
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			http.Redirect(w, r, "/loop", http.StatusMovedPermanently)
		})
		_, err := newTestClient(Options{}).Get(t.Context(), Request{URL: srv.URL + "/loop"})
		want := "GET " + srv.URL + "/loop: stopped after 5 redirects"
		if err == nil || err.Error() != want {
			t.Errorf("err = %v, want %q", err, want)
		}
		if n := hits.Load(); n != 6 {
			t.Errorf("server saw %d requests, want 6 (the first and 5 redirects)", n)
		}
	})
}

func TestPermanentURL(t *testing.T) {
	tests := []struct {
		name      string
		codes     []int
		permanent bool
	}{
		{"no redirect", nil, false},
		{"301", []int{301}, true},
		{"301 301", []int{301, 301}, true},
		{"308 301", []int{308, 301}, true},
		{"301 302", []int{301, 302}, false},
		{"307 301", []int{307, 301}, false},
		{"301 303", []int{301, 303}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := redirectChain(t, tt.codes)
			resp, err := newTestClient(Options{}).Get(t.Context(), Request{URL: srv.URL + "/hop/0"})
			if err != nil {
				t.Fatal(err)
			}
			final := fmt.Sprintf("%s/hop/%d", srv.URL, len(tt.codes))
			if resp.URL != final {
				t.Errorf("URL = %q, want %q", resp.URL, final)
			}
			want := ""
			if tt.permanent {
				want = final
			}
			if resp.PermanentURL != want {
				t.Errorf("PermanentURL = %q, want %q", resp.PermanentURL, want)
			}
		})
	}
}

func TestRedirectToOtherSchemeRefused(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("local data"), 0o600); err != nil {
		t.Fatal(err)
	}
	fileURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(secret)}).String()
	for _, target := range []string{"ftp://127.0.0.1/feed.xml", fileURL} {
		t.Run(target, func(t *testing.T) {
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target, http.StatusFound)
			})
			resp, err := newTestClient(Options{}).Get(t.Context(), Request{URL: srv.URL})
			if resp != nil {
				t.Errorf("resp = %+v, want nil", resp)
			}
			want := "GET " + srv.URL + ": redirect to " + target + " refused"
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("err = %v, want prefix %q", err, want)
			}
		})
	}
}

func TestUserAgent(t *testing.T) {
	tests := []struct{ opt, want string }{
		{"", "netdigest/dev"},
		{"netdigest/1.2.0 (+https://example.org/netdigest)", "netdigest/1.2.0 (+https://example.org/netdigest)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			var got []string
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Values("User-Agent")
			})
			if _, err := newTestClient(Options{UserAgent: tt.opt}).Get(t.Context(), Request{URL: srv.URL}); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, []string{tt.want}) {
				t.Errorf("User-Agent = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPerHostLimit(t *testing.T) {
	const requests = 10
	var inFlight, maxInFlight atomic.Int32
	entered := make(chan struct{})
	release := make(chan struct{})
	busy := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		entered <- struct{}{}
		<-release
		inFlight.Add(-1)
		io.WriteString(w, "ok")
	})
	other := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "other")
	})

	c := newTestClient(Options{})
	errs := make(chan error, requests)
	var wg sync.WaitGroup
	for range requests {
		wg.Go(func() {
			_, err := c.Get(t.Context(), Request{URL: busy.URL})
			errs <- err
		})
	}

	<-entered
	<-entered
	// Both slots of the busy host are held; the other host (another port)
	// must still be served. The deadline only turns a hang into a failure.
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	resp, err := c.Get(ctx, Request{URL: other.URL})
	cancel()
	if err != nil {
		t.Errorf("other host while busy host is full: %v", err)
	} else if string(resp.Body) != "other" {
		t.Errorf("other host body = %q", resp.Body)
	}

	// Free one slot at a time: each release lets exactly one queued request in.
	for i := range requests {
		release <- struct{}{}
		if i < requests-2 {
			<-entered
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if m := maxInFlight.Load(); m != 2 {
		t.Errorf("busy host saw at most %d requests in flight, want 2", m)
	}
}

func TestHostKey(t *testing.T) {
	tests := []struct{ a, b string }{
		{"http://Example.org/feed", "http://example.org:80/other"},
		{"https://example.org/", "https://example.org:443/"},
	}
	for _, tt := range tests {
		a, _ := url.Parse(tt.a)
		b, _ := url.Parse(tt.b)
		if hostKey(a) != hostKey(b) {
			t.Errorf("hostKey(%s) = %q, hostKey(%s) = %q; want equal", tt.a, hostKey(a), tt.b, hostKey(b))
		}
	}
	a, _ := url.Parse("http://example.org/")
	b, _ := url.Parse("https://example.org/")
	if hostKey(a) == hostKey(b) {
		t.Errorf("http and https share key %q", hostKey(a))
	}
}

func TestCancel(t *testing.T) {
	t.Run("hanging response", func(t *testing.T) {
		entered := make(chan struct{})
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-r.Context().Done()
		})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() {
			_, err := newTestClient(Options{}).Get(ctx, Request{URL: srv.URL})
			done <- err
		}()
		<-entered
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})

	t.Run("hanging body", func(t *testing.T) {
		entered := make(chan struct{})
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<rss>")
			w.(http.Flusher).Flush()
			close(entered)
			<-r.Context().Done()
		})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() {
			_, err := newTestClient(Options{}).Get(ctx, Request{URL: srv.URL})
			done <- err
		}()
		<-entered
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})

	t.Run("waiting for a slot", func(t *testing.T) {
		entered := make(chan struct{})
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-r.Context().Done()
		})
		c := newTestClient(Options{PerHost: 1})
		holder, stopHolder := context.WithCancel(t.Context())
		defer stopHolder()
		go c.Get(holder, Request{URL: srv.URL})
		<-entered

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() {
			_, err := c.Get(ctx, Request{URL: srv.URL})
			done <- err
		}()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	})

	t.Run("timeout covers the body", func(t *testing.T) {
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, "<rss>")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		})
		// The body never ends, so the request can only end by the timeout.
		_, err := newTestClient(Options{Timeout: 50 * time.Millisecond}).Get(t.Context(), Request{URL: srv.URL})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feed.xml")
	mtime := time.Date(2024, 3, 1, 10, 0, 0, 123456789, time.UTC)
	write := func(body string, mtime time.Time) {
		t.Helper()
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	write("<feed/>", mtime)
	u := (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
	c := newTestClient(Options{})

	first, err := c.Get(t.Context(), Request{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	want := &Response{
		URL: u, StatusCode: 200, Body: []byte("<feed/>"),
		ETag:         fmt.Sprintf(`W/"7-%x"`, mtime.UnixNano()),
		LastModified: "Fri, 01 Mar 2024 10:00:00 GMT",
	}
	if !reflect.DeepEqual(first, want) {
		t.Fatalf("first = %+v, want %+v", first, want)
	}

	notModified := &Response{URL: u, StatusCode: 304, ETag: want.ETag, LastModified: want.LastModified, NotModified: true}
	for _, req := range []Request{
		{URL: u, ETag: first.ETag, LastModified: first.LastModified},
		{URL: u, ETag: first.ETag},
		{URL: u, LastModified: first.LastModified},
	} {
		got, err := c.Get(t.Context(), req)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, notModified) {
			t.Errorf("Get(%+v) = %+v, want not modified", req, got)
		}
	}

	// Same second, new size: Last-Modified alone cannot tell, the ETag can.
	write("<feed>changed</feed>", mtime.Add(time.Millisecond))
	got, err := c.Get(t.Context(), Request{URL: u, ETag: first.ETag, LastModified: first.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if got.NotModified || string(got.Body) != "<feed>changed</feed>" || got.ETag == first.ETag {
		t.Errorf("after change: %+v", got)
	}

	t.Run("missing", func(t *testing.T) {
		missing := filepath.Join(dir, "missing.xml")
		_, err := c.Get(t.Context(), Request{URL: "file://" + filepath.ToSlash(missing)})
		if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
			t.Errorf("err = %v, want not-exist naming %s", err, missing)
		}
	})
	t.Run("over limit", func(t *testing.T) {
		_, err := newTestClient(Options{MaxBodyBytes: 5}).Get(t.Context(), Request{URL: u})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("err = %v, want ErrTooLarge", err)
		}
	})
	t.Run("remote host", func(t *testing.T) {
		_, err := c.Get(t.Context(), Request{URL: "file://example.org" + filepath.ToSlash(path)})
		if err == nil {
			t.Error("file URL with a remote host was read")
		}
	})
}

func TestUnsupportedScheme(t *testing.T) {
	_, err := newTestClient(Options{}).Get(t.Context(), Request{URL: "ftp://example.org/feed"})
	if err == nil || !strings.Contains(err.Error(), `unsupported URL scheme "ftp"`) {
		t.Errorf("err = %v", err)
	}
}
