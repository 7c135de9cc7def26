package reliability

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/fetch"
	"github.com/netdigest/netdigest/internal/fakedns"
	"github.com/netdigest/netdigest/pipeline"
)

// privateHarness is newHarness with the client cmd/netdigest builds when
// allow_private_networks is off, except that the public servers (on
// 127.0.0.1 like every test server) count as hosts on the internet, and
// names resolve through resolver (nil: the system's).
func privateHarness(t *testing.T, public []*httptest.Server, resolver *net.Resolver, sources ...config.Source) *harness {
	t.Helper()
	fc := hostileFetch()
	h := newHarness(t, nil, fc, sources...)
	exempt := map[netip.AddrPort]bool{}
	for _, s := range public {
		exempt[netip.MustParseAddrPort(s.Listener.Addr().String())] = true
	}
	h.runner.Client = fetch.New(fetch.Options{
		ConnectTimeout: fc.ConnectTimeout, Timeout: fc.Timeout, MaxBodyBytes: fc.MaxBodyBytes,
		PerHost: fc.PerHost, Now: h.clock.Now, Resolver: resolver,
		Proxy:         func(*http.Request) (*url.URL, error) { return nil, nil }, // whatever the environment says
		TreatAsPublic: func(ap netip.AddrPort) bool { return exempt[ap] },
	})
	return h
}

