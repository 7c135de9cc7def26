package fetch

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/netdigest/netdigest/internal/fakedns"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		addr string
		want string // "" for public
		via  string // the IPv4 address a NAT64 or mapped address stands for
	}{
		{"127.0.0.1", "loopback", ""},
		{"127.255.0.9", "loopback", ""},
		{"::1", "loopback", ""},
		{"::ffff:127.0.0.1", "loopback", "127.0.0.1"},
		{"64:ff9b::7f00:1", "loopback", "127.0.0.1"},
		{"64:ff9b:1::7f00:1", "loopback", "127.0.0.1"},
		{"10.0.0.1", "private", ""},
		{"172.16.0.1", "private", ""},
		{"172.31.255.254", "private", ""},
		{"192.168.1.1", "private", ""},
		{"fc00::1", "private", ""},
		{"fd12:3456::1", "private", ""},
		{"fec0::1", "private", ""},
		{"::ffff:10.1.2.3", "private", "10.1.2.3"},
		{"::ffff:192.168.0.1", "private", "192.168.0.1"},
		{"64:ff9b::a01:203", "private", "10.1.2.3"},
		{"64:ff9b::c0a8:1", "private", "192.168.0.1"},
		{"169.254.169.254", "link-local", ""},
		{"169.254.0.1", "link-local", ""},
		{"fe80::1", "link-local", ""},
		{"fe80::1%eth0", "link-local", ""},
		{"::ffff:169.254.169.254", "link-local", "169.254.169.254"},
		{"64:ff9b::a9fe:a9fe", "link-local", "169.254.169.254"},
		{"100.64.0.1", "CGNAT", ""},
		{"100.127.255.254", "CGNAT", ""},
		{"64:ff9b::6440:1", "CGNAT", "100.64.0.1"},
		{"0.0.0.0", "unspecified", ""},
		{"0.1.2.3", "unspecified", ""},
		{"::", "unspecified", ""},
		{"::ffff:0.0.0.0", "unspecified", "0.0.0.0"},
		{"224.0.0.1", "multicast", ""},
		{"239.255.255.250", "multicast", ""},
		{"ff02::1", "multicast", ""},
		{"::ffff:224.0.0.1", "multicast", "224.0.0.1"},
		{"255.255.255.255", "broadcast", ""},
		{"64:ff9b::ffff:ffff", "broadcast", "255.255.255.255"},

		// Public: the edges of the refused ranges and the public internet.
		{"8.8.8.8", "", ""},
		{"1.1.1.1", "", ""},
		{"9.255.255.255", "", ""},
		{"11.0.0.0", "", ""},
		{"172.15.255.255", "", ""},
		{"172.32.0.0", "", ""},
		{"192.167.255.255", "", ""},
		{"192.169.0.0", "", ""},
		{"100.63.255.255", "", ""},
		{"100.128.0.0", "", ""},
		{"169.253.255.255", "", ""},
		{"223.255.255.255", "", ""},
		{"198.18.0.1", "", ""}, // benchmarking range, used by fake-IP proxies
		{"2001:4860:4860::8888", "", ""},
		{"2a00:1450:4001:82f::200e", "", ""},
		{"::ffff:8.8.8.8", "", ""},
		{"64:ff9b::808:808", "", ""}, // NAT64 of 8.8.8.8
		{"fbff:ffff::1", "", ""},
		{"fe00::1", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			name, via := Classify(netip.MustParseAddr(tt.addr))
			if name != tt.want {
				t.Errorf("Classify(%s) = %q, want %q", tt.addr, name, tt.want)
			}
			wantVia := netip.Addr{}
			if tt.via != "" {
				wantVia = netip.MustParseAddr(tt.via)
			}
			if via != wantVia {
				t.Errorf("Classify(%s) via %v, want %v", tt.addr, via, wantVia)
			}
		})
	}
}

