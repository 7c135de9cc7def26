package fetch

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"syscall"
)

// AddressError is a connection refused because the address dialled is not
// on the public internet and the request was not allowed into private
// networks. Range names the kind of address ("loopback", "private", …).
type AddressError struct {
	Addr  netip.Addr
	Range string
	// Via is the IPv4 address an IPv4-mapped or NAT64 Addr stands for (the
	// one classified), else the zero Addr.
	Via netip.Addr
}

func (e *AddressError) Error() string {
	article := "a"
	if r := e.Range[0]; r == 'a' || r == 'e' || r == 'i' || r == 'o' || r == 'u' {
		article = "an"
	}
	addr := e.Addr.String()
	if e.Via.IsValid() && !e.Addr.Is4In6() {
		addr += " (NAT64 for " + e.Via.String() + ")"
	}
	return fmt.Sprintf("%s is %s %s address (allow_private_networks is off)", addr, article, e.Range)
}

// refused lists what a fetch may not reach by default. IPv4-mapped and
// NAT64 addresses are classified by the IPv4 address they carry.
var refused = []struct {
	prefix netip.Prefix
	name   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"}, // "this network": Linux dials 0.0.0.0 as loopback
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "CGNAT"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"}, // includes 169.254.169.254, the cloud metadata service
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("fc00::/7"), "private"},  // unique local
	{netip.MustParsePrefix("fec0::/10"), "private"}, // site-local, deprecated but still routed locally
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// nat64 are the NAT64 prefixes (RFC 6052, RFC 8215) whose last 32 bits are
// an IPv4 address a translator will connect to.
var nat64 = []netip.Prefix{
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
}

// Classify names the range of a that a fetch refuses by default ("loopback",
// "private", "link-local", "CGNAT", "unspecified", "multicast",
// "broadcast"), or returns "" for a public address. via is the IPv4 address
// that an IPv4-mapped or NAT64 address stands for, else the zero Addr.
func Classify(a netip.Addr) (name string, via netip.Addr) {
	a = a.WithZone("")
	if a.Is4In6() {
		via = a.Unmap()
	} else if a.Is6() {
		for _, p := range nat64 {
			if p.Contains(a) {
				b := a.As16()
				via = netip.AddrFrom4([4]byte(b[12:]))
				break
			}
		}
	}
	check := a
	if via.IsValid() {
		check = via
	}
	for _, r := range refused {
		if r.prefix.Contains(check) {
			return r.name, via
		}
	}
	return "", netip.Addr{}
}

// guard refuses connections to non-public addresses. It sits in the dialer
// (net.Dialer.ControlContext), so it sees the address actually dialled after
// every DNS answer and on every redirect hop, not the name in a URL.
type guard struct {
	// treatAsPublic exempts addresses from the check (tests stand a
	// 127.0.0.1 server in for a public host).
	treatAsPublic func(netip.AddrPort) bool
	proxy         func(*http.Request) (*url.URL, error)

	mu sync.Mutex
	// proxies holds the host:port of every proxy chosen so far: the operator
	// configured them, so dialling them is allowed wherever they are.
	proxies map[string]bool
}

// control is the dialer's ControlContext: address is the IP:port about to
// be connected to.
func (g *guard) control(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: not an IP address and port: %w", address, err)
	}
	if g.treatAsPublic != nil && g.treatAsPublic(ap) {
		return nil
	}
	return checkAddr(ap.Addr())
}

func checkAddr(a netip.Addr) error {
	if name, via := Classify(a); name != "" {
		return &AddressError{Addr: a.WithZone(""), Range: name, Via: via}
	}
	return nil
}

// dial dials a configured proxy without the check and everything else with
// it.
func (g *guard) dial(plain, checked *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		g.mu.Lock()
		isProxy := g.proxies[addr]
		g.mu.Unlock()
		if isProxy {
			return plain.DialContext(ctx, network, addr)
		}
		return checked.DialContext(ctx, network, addr)
	}
}

// proxyFor is the transport's Proxy function. Through a proxy, the proxy
// resolves the name and connects, so only a literal IP in the URL can be
// checked here; the proxy's own policy covers names.
func (g *guard) proxyFor(req *http.Request) (*url.URL, error) {
	p, err := g.proxy(req)
	if err != nil || p == nil {
		return p, err
	}
	if a, err := netip.ParseAddr(req.URL.Hostname()); err == nil {
		if err := checkAddr(a); err != nil {
			return nil, err
		}
	}
	g.mu.Lock()
	g.proxies[proxyAddr(p)] = true
	g.mu.Unlock()
	return p, nil
}

// proxyAddr is the host:port net/http dials for proxy p.
func proxyAddr(p *url.URL) string {
	port := p.Port()
	if port == "" {
		switch p.Scheme {
		case "https":
			port = "443"
		case "socks5", "socks5h":
			port = "1080"
		default:
			port = "80"
		}
	}
	return net.JoinHostPort(p.Hostname(), port)
}