// internalServer is a 127.0.0.1 service that must never be reached: it
// serves a feed, so a fetch that got there would store entries.
func internalServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	feed := serveFeed(rssFeed("Internal admin", rssItem{GUID: "admin", Title: "Admin console", Link: "http://10.0.0.1/admin/", Content: "<p>secrets</p>"}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		feed(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// redirector answers every request with a redirect to target.
func redirector(t *testing.T, code int, target string, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Redirect(w, r, target, code)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// refusedAddr asserts source failed on an address of range rng, with the error
// recorded in its state and nothing stored, and returns the quoted error.
func refusedAddr(t *testing.T, h *harness, source string, res pipeline.Result, rng string) string {
	t.Helper()
	if res.Outcome != pipeline.Failed || res.Err == nil {
		t.Fatalf("%s: outcome %q, err %v; want a failure", source, res.Outcome, res.Err)
	}
	var aerr *fetch.AddressError
	if !errors.As(res.Err, &aerr) || aerr.Range != rng {
		t.Errorf("%s: err %v, want a refused %s address", source, res.Err, rng)
	}
	msg := res.Err.Error()
	for _, want := range []string{fmt.Sprintf("source %q: fetch ", source), "(allow_private_networks is off)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%s: error %q lacks %q", source, msg, want)
		}
	}
	st, err := h.store.SourceState(context.Background(), source)
	if err != nil {
		t.Fatal(err)
	}
	if st.LastError != msg || st.PermanentURL != "" {
		t.Errorf("%s state: last_error %q, permanent URL %q; want the error and no permanent URL", source, st.LastError, st.PermanentURL)
	}
	if n := h.entriesOf(t, source); n != 0 {
		t.Errorf("%s stored %d entries, want none", source, n)
	}
	return quote(msg)
}

func TestPrivateNetworkRedirects(t *testing.T) {
	section(t, secPrivate)
	t.Run("302 to loopback", func(t *testing.T) {
		rec := recordAt(t, 1, secPrivate, "a public feed answers `302 Location: http://127.0.0.1:PORT/admin/`",
			"the source fails, naming the address and the setting; the internal server gets no request; the good source stores its entries")
		internal, internalHits := internalServer(t)
		var pubHits atomic.Int32
		pub := redirector(t, http.StatusFound, internal.URL+"/admin/", &pubHits)
		good := newGoodServer(t, 3)
		h := privateHarness(t, []*httptest.Server{pub, good}, nil, feedSource("hostile", pub.URL+"/feed"), feedSource("good", good.URL))
		res := h.fetchAll(t)
		msg := refusedAddr(t, h, "hostile", res["hostile"], "loopback")
		if n := internalHits.Load(); n != 0 {
			t.Errorf("internal server got %d requests", n)
		}
		if n := h.entriesOf(t, "good"); n != 3 {
			t.Errorf("good stored %d entries, want 3", n)
		}
		rec.res("fails, recorded: %s; internal server: %d requests; good: %d entries", msg, internalHits.Load(), h.entriesOf(t, "good"))
	})

	t.Run("301 to private", func(t *testing.T) {
		const target = "http://10.20.30.40:8500/admin/"
		rec := recordAt(t, 2, secPrivate, "a public feed answers `301 Location: "+target+"`",
			"refused at connect; not remembered as the permanent URL: the next fetch asks the public URL again")
		var pubHits atomic.Int32
		pub := redirector(t, http.StatusMovedPermanently, target, &pubHits)
		h := privateHarness(t, []*httptest.Server{pub}, nil, feedSource("hostile", pub.URL+"/feed"))
		first := refusedAddr(t, h, "hostile", h.fetchAll(t)["hostile"], "private")
		h.clock.Add(24 * time.Hour) // past the failure's backoff
		res := h.fetchAll(t)["hostile"]
		refusedAddr(t, h, "hostile", res, "private")
		if res.MovedTo != "" {
			t.Errorf("second fetch reports a move to %q", res.MovedTo)
		}
		if n := pubHits.Load(); n != 2 {
			t.Errorf("public URL asked %d times over two fetches, want 2", n)
		}
		rec.res("fails, recorded: %s; no permanent URL stored; the second fetch asked the public URL again (%d requests in all)", first, pubHits.Load())
	})

	t.Run("redirect to file", func(t *testing.T) {
		rec := recordAt(t, 3, secPrivate, "a public feed answers `302 Location: file:///etc/passwd`, source allowed into private networks",
			"refused: a redirect is followed to http and https only")
		var pubHits atomic.Int32
		pub := redirector(t, http.StatusFound, "file:///etc/passwd", &pubHits)
		src := feedSource("hostile", pub.URL+"/feed")
		src.AllowPrivateNetworks = true
		h := privateHarness(t, []*httptest.Server{pub}, nil, src)
		res := h.fetchAll(t)["hostile"]
		if res.Outcome != pipeline.Failed {
			t.Fatalf("outcome %q, want failed", res.Outcome)
		}
		errorContains(t, res, "redirect to file:///etc/passwd refused")
		if n := h.entriesOf(t, "hostile"); n != 0 {
			t.Errorf("stored %d entries, want none", n)
		}
		rec.res("fails: %s", quote(res.Err.Error()))
	})
}

func TestPrivateNetworkDNS(t *testing.T) {
	section(t, secPrivate)
	rec := recordAt(t, 4, secPrivate, "DNS answers a private address: `feeds.example` → 127.0.0.1 (where a server listens), `metadata.example` → 169.254.169.254",
		"each refused at connect, naming the address; the server gets no request")
	internal, hits := internalServer(t)
	port := internal.Listener.Addr().(*net.TCPAddr).Port
	resolver := fakedns.Resolver(t, map[string][]netip.Addr{
		"feeds.example":    {netip.MustParseAddr("127.0.0.1")},
		"metadata.example": {netip.MustParseAddr("169.254.169.254")},
	})
	h := privateHarness(t, nil, resolver,
		feedSource("rebind", fmt.Sprintf("http://feeds.example:%d/feed", port)),
		feedSource("metadata", "http://metadata.example/latest/meta-data/"))
	res := h.fetchAll(t)
	rebind := refusedAddr(t, h, "rebind", res["rebind"], "loopback")
	rebind = strings.ReplaceAll(rebind, fmt.Sprintf("feeds.example:%d", port), "feeds.example:PORT")
	metadata := refusedAddr(t, h, "metadata", res["metadata"], "link-local")
	refusedHits := hits.Load()
	if refusedHits != 0 {
		t.Errorf("server got %d requests", refusedHits)
	}
	// The fake DNS really leads to the server: allowed, the name is fetched.
	allowed := feedSource("rebind", fmt.Sprintf("http://feeds.example:%d/feed", port))
	allowed.AllowPrivateNetworks = true
	h2 := privateHarness(t, nil, resolver, allowed)
	if r := h2.fetchAll(t)["rebind"]; r.Outcome != pipeline.New {
		t.Errorf("allowed: outcome %q, err %v; want new entries", r.Outcome, r.Err)
	}
	rec.res("%s; %s; the server got %d requests (allowed, the same name fetches it)", rebind, metadata, refusedHits)
}

// progressLine matches one source's progress line of `netdigest fetch`:
// [i/n] name  outcome [duration]. The order of lines varies with workers.
var progressLine = regexp.MustCompile(`(?m)^\[\d+/\d+\]\s+(\S+)\s+(.*?)\s+\[[^\]]*\]$`)

// outcomes maps each source to its progress line's outcome.
func outcomes(stdout string) map[string]string {
	out := map[string]string{}
	for _, m := range progressLine.FindAllStringSubmatch(stdout, -1) {
		out[m[1]] = m[2]
	}
	return out
}

func TestPrivateNetworkOptIn(t *testing.T) {
	section(t, secPrivate)
	bin := buildBinary(t)
	wikiSrv := newGoodServer(t, 2)
	pubSrv := httptest.NewServer(serveFeed(rssFeed("Public blog",
		rssItem{GUID: "p1", Title: "Public 1", Link: "https://public.example.org/1", Content: "<p>1</p>"},
		rssItem{GUID: "p2", Title: "Public 2", Link: "https://public.example.org/2", Content: "<p>2</p>"})))
	t.Cleanup(pubSrv.Close)
	// Not binaryConfig, which allows private networks for every source.
	config := func(fetchBlock, wiki string) string {
		return "title: reliability\nid: urn:netdigest:reliability\nlink: http://127.0.0.1/\nstore: netdigest.db\noutput: out\n" +
			fetchBlock + "sources:\n  - name: wiki\n    url: " + wikiSrv.URL + "/wiki\n" + wiki +
			"  - name: public\n    url: " + pubSrv.URL + "/public\n"
	}
	tests := []struct {
		order             int
		name, expected    string
		fetchBlock, wiki  string
		wantCode          int
		wantWiki, wantPub string // prefix of the outcome
	}{
		{5, "`allow_private_networks: true` on one source (the binary, feeds.yaml)",
			"that source fetches its 127.0.0.1 server; another source of the same run is still refused",
			"", "    allow_private_networks: true\n", 1, "new: 2 new", "error: "},
		{6, "`fetch: {allow_private_networks: true}` (the binary, feeds.yaml)",
			"every source fetches its 127.0.0.1 server",
			"fetch: {allow_private_networks: true}\n", "", 0, "new: 2 new", "new: 2 new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := recordAt(t, tt.order, secPrivate, tt.name, tt.expected)
			dir := t.TempDir()
			writeFile(t, dir, "feeds.yaml", config(tt.fetchBlock, tt.wiki))
			out, errOut, code := nd{bin: bin, dir: dir}.run(t, "fetch", "-all")
			got := outcomes(out)
			if code != tt.wantCode || !strings.HasPrefix(got["wiki"], tt.wantWiki) || !strings.HasPrefix(got["public"], tt.wantPub) {
				t.Fatalf("exit %d (want %d); wiki %q (want %s…), public %q (want %s…)\n%s%s",
					code, tt.wantCode, got["wiki"], tt.wantWiki, got["public"], tt.wantPub, out, errOut)
			}
			if tt.wantPub == "error: " && !strings.HasSuffix(got["public"], "127.0.0.1 is a loopback address (allow_private_networks is off)") {
				t.Errorf("public: %q, want the loopback refusal", got["public"])
			}
			rec.res("exit %d; wiki: %s; public: %s", code, quote(got["wiki"]), quote(got["public"]))
		})
	}
}
