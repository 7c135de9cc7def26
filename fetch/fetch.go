// Package fetch gets the bytes of a source over HTTP(S) or from a file:// URL,
// with one shared client: timeouts, a body cap, gzip, a redirect limit,
// conditional GET, Retry-After and at most PerHost requests in flight per host.
// By default it refuses to connect to loopback, private, link-local and other
// non-public addresses (see Classify), unless the client or the request is
// allowed into private networks. It knows nothing of feeds, the store or the
// config.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/netdigest/netdigest/redact"
)

// Defaults for the zero fields of Options.
const (
	DefaultUserAgent      = "netdigest/dev"
	DefaultConnectTimeout = 10 * time.Second
	DefaultTimeout        = 60 * time.Second
	DefaultMaxBodyBytes   = 10 << 20
	DefaultMaxRedirects   = 5
	DefaultPerHost        = 2
)

// Options configure a Client. The zero value (or a negative value) of each
// field picks a default.
type Options struct {
	UserAgent string // default "netdigest/dev"
	// ConnectTimeout bounds the dial, the TLS handshake and the wait for the
	// response headers once the request is sent; default 10s.
	ConnectTimeout time.Duration
	Timeout        time.Duration // whole request including body, default 60s
	MaxBodyBytes   int64         // decoded body size cap, default 10 MiB
	MaxRedirects   int           // default 5
	PerHost        int           // requests in flight per host, default 2
	Now            func() time.Time
	// Transport replaces the default transport (tests); nil for the default.
	// A custom transport does its own dialling: no address is checked.
	Transport http.RoundTripper
	// AllowPrivateNetworks lets every request connect to any address;
	// Request.AllowPrivateNetworks does it for one request.
	AllowPrivateNetworks bool
	// Proxy chooses a request's proxy; nil for http.ProxyFromEnvironment.
	// A chosen proxy may be at any address (the operator configured it); a
	// request through it is checked only when its URL names an IP address,
	// since the proxy resolves names itself.
	Proxy func(*http.Request) (*url.URL, error)
	// Resolver resolves names for the dialer; nil for the system's (tests
	// point it at a fake DNS server).
	Resolver *net.Resolver
	// TreatAsPublic exempts an address from the private-network check.
	// Tests only: it lets a 127.0.0.1 server stand in for a public host.
	TreatAsPublic func(netip.AddrPort) bool
}

// Request is one conditional GET; the validators come from the source's
// stored state and are sent only when non-empty.
type Request struct {
	URL          string
	ETag         string
	LastModified string
	// AllowPrivateNetworks lets this request (and its redirects) connect to
	// loopback, private and other non-public addresses.
	AllowPrivateNetworks bool
}

// Response is a successful fetch: either a body or NotModified.
// For file:// URLs StatusCode is 200 or 304 and ContentType is empty.
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
// errors.Is(err, ErrGone) reports whether it is a 410.
type StatusError struct {
	// URL answered with the status (after redirects), as redact.URL shows it.
	URL        string
	StatusCode int
	// RetryAfter is when the server allows the next try (429/503 with a
	// Retry-After header), zero when it did not say.
	RetryAfter time.Time
}

func (e *StatusError) Error() string {
	var b strings.Builder
	if e.URL != "" {
		b.WriteString("GET " + e.URL + ": ")
	}
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	if !e.RetryAfter.IsZero() {
		b.WriteString(", retry after " + e.RetryAfter.UTC().Format(time.RFC3339))
	}
	return b.String()
}

// Is makes a 410 match ErrGone.
func (e *StatusError) Is(target error) bool {
	return target == ErrGone && e.StatusCode == http.StatusGone
}

// Sentinel errors callers branch on.
var (
	ErrGone     = errors.New("gone (HTTP 410)")
	ErrTooLarge = errors.New("body exceeds size limit")
)

// Client is safe for concurrent use.
type Client struct {
	opts Options
	http *http.Client // checks every address dialled, unless opts allow all
	// private serves requests allowed into private networks. Its own
	// transport means its own connection pool: a connection it dialled to a
	// private address is never reused by a request that was not allowed.
	private *http.Client

	mu sync.Mutex
	// hosts holds one semaphore per host:port; entries are never removed,
	// there are only as many as configured hosts.
	hosts map[string]chan struct{}
}