func TestAddressErrorText(t *testing.T) {
	tests := []struct{ addr, want string }{
		{"127.0.0.1", "127.0.0.1 is a loopback address (allow_private_networks is off)"},
		{"169.254.169.254", "169.254.169.254 is a link-local address (allow_private_networks is off)"},
		{"::", ":: is an unspecified address (allow_private_networks is off)"},
		{"::ffff:10.0.0.1", "::ffff:10.0.0.1 is a private address (allow_private_networks is off)"},
		{"64:ff9b::7f00:1", "64:ff9b::7f00:1 (NAT64 for 127.0.0.1) is a loopback address (allow_private_networks is off)"},
		{"fe80::1%eth0", "fe80::1 is a link-local address (allow_private_networks is off)"},
	}
	for _, tt := range tests {
		err := checkAddr(netip.MustParseAddr(tt.addr))
		if err == nil || err.Error() != tt.want {
			t.Errorf("checkAddr(%s) = %v, want %q", tt.addr, err, tt.want)
		}
	}
	if err := checkAddr(netip.MustParseAddr("8.8.8.8")); err != nil {
		t.Errorf("checkAddr(8.8.8.8) = %v, want nil", err)
	}
}

// countingServer is a 127.0.0.1 server answering "ok" that counts requests.
func countingServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, "ok")
	})
	return srv, &hits
}

// wantAddressError checks that err is a refused address of the given range.
func wantAddressError(t *testing.T, err error, addr, rng string) {
	t.Helper()
	var aerr *AddressError
	if !errors.As(err, &aerr) {
		t.Fatalf("err = %v, want an *AddressError", err)
	}
	if aerr.Addr != netip.MustParseAddr(addr) || aerr.Range != rng {
		t.Errorf("refused %v (%s), want %s (%s)", aerr.Addr, aerr.Range, addr, rng)
	}
}

func TestPrivateRefusedByDefault(t *testing.T) {
	srv, hits := countingServer(t)
	resp, err := New(Options{}).Get(t.Context(), Request{URL: srv.URL + "/feed"})
	if resp != nil {
		t.Errorf("resp = %+v, want nil", resp)
	}
	wantAddressError(t, err, "127.0.0.1", "loopback")
	want := "fetch " + srv.URL + "/feed: 127.0.0.1 is a loopback address (allow_private_networks is off)"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server saw %d requests, want none", n)
	}

	t.Run("IPv6 loopback", func(t *testing.T) {
		l, err := net.Listen("tcp", "[::1]:0")
		if err != nil {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: http.NotFoundHandler()}}
		srv.Start()
		t.Cleanup(srv.Close)
		_, err = New(Options{}).Get(t.Context(), Request{URL: srv.URL})
		wantAddressError(t, err, "::1", "loopback")
	})
}

func TestAllowPrivateNetworks(t *testing.T) {
	srv, hits := countingServer(t)
	t.Run("client option", func(t *testing.T) {
		resp, err := New(Options{AllowPrivateNetworks: true}).Get(t.Context(), Request{URL: srv.URL})
		if err != nil || string(resp.Body) != "ok" {
			t.Fatalf("resp %v, err %v; want ok", resp, err)
		}
	})
	t.Run("request option", func(t *testing.T) {
		c := New(Options{})
		resp, err := c.Get(t.Context(), Request{URL: srv.URL, AllowPrivateNetworks: true})
		if err != nil || string(resp.Body) != "ok" {
			t.Fatalf("resp %v, err %v; want ok", resp, err)
		}
		// The allowed request left a keep-alive connection to srv in the
		// pool; a request that is not allowed must not ride on it.
		before := hits.Load()
		_, err = c.Get(t.Context(), Request{URL: srv.URL})
		wantAddressError(t, err, "127.0.0.1", "loopback")
		if n := hits.Load(); n != before {
			t.Errorf("server saw %d more requests, want none", n-before)
		}
	})
}

// publicServer is a 127.0.0.1 server that the client's TreatAsPublic takes
// for a host on the internet, with the options that say so.
func publicServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, Options) {
	t.Helper()
	srv := newServer(t, h)
	addr := netip.MustParseAddrPort(srv.Listener.Addr().String())
	return srv, Options{TreatAsPublic: func(ap netip.AddrPort) bool { return ap == addr }}
}

