package server

import (
	"bytes"
	"context"
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

// ObserveFetch counts one refresh of a source:
// netdigest_fetches_total{source,outcome}, and for the outcomes that made a
// request, netdigest_fetch_duration_seconds{source}.
func (m *Metrics) ObserveFetch(r pipeline.Result) {
	if m == nil || r.Source == "" {
		return
	}
	src := labelValue(r.Source)
	m.set.GetOrCreateCounter(`netdigest_fetches_total{source="` + src + `",outcome="` + labelValue(string(r.Outcome)) + `"}`).Inc()
	switch r.Outcome {
	case pipeline.New, pipeline.Updated, pipeline.Unchanged, pipeline.Failed:
		m.set.GetOrCreatePrometheusHistogramExt(`netdigest_fetch_duration_seconds{source="`+src+`"}`, fetchBuckets).
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
		outcome = "error"
	case outcome == "":
		outcome = "done"
	}
	m.set.GetOrCreateCounter(`netdigest_digest_sends_total{outcome="` + labelValue(outcome) + `"}`).Inc()
}

// writeTo writes the counters, then what the store says now:
// netdigest_entries, netdigest_last_success_timestamp_seconds{source},
// netdigest_source_failures{source} (configured sources only) and
// netdigest_store_up (0 when the store did not answer, the store series
// then left out).
func (m *Metrics) writeTo(ctx context.Context, w io.Writer, st *store.Store, cfg *config.Config) {
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
