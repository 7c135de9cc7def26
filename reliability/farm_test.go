package reliability

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// feedFarm serves many small feeds from several local servers (hosts).
// Feed s at generation g carries the items of generations g-2..g (three
// per generation), so each generation adds entries and drops old ones from
// the feed, as a blog front page does. ETags name source and generation,
// and If-None-Match gets a 304.
type feedFarm struct {
	n        int
	servers  []*httptest.Server
	gen      atomic.Int64
	requests atomic.Int64
	// latency is the answer delay of source s at generation g.
	latency func(s, g int) time.Duration
	// contentBytes pads each item's content to about this size.
	contentBytes int
}

const farmItemsPerGen = 3

func newFeedFarm(t *testing.T, sources, hosts int, latency func(s, g int) time.Duration) *feedFarm {
	f := &feedFarm{n: sources, latency: latency, contentBytes: 400}
	for range hosts {
		srv := httptest.NewServer(http.HandlerFunc(f.serve))
		t.Cleanup(srv.Close)
		f.servers = append(f.servers, srv)
	}
	return f
}

// hashLatency spreads latencies over [lo, hi] deterministically.
func hashLatency(lo, hi time.Duration) func(s, g int) time.Duration {
	return func(s, g int) time.Duration {
		h := fnv.New32a()
		fmt.Fprintf(h, "%d/%d", s, g)
		return lo + time.Duration(h.Sum32())%(hi-lo+1)
	}
}

func (f *feedFarm) name(s int) string { return fmt.Sprintf("s%03d", s) }

func (f *feedFarm) url(s int) string {
	return fmt.Sprintf("%s/feed/%d", f.servers[s%len(f.servers)].URL, s)
}

// urls maps every source name to its URL.
func (f *feedFarm) urls() map[string]string {
	out := make(map[string]string, f.n)
	for s := range f.n {
		out[f.name(s)] = f.url(s)
	}
	return out
}

func (f *feedFarm) etag(s, g int) string { return fmt.Sprintf(`"%s-g%d"`, f.name(s), g) }

// parseETag is etag's inverse.
func (f *feedFarm) parseETag(etag string) (s, g int, ok bool) {
	n, err := fmt.Sscanf(strings.Trim(etag, `"`), "s%d-g%d", &s, &g)
	return s, g, err == nil && n == 2
}

// links returns the links of the items feed s carries at generation g.
func (f *feedFarm) links(s, g int) []string {
	var out []string
	for gg := max(0, g-2); gg <= g; gg++ {
		for i := range farmItemsPerGen {
			out = append(out, fmt.Sprintf("https://farm.example.org/%s/g%d/i%d", f.name(s), gg, i))
		}
	}
	return out
}

func (f *feedFarm) feed(s, g int) string {
	pad := strings.Repeat("Netdev and XDP notes. ", f.contentBytes/22+1)
	var items []rssItem
	for gg := max(0, g-2); gg <= g; gg++ {
		for i := range farmItemsPerGen {
			items = append(items, rssItem{
				GUID:    fmt.Sprintf("%s-g%d-i%d", f.name(s), gg, i),
				Title:   fmt.Sprintf("%s generation %d item %d", f.name(s), gg, i),
				Link:    fmt.Sprintf("https://farm.example.org/%s/g%d/i%d", f.name(s), gg, i),
				Content: "<p>" + pad + "</p>",
			})
		}
	}
	return rssFeed("Farm "+f.name(s), items...)
}

func (f *feedFarm) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	var s int
	if _, err := fmt.Sscanf(r.URL.Path, "/feed/%d", &s); err != nil || s < 0 || s >= f.n {
		http.NotFound(w, r)
		return
	}
	g := int(f.gen.Load())
	if f.latency != nil {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(f.latency(s, g)):
		}
	}
	etag := f.etag(s, g)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	serveFeed(f.feed(s, g))(w, r)
}