// New returns a Client with opts' defaults filled in.
func New(opts Options) *Client {
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.MaxRedirects <= 0 {
		opts.MaxRedirects = DefaultMaxRedirects
	}
	if opts.PerHost <= 0 {
		opts.PerHost = DefaultPerHost
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Proxy == nil {
		opts.Proxy = http.ProxyFromEnvironment
	}
	c := &Client{opts: opts, hosts: make(map[string]chan struct{})}
	open, checked := opts.Transport, opts.Transport
	if open == nil {
		open = newTransport(opts, nil)
		checked = open
		if !opts.AllowPrivateNetworks {
			checked = newTransport(opts, &guard{
				treatAsPublic: opts.TreatAsPublic,
				proxy:         opts.Proxy,
				proxies:       make(map[string]bool),
			})
		}
	}
	c.http = &http.Client{Transport: checked, CheckRedirect: c.checkRedirect}
	c.private = &http.Client{Transport: open, CheckRedirect: c.checkRedirect}
	return c
}

// newTransport is http.DefaultTransport's configuration with our connect
// timeouts, checking each address dialled when g is not nil. Compression
// stays enabled: the transport asks for gzip and decodes it, so the body cap
// applies to decoded bytes.
func newTransport(opts Options, g *guard) *http.Transport {
	connect := opts.ConnectTimeout
	dialer := &net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second, Resolver: opts.Resolver}
	proxy, dial := opts.Proxy, dialer.DialContext
	if g != nil {
		checked := *dialer
		checked.ControlContext = g.control
		proxy, dial = g.proxyFor, g.dial(dialer, &checked)
	}
	return &http.Transport{
		Proxy:                 proxy,
		DialContext:           dial,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   connect,
		ResponseHeaderTimeout: connect,
		ExpectContinueTimeout: time.Second,
	}
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	// via holds the requests already sent, so len(via) is this redirect's number.
	if len(via) > c.opts.MaxRedirects {
		return fmt.Errorf("stopped after %d redirects", c.opts.MaxRedirects)
	}
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return fmt.Errorf("redirect to %s refused: only http and https are followed", redact.URL(req.URL))
	}
	return nil
}

// Get fetches req.URL. A 304 is a Response with NotModified, not an error.
func (c *Client) Get(ctx context.Context, req Request) (*Response, error) {
	u, err := url.Parse(req.URL)
	if err != nil {
		// url.Error quotes the whole URL, credentials included.
		return nil, fmt.Errorf("GET %s: not a valid URL", redact.Invalid)
	}
	switch u.Scheme {
	case "file":
		return c.getFile(ctx, u, req)
	case "http", "https":
		if u.Host == "" {
			return nil, fmt.Errorf("GET %s: no host", redact.URL(u))
		}
	default:
		return nil, fmt.Errorf("GET %s: unsupported URL scheme %q", redact.URL(u), u.Scheme)
	}

	release, err := c.acquire(ctx, hostKey(u))
	if err != nil {
		return nil, fmt.Errorf("GET %s: waiting for a slot: %w", redact.URL(u), err)
	}
	defer release()

	// Started after the slot is taken: queueing behind other requests to the
	// same host does not eat into this request's time.
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", redact.URL(u), err)
	}
	hreq.Header.Set("User-Agent", c.opts.UserAgent)
	if req.ETag != "" {
		hreq.Header.Set("If-None-Match", req.ETag)
	}
	if req.LastModified != "" {
		hreq.Header.Set("If-Modified-Since", req.LastModified)
	}

	hc := c.http
	if req.AllowPrivateNetworks {
		hc = c.private
	}
	resp, err := hc.Do(hreq)
	if err != nil {
		return nil, requestError(u, err)
	}
	defer resp.Body.Close()

	final := u
	if resp.Request != nil {
		final = resp.Request.URL
	}
	out := &Response{
		URL:          final.String(),
		StatusCode:   resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		PermanentURL: permanentURL(resp, u),
	}

	switch {
	case resp.StatusCode == http.StatusNotModified:
		// A 304 may omit the validators; the ones we sent still hold.
		if out.ETag == "" {
			out.ETag = req.ETag
		}
		if out.LastModified == "" {
			out.LastModified = req.LastModified
		}
		out.NotModified = true
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		drain(resp.Body)
		serr := &StatusError{URL: redact.URL(final), StatusCode: resp.StatusCode}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			serr.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now())
		}
		return nil, serr
	}

	if resp.ContentLength > c.opts.MaxBodyBytes {
		return nil, fmt.Errorf("GET %s: %w (Content-Length %d, limit %d bytes)",
			redact.URL(final), ErrTooLarge, resp.ContentLength, c.opts.MaxBodyBytes)
	}
	out.Body, err = readCapped(resp.Body, c.opts.MaxBodyBytes)
	if err != nil {
		return nil, fmt.Errorf("GET %s: read body: %w", redact.URL(final), err)
	}
	return out, nil
}

