package reliability

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/fetch"
	"github.com/netdigest/netdigest/pipeline"
)

// loadHost is one test server standing for one host; it counts the
// requests in flight at once.
//
// A request the client gave up on (a header timeout) keeps its handler
// running until the server notices the closed connection, which can be
// just after the client's next request to the host arrived. Such a
// request, older than abandonAfter (the client's header timeout is 1 s),
// is not counted: the client has already hung up on it.
type loadHost struct {
	srv  *httptest.Server
	peak atomic.Int64

	mu       sync.Mutex
	next     int
	inFlight map[int]loadRequest
}

type loadRequest struct {
	kind  loadKind
	start time.Time
}

const abandonAfter = 900 * time.Millisecond

// begin registers a request and returns its key; the count it sees is the
// requests whose client is still waiting, this one included.
func (lh *loadHost) begin(kind loadKind) int {
	lh.mu.Lock()
	defer lh.mu.Unlock()
	now := time.Now()
	count := int64(1)
	for _, r := range lh.inFlight {
		if r.kind == loadTimeout && now.Sub(r.start) >= abandonAfter {
			continue
		}
		count++
	}
	if count > lh.peak.Load() {
		lh.peak.Store(count)
	}
	lh.next++
	lh.inFlight[lh.next] = loadRequest{kind, now}
	return lh.next
}

func (lh *loadHost) end(key int) {
	lh.mu.Lock()
	defer lh.mu.Unlock()
	delete(lh.inFlight, key)
}

type loadKind int

const (
	loadGood loadKind = iota
	loadHTTP500
	loadTimeout
)

// loadPlan decides each source's behaviour and latency from a hash, so a
// run is the same every time: 5% answer 500, 5% never send headers.
func loadPlan(i int) (loadKind, time.Duration) {
	h := fnv.New32a()
	fmt.Fprintf(h, "load-%d", i)
	v := h.Sum32()
	latency := time.Duration(v%51) * time.Millisecond // 0-50 ms
	switch (v >> 8) % 20 {
	case 0:
		return loadHTTP500, latency
	case 1:
		return loadTimeout, latency
	}
	return loadGood, latency
}

const loadItems = 10

func loadFeed(i int) string {
	items := make([]rssItem, loadItems)
	body := "<p>" + strings.Repeat("Queue discipline and XDP notes. ", 30) + "</p>"
	for j := range items {
		items[j] = rssItem{
			GUID:    fmt.Sprintf("load-%d-%d", i, j),
			Title:   fmt.Sprintf("Source %d post %d", i, j),
			Link:    fmt.Sprintf("https://load%d.example.org/post/%d", i, j),
			Content: body,
		}
	}
	return rssFeed(fmt.Sprintf("Load %d", i), items...)
}

