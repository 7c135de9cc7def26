package server

import (
	"bytes"
	"net/http"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/netdigest/netdigest/pipeline"
)

// scrape parses GET /metrics with Prometheus's own text parser.
func (f *fixture) scrape() map[string]*dto.MetricFamily {
	f.t.Helper()
	resp, body := f.get("/metrics")
	if resp.StatusCode != http.StatusOK {
		f.t.Fatalf("metrics: %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		f.t.Fatalf("metrics do not parse: %v\n%s", err, body)
	}
	return fams
}

// TestMetricsMetadata checks, through Prometheus's parser, that every family
// has its HELP and TYPE, and that the fetch and digest counters are declared
// at zero before anything happened: for every configured source × outcome,
// and every digest outcome.
func TestMetricsMetadata(t *testing.T) {
	f := newFixture(t, nil)
	checkMetadata := func(fams map[string]*dto.MetricFamily) {
		t.Helper()
		for name, fam := range fams {
			want := ""
			for _, d := range families {
				if d.name == name {
					want = d.typ
				}
			}
			// The parser types a family without # TYPE as untyped.
			if got := fam.GetType().String(); want == "" || got != map[string]string{
				"counter": "COUNTER", "gauge": "GAUGE", "histogram": "HISTOGRAM"}[want] {
				t.Errorf("%s: type %s, want %q", name, got, want)
			}
			if fam.GetHelp() == "" {
				t.Errorf("%s: no help", name)
			}
		}
	}

	fams := f.scrape()
	checkMetadata(fams)
	type key struct{ source, outcome string }
	fetches := map[key]float64{}
	for _, m := range fams["netdigest_fetches_total"].GetMetric() {
		fetches[key{label(m, "source"), label(m, "outcome")}] = m.GetCounter().GetValue()
	}
	for _, src := range f.cfg.Sources {
		for _, o := range pipeline.Outcomes() {
			if v, ok := fetches[key{src.Name, string(o)}]; !ok || v != 0 {
				t.Errorf("fetches_total{source=%q,outcome=%q} = %v (present %v), want a declared 0", src.Name, o, v, ok)
			}
		}
	}
	if want := len(f.cfg.Sources) * len(pipeline.Outcomes()); len(fetches) != want {
		t.Errorf("%d fetch series, want %d", len(fetches), want)
	}
	digests := map[string]float64{}
	for _, m := range fams["netdigest_digest_sends_total"].GetMetric() {
		digests[label(m, "outcome")] = m.GetCounter().GetValue()
	}
	for _, a := range append(pipeline.DigestActions(), "error") {
		if v, ok := digests[string(a)]; !ok || v != 0 {
			t.Errorf("digest_sends_total{outcome=%q} = %v (present %v), want a declared 0", a, v, ok)
		}
	}

	// After events, with a histogram among them, still typed and helped;
	// and with the store down.
	f.metrics.ObserveFetch(pipeline.Result{Source: "lwn", Outcome: pipeline.New})
	f.metrics.ObserveDigest(string(pipeline.DigestSent), nil)
	fams = f.scrape()
	checkMetadata(fams)
	if fams["netdigest_fetch_duration_seconds"] == nil || fams["netdigest_entries"] == nil {
		t.Errorf("families after a fetch: %v", keys(fams))
	}
	f.store.Close()
	fams = f.scrape()
	checkMetadata(fams)
	if fams["netdigest_store_up"].GetMetric()[0].GetGauge().GetValue() != 0 {
		t.Error("store_up is not 0 with the store closed")
	}
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