func TestRedirectToPrivateRefused(t *testing.T) {
	internal, hits := countingServer(t)
	for _, code := range []int{http.StatusFound, http.StatusMovedPermanently} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			target := internal.URL + "/admin/"
			pub, opts := publicServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/feed" {
					http.Redirect(w, r, target, code)
					return
				}
				io.WriteString(w, "public")
			})
			c := New(opts)
			// The seam works: the "public" server itself is reachable.
			if resp, err := c.Get(t.Context(), Request{URL: pub.URL + "/other"}); err != nil || string(resp.Body) != "public" {
				t.Fatalf("public server: resp %v, err %v", resp, err)
			}
			resp, err := c.Get(t.Context(), Request{URL: pub.URL + "/feed"})
			if resp != nil {
				t.Errorf("resp = %+v, want nil (nothing to remember as a permanent URL)", resp)
			}
			wantAddressError(t, err, "127.0.0.1", "loopback")
			want := "fetch " + pub.URL + "/feed: redirect to " + target + ": 127.0.0.1 is a loopback address (allow_private_networks is off)"
			if err == nil || err.Error() != want {
				t.Errorf("err = %v\nwant %q", err, want)
			}
			if n := hits.Load(); n != 0 {
				t.Errorf("internal server saw %d requests, want none", n)
			}

			// Allowed, the same redirect is followed.
			resp, err = c.Get(t.Context(), Request{URL: pub.URL + "/feed", AllowPrivateNetworks: true})
			if err != nil || string(resp.Body) != "ok" {
				t.Errorf("allowed: resp %v, err %v; want ok", resp, err)
			}
			hits.Store(0)
		})
	}

	t.Run("to file", func(t *testing.T) {
		pub, opts := publicServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		})
		_, err := New(opts).Get(t.Context(), Request{URL: pub.URL, AllowPrivateNetworks: true})
		want := "GET " + pub.URL + ": redirect to file:///etc/passwd refused"
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("err = %v, want prefix %q", err, want)
		}
	})
}

func TestResolverAnsweringPrivate(t *testing.T) {
	srv, hits := countingServer(t)
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	resolver := fakedns.Resolver(t, map[string][]netip.Addr{
		"internal.example": {netip.MustParseAddr("10.1.2.3")},
		"metadata.example": {netip.MustParseAddr("169.254.169.254")},
		"v6.example":       {netip.MustParseAddr("fd00::1")},
		"rebind.example":   {netip.MustParseAddr("127.0.0.1")},
	})
	// No proxy: the names must be resolved here, whatever the environment.
	opts := Options{Resolver: resolver, Proxy: func(*http.Request) (*url.URL, error) { return nil, nil }}
	tests := []struct {
		url, addr, rng string
	}{
		{"http://internal.example/feed", "10.1.2.3", "private"},
		{"http://metadata.example/latest/meta-data/", "169.254.169.254", "link-local"},
		{"http://v6.example/feed", "fd00::1", "private"},
		{"http://rebind.example:" + strconv.Itoa(port) + "/feed", "127.0.0.1", "loopback"},
	}
	c := New(opts)
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := c.Get(t.Context(), Request{URL: tt.url})
			wantAddressError(t, err, tt.addr, tt.rng)
			if !strings.HasPrefix(err.Error(), "fetch "+tt.url+": "+tt.addr+" is ") {
				t.Errorf("err = %v, want it to name the URL and the address", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server saw %d requests, want none", n)
	}
	// The name really resolves to the server: allowed, the fetch succeeds.
	resp, err := c.Get(t.Context(), Request{URL: tests[3].url, AllowPrivateNetworks: true})
	if err != nil || string(resp.Body) != "ok" {
		t.Errorf("allowed: resp %v, err %v; want ok", resp, err)
	}
}

func TestProxyIsTrusted(t *testing.T) {
	var (
		mu    sync.Mutex
		asked []string
	)
	proxy := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.String()) // a proxy gets the absolute URL
		mu.Unlock()
		io.WriteString(w, "via proxy")
	})
	pu, _ := url.Parse(proxy.URL)
	c := New(Options{Proxy: http.ProxyURL(pu)})

	// The proxy is on 127.0.0.1, which the operator chose: it is dialled.
	resp, err := c.Get(t.Context(), Request{URL: "http://feeds.example/feed"})
	if err != nil || string(resp.Body) != "via proxy" {
		t.Fatalf("resp %v, err %v; want the proxy's answer", resp, err)
	}
	// A literal private address is still refused before the proxy is asked.
	for _, tt := range []struct{ url, addr, rng string }{
		{"http://127.0.0.1:8500/admin/", "127.0.0.1", "loopback"},
		{"http://[fd00::1]/feed", "fd00::1", "private"},
		{"http://169.254.169.254/latest/meta-data/", "169.254.169.254", "link-local"},
	} {
		_, err := c.Get(t.Context(), Request{URL: tt.url})
		wantAddressError(t, err, tt.addr, tt.rng)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"http://feeds.example/feed"}; !slices.Equal(asked, want) {
		t.Errorf("proxy was asked for %q, want %q", asked, want)
	}
}