func TestLoad(t *testing.T) {
	section(t, secLoad)
	n := 300
	if os.Getenv("NETDIGEST_LOAD") != "" {
		n = 2000
	}
	const hostsN, workers, perHost = 8, 16, 2
	rec := record(t, secLoad, fmt.Sprintf("300 sources (2,000 with NETDIGEST_LOAD=1) on %d hosts, workers %d, per_host %d, one FetchAll",
		hostsN, workers, perHost),
		fmt.Sprintf("completes; every good source stores its %d entries and every failing one records its error; "+
			"no host sees more than %d requests at once; peak Go heap in use below %d MB", loadItems, perHost, loadHeapBoundMB))

	hosts := make([]*loadHost, hostsN)
	for k := range hosts {
		lh := &loadHost{inFlight: map[int]loadRequest{}}
		lh.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var i int
			fmt.Sscanf(r.URL.Path, "/feed/%d", &i)
			kind, latency := loadPlan(i)
			defer lh.end(lh.begin(kind))
			if kind == loadTimeout {
				waitDone(r, time.Minute)
				return
			}
			select {
			case <-r.Context().Done():
				return
			case <-time.After(latency):
			}
			if kind == loadHTTP500 {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			serveFeed(loadFeed(i))(w, r)
		}))
		t.Cleanup(lh.srv.Close)
		hosts[k] = lh
	}
	sources := make([]config.Source, n)
	for i := range sources {
		sources[i] = feedSource(fmt.Sprintf("load%04d", i), fmt.Sprintf("%s/feed/%d", hosts[i%hostsN].srv.URL, i))
	}
	h := newHarness(t, nil, config.Fetch{
		Workers: workers, PerHost: perHost, Timeout: 10 * time.Second, ConnectTimeout: time.Second,
		MaxBodyBytes: config.DefaultMaxBodyBytes,
	}, sources...)

	// Sample the heap while the run goes on; reset the peak RSS (Linux).
	resetPeakRSS()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	results := h.fetchAll(t)
	elapsed := time.Since(start)
	close(stop)
	sampler.Wait()

	if len(results) != n {
		t.Fatalf("%d results for %d sources", len(results), n)
	}
	all, err := h.store.Latest(context.Background(), 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	perSource := map[string]int{}
	for _, e := range all {
		perSource[e.Source]++
	}
	var good, failed500, timedOut int
	for i, src := range sources {
		res := results[src.Name]
		kind, _ := loadPlan(i)
		switch kind {
		case loadGood:
			good++
			if res.Err != nil || res.Outcome != pipeline.New || res.Counts.New != loadItems || perSource[src.Name] != loadItems {
				t.Errorf("%s: %+v, %d stored; want %d new entries", src.Name, res, perSource[src.Name], loadItems)
			}
		case loadHTTP500:
			failed500++
			var se *fetch.StatusError
			if !errors.As(res.Err, &se) || se.StatusCode != http.StatusInternalServerError {
				t.Errorf("%s: %+v; want HTTP 500 recorded", src.Name, res)
			}
		case loadTimeout:
			timedOut++
			if res.Err == nil || !strings.Contains(res.Err.Error(), "timeout awaiting response headers") {
				t.Errorf("%s: %+v; want a header timeout", src.Name, res)
			}
		}
		if kind != loadGood {
			st, err := h.store.SourceState(context.Background(), src.Name)
			if err != nil || st.LastError == "" || perSource[src.Name] != 0 {
				t.Errorf("%s: state %+v (err %v), %d entries; want the failure recorded and nothing stored", src.Name, st, err, perSource[src.Name])
			}
		}
	}
	maxPeak := int64(0)
	for k, lh := range hosts {
		if p := lh.peak.Load(); p > perHost {
			t.Errorf("host %d saw %d requests in flight at once, limit %d", k, p, perHost)
		}
		maxPeak = max(maxPeak, lh.peak.Load())
	}
	if maxPeak < perHost {
		t.Errorf("no host ever had %d requests in flight: the per-host limit was not exercised", perHost)
	}
	peakMB := float64(peak.Load()) / (1 << 20)
	if peakMB >= loadHeapBoundMB {
		t.Errorf("peak HeapInuse %.0f MB, bound %d MB", peakMB, loadHeapBoundMB)
	}
	t.Logf("%d sources (%d good, %d HTTP 500, %d timeouts) in %s; %d entries stored; peak in flight per host %d; "+
		"HeapInuse %.1f MB before, peak %.1f MB; peak RSS of the test process %s", n, good, failed500, timedOut,
		elapsed.Round(time.Millisecond), len(all), maxPeak, float64(base.HeapInuse)/(1<<20), peakMB, peakRSS())
	rec.res("held: every good source stored its %d entries, every HTTP 500 and header timeout recorded; "+
		"at most %d requests in flight on any host; peak HeapInuse below %d MB", loadItems, perHost, loadHeapBoundMB)
}

// resetPeakRSS resets the kernel's peak RSS of this process (Linux
// /proc/self/clear_refs, "5"); elsewhere it does nothing.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS reads VmHWM from /proc/self/status, or "unknown".
func peakRSS() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
