package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/VictoriaMetrics/metrics"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/store"
)

// fetchBuckets are the upper bounds (seconds) of fetch durations: from a
// local snapshot to the default 60 s timeout.
var fetchBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// Metrics counts what the daemon did, for GET /metrics (Prometheus text
// format). It owns its metric set: nothing is registered globally, so two
// daemons in one process (tests) count separately. Safe for concurrent use;
// a nil *Metrics counts nothing.
//
// What the store knows (entries, each source's last success and consecutive
// failures) is read from it at scrape time, so it is right after a restart
// and counts fetches made by a one-shot command beside the daemon.
type Metrics struct {
	set *metrics.Set
}

// NewMetrics returns empty counters.
func NewMetrics() *Metrics { return &Metrics{set: metrics.NewSet()} }

// family is one metric family as /metrics describes it.
type family struct{ name, typ, help string }

// families describes every family /metrics writes, in one table: Prometheus
// clients expect a # HELP and # TYPE line before each. (The library's own
// switch, metrics.ExposeMetadata, is package-global and writes empty help.)
var families = []family{
	{"netdigest_fetches_total", "counter", "Refreshes of a source by this daemon, by outcome."},
	{"netdigest_fetch_duration_seconds", "histogram", "Time a refresh that made a request took, in seconds."},
	{"netdigest_digest_sends_total", "counter", "Digest runs by this daemon, by outcome (error when the run failed)."},
	{"netdigest_entries", "gauge", "Entries in the store."},
	{"netdigest_last_success_timestamp_seconds", "gauge", "Unix time of the source's last successful fetch, by any process."},
	{"netdigest_source_failures", "gauge", "Consecutive failed fetches of the source."},
	{"netdigest_store_up", "gauge", "1 if the store answered this scrape, else 0 (the store's series are then left out)."},
}

// digestError is the digest outcome of a run that returned an error.
const digestError = "error"

// ObserveFetch counts one refresh of a source:
// netdigest_fetches_total{source,outcome}, and for the outcomes that made a
// request, netdigest_fetch_duration_seconds{source}.
func (m *Metrics) ObserveFetch(r pipeline.Result) {
	if m == nil || r.Source == "" {
		return
	}
	m.fetches(r.Source, r.Outcome).Inc()
	switch r.Outcome {
	case pipeline.New, pipeline.Updated, pipeline.Unchanged, pipeline.Failed:
		m.set.GetOrCreatePrometheusHistogramExt(`netdigest_fetch_duration_seconds{source="`+labelValue(r.Source)+`"}`, fetchBuckets).
			Update(r.Duration.Seconds())
	}
}

// ObserveDigest counts one digest run: netdigest_digest_sends_total{outcome},
// the outcome being "error" when err is set, else action (a
// pipeline.DigestAction such as "sent", "written", "nothing new").
func (m *Metrics) ObserveDigest(action string, err error) {
	if m == nil {
		return
	}
	outcome := action
	switch {
	case err != nil:
		outcome = digestError
	case outcome == "":
		outcome = "done"
	}
	m.digests(outcome).Inc()
}

// writeTo writes the counters, then what the store says now:
// netdigest_entries, netdigest_last_success_timestamp_seconds{source},
// netdigest_source_failures{source} (configured sources only) and
// netdigest_store_up (0 when the store did not answer, the store series
// then left out).
//
// The fetch counters of every configured source and outcome, and the digest
// counters of every outcome, are there from the start, at zero, so a rate
// or an alert sees a series before the first event.
func (m *Metrics) writeTo(ctx context.Context, w io.Writer, st *store.Store, cfg *config.Config) {
	for _, src := range cfg.Sources {
		for _, o := range pipeline.Outcomes() {
			m.fetches(src.Name, o)
		}
	}
	for _, a := range pipeline.DigestActions() {
		m.digests(string(a))
	}
	m.digests(digestError)
	var body bytes.Buffer
	m.writeSamples(ctx, &body, st, cfg)
	writeWithMetadata(w, body.Bytes())
}

func (m *Metrics) fetches(source string, o pipeline.Outcome) *metrics.Counter {
	return m.set.GetOrCreateCounter(`netdigest_fetches_total{source="` + labelValue(source) + `",outcome="` + labelValue(string(o)) + `"}`)
}

func (m *Metrics) digests(outcome string) *metrics.Counter {
	return m.set.GetOrCreateCounter(`netdigest_digest_sends_total{outcome="` + labelValue(outcome) + `"}`)
}

// writeWithMetadata copies the samples in body to w, each family's
// preceded by its # HELP and # TYPE lines from families. body holds each
// family's samples together (metrics.Set sorts by family, and writeSamples
// writes the store's one family after another).
func writeWithMetadata(w io.Writer, body []byte) {
	prev := ""
	for line := range bytes.Lines(body) {
		name := sampleFamily(string(line))
		if name != prev {
			prev = name
			for _, f := range families {
				if f.name == name {
					fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", f.name, f.help, f.name, f.typ)
					break
				}
			}
		}
		w.Write(line)
	}
}

// sampleFamily is the family a sample line belongs to: its metric name,
// less a histogram's _bucket, _sum or _count suffix.
func sampleFamily(line string) string {
	name := line[:strings.IndexAny(line+" ", "{ ")]
	for _, f := range families {
		if f.typ == "histogram" {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				if name == f.name+suffix {
					return f.name
				}
			}
		}
	}
	return name
}

// writeSamples writes the sample lines writeTo describes.
func (m *Metrics) writeSamples(ctx context.Context, w io.Writer, st *store.Store, cfg *config.Config) {
	m.set.WritePrometheus(w)
	n, err := st.CountEntries(ctx)
	var states []store.SourceState
	if err == nil {
		states, err = st.Sources(ctx)
	}
	if err != nil {
		metrics.WriteGaugeUint64(w, "netdigest_store_up", 0)
		return
	}
	metrics.WriteGaugeUint64(w, "netdigest_entries", uint64(n))
	byName := sourceStates(states)
	for _, src := range cfg.Sources {
		s, ok := byName[src.Name]
		if ok && !s.LastSuccess.IsZero() {
			// Whole seconds: WriteGaugeFloat64's %g would round a Unix
			// time to minutes.
			metrics.WriteGaugeUint64(w, `netdigest_last_success_timestamp_seconds{source="`+labelValue(src.Name)+`"}`,
				uint64(max(s.LastSuccess.Unix(), 0)))
		}
	}
	for _, src := range cfg.Sources {
		metrics.WriteGaugeUint64(w, `netdigest_source_failures{source="`+labelValue(src.Name)+`"}`,
			uint64(max(byName[src.Name].Failures, 0)))
	}
	metrics.WriteGaugeUint64(w, "netdigest_store_up", 1)
}

func (s *server) handleMetrics(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
	defer cancel()
	var buf bytes.Buffer
	s.metrics.writeTo(ctx, &buf, s.store, s.cfg)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// labelEscaper escapes what a Prometheus label value cannot hold as is.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// labelValue escapes a Prometheus label value (backslash, quote, newline).
func labelValue(s string) string { return labelEscaper.Replace(s) }
