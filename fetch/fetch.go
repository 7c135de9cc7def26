// Package fetch gets the bytes of a source over HTTP(S) or from a file:// URL,
// with one shared client: timeouts, a body cap, gzip, a redirect limit,
// conditional GET, Retry-After and at most PerHost requests in flight per host.
// It knows nothing of feeds, the store or the config.
package fetch

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// Options configure a Client. The zero value of each field picks a default.
type Options struct {
	UserAgent      string        // default "netdigest/dev"
	ConnectTimeout time.Duration // dial + TLS handshake, default 10s
	Timeout        time.Duration // whole request including body, default 60s
	MaxBodyBytes   int64         // default 10 MiB
	MaxRedirects   int           // default 5
	PerHost        int           // requests in flight per host, default 2
	Now            func() time.Time
	// Transport replaces the default transport (tests); nil for the default.
	Transport http.RoundTripper
}

// Request is one conditional GET; the validators come from the source's
// stored state and are sent only when non-empty.
type Request struct {
	URL          string
	ETag         string
	LastModified string
}

// Response is a successful fetch: either a body or NotModified.
type Response struct {
	URL          string // final URL after redirects
	StatusCode   int
	ContentType  string
	Body         []byte
	ETag         string
	LastModified string
	NotModified  bool
	// PermanentURL is set when every redirect followed was permanent
	// (301/308): the URL to fetch next time instead of Request.URL.
	PermanentURL string
}

// StatusError is an HTTP response that is neither success nor 304.
type StatusError struct {
	StatusCode int
	// RetryAfter is when the server allows the next try (429/503 with a
	// Retry-After header), zero when it did not say.
	RetryAfter time.Time
}

func (e *StatusError) Error() string {
	return "HTTP " + http.StatusText(e.StatusCode)
}

// Sentinel errors callers branch on.
var (
	ErrGone     = errors.New("gone (HTTP 410)")
	ErrTooLarge = errors.New("body exceeds size limit")
)

// Client is safe for concurrent use.
type Client struct {
	opts Options
}

// New returns a Client with opts' defaults filled in.
func New(opts Options) *Client {
	return &Client{opts: opts}
}

// Get fetches req.URL. A 304 is a Response with NotModified, not an error.
func (c *Client) Get(ctx context.Context, req Request) (*Response, error) {
	return nil, errors.New("fetch: not implemented")
}