// acquire takes a slot of key's semaphore, or gives up when ctx is done.
func (c *Client) acquire(ctx context.Context, key string) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	sem, ok := c.hosts[key]
	if !ok {
		sem = make(chan struct{}, c.opts.PerHost)
		c.hosts[key] = sem
	}
	c.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// hostKey names u's server so that "Example.org" and "example.org:80" share
// a semaphore while two ports on one address do not.
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// requestError drops net/http's url.Error wrapper, whose `Get "url"` would
// repeat the URL, and names the URL the caller asked for. A refused address
// also names the redirect that led there, if any.
func requestError(u *url.URL, err error) error {
	var uerr *url.Error
	hop := ""
	if errors.As(err, &uerr) {
		err = uerr.Err
		if hu, perr := url.Parse(uerr.URL); perr == nil && redact.URL(hu) != redact.URL(u) {
			hop = redact.URL(hu)
		}
	}
	var aerr *AddressError
	if errors.As(err, &aerr) {
		if hop != "" {
			return fmt.Errorf("fetch %s: redirect to %s: %w", redact.URL(u), hop, aerr)
		}
		return fmt.Errorf("fetch %s: %w", redact.URL(u), aerr)
	}
	return fmt.Errorf("GET %s: %w", redact.URL(u), err)
}

// permanentURL is the final URL when at least one redirect was followed and
// every one of them was 301 or 308; otherwise "".
func permanentURL(resp *http.Response, orig *url.URL) string {
	if resp.Request == nil {
		return ""
	}
	hops := 0
	// Each redirected request links the response that caused it, which links
	// its own request: walk back to the first request.
	for r := resp.Request; r.Response != nil; r = r.Response.Request {
		switch r.Response.StatusCode {
		case http.StatusMovedPermanently, http.StatusPermanentRedirect:
			hops++
		default:
			return ""
		}
		if r.Response.Request == nil {
			return ""
		}
	}
	final := resp.Request.URL.String()
	if hops == 0 || final == orig.String() {
		return ""
	}
	return final
}

// parseRetryAfter reads delta-seconds or an HTTP-date (RFC 9110 10.2.3);
// zero when absent or unparseable.
func parseRetryAfter(v string, now time.Time) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > math.MaxInt64/int64(time.Second) {
			return time.Time{}
		}
		return now.Add(time.Duration(secs) * time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return t
	}
	return time.Time{}
}

// readCapped reads at most limit+1 bytes so that an oversized body is detected
// without being read in full.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w (limit %d bytes)", ErrTooLarge, limit)
	}
	return b, nil
}

// drain reads a little of an unwanted body so the connection can be reused.
func drain(r io.Reader) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 4<<10))
}

// getFile serves a file:// URL with validators derived from the file's size
// and mtime, so a local source gets the same not-modified handling as HTTP.
func (c *Client) getFile(ctx context.Context, u *url.URL, req Request) (*Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	if u.Host != "" && u.Host != "localhost" {
		return nil, fmt.Errorf("read %s: file URL names host %q, only local files are read", u, u.Host)
	}
	if u.Path == "" {
		return nil, fmt.Errorf("read %s: no path", u)
	}
	// os errors name the path, so they are wrapped as they are.
	f, err := os.Open(filepath.FromSlash(u.Path))
	if err != nil {
		return nil, fmt.Errorf("read file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read file %s: not a regular file", f.Name())
	}

	out := &Response{
		URL:          u.String(),
		StatusCode:   http.StatusOK,
		ETag:         fmt.Sprintf(`W/"%x-%x"`, fi.Size(), fi.ModTime().UnixNano()),
		LastModified: fi.ModTime().UTC().Format(http.TimeFormat),
	}
	// As in HTTP, an ETag in the request decides alone: Last-Modified has
	// only second precision.
	if (req.ETag != "" && req.ETag == out.ETag) ||
		(req.ETag == "" && req.LastModified != "" && req.LastModified == out.LastModified) {
		out.StatusCode = http.StatusNotModified
		out.NotModified = true
		return out, nil
	}
	if fi.Size() > c.opts.MaxBodyBytes {
		return nil, fmt.Errorf("read file %s: %w (size %d, limit %d bytes)", f.Name(), ErrTooLarge, fi.Size(), c.opts.MaxBodyBytes)
	}
	out.Body, err = readCapped(f, c.opts.MaxBodyBytes)
	if err != nil {
		return nil, fmt.Errorf("read file %s: %w", f.Name(), err)
	}
	return out, nil
}
