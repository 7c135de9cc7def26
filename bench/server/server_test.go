package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/netdigest/netdigest/bench/corpusgen"
)

// corpus writes n small RSS sources made the way corpusgen makes them.
func corpus(t *testing.T, n int, seed uint64) string {
	t.Helper()
	dir := t.TempDir()
	m := corpusgen.Manifest{Seed: seed}
	for i := range n {
		name := fmt.Sprintf("s%05d", i)
		tmpl := `<rss version="2.0"><channel><title>Chan</title><link>https://example.org/</link>` +
			`<item><title>First</title><link>https://example.org/1</link></item>` +
			`<item><title>Second</title><link>https://example.org/2</link></item></channel></rss>`
		data, anchor := corpusgen.Rewrite([]byte(tmpl), corpusgen.FormatRSS, name)
		sum := sha256.Sum256(data)
		m.Sources = append(m.Sources, corpusgen.Source{
			Name: name, Kind: "feed", Format: corpusgen.FormatRSS, File: name + ".rss",
			ContentType: "application/rss+xml", Bytes: len(data), SHA256: hex.EncodeToString(sum[:]),
			Items: 2, Entries: 2, ChurnAnchor: anchor,
		})
		if err := os.WriteFile(filepath.Join(dir, name+".rss"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(dir, corpusgen.ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func start(t *testing.T, dir string, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	s, err := New(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return s, ts
}

func get(t *testing.T, url string, hdr map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	// A bare transport: no automatic gzip, so the test sees what was sent.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestConditionalGET(t *testing.T) {
	dir := corpus(t, 3, 1)
	s, ts := start(t, dir, Options{})
	url := ts.URL + "/f/s00001.rss"
	first := get(t, url, nil)
	body, _ := io.ReadAll(first.Body)
	want, _ := os.ReadFile(filepath.Join(dir, "s00001.rss"))
	etag, lm := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	if first.StatusCode != 200 || !bytes.Equal(body, want) || etag == "" || etag[0] != '"' || lm == "" {
		t.Fatalf("first GET: %d, etag %q, last-modified %q, body equal %v", first.StatusCode, etag, lm, bytes.Equal(body, want))
	}
	tests := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"etag", map[string]string{"If-None-Match": etag}, 304},
		{"weak form of the etag", map[string]string{"If-None-Match": "W/" + etag}, 304},
		{"other etag", map[string]string{"If-None-Match": `"nope"`}, 200},
		{"last-modified only", map[string]string{"If-Modified-Since": lm}, 304},
		{"etag decides over last-modified", map[string]string{"If-None-Match": `"nope"`, "If-Modified-Since": lm}, 200},
		{"older date", map[string]string{"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := get(t, url, tc.hdr).StatusCode; got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
	st := s.Stats()
	want2 := Stats{Requests: 7, OK: 4, NotModified: 3, IfNoneMatch: 4, IfModifiedSince: 3, BodyBytes: 4 * int64(len(want))}
	if st != want2 {
		t.Errorf("stats %+v, want %+v", st, want2)
	}
	if get(t, ts.URL+"/f/nope.rss", nil).StatusCode != 404 || s.Stats().Errors != 1 {
		t.Error("unknown file: want 404 counted as an error")
	}
	s.Reset()
	if s.Stats() != (Stats{}) {
		t.Errorf("after reset: %+v", s.Stats())
	}
}

func TestChurn(t *testing.T) {
	dir := corpus(t, 20, 5)
	s, ts := start(t, dir, Options{})
	etags := map[string]string{}
	for i := range 20 {
		name := fmt.Sprintf("s%05d", i)
		etags[name] = get(t, ts.URL+"/f/"+name+".rss", nil).Header.Get("ETag")
	}
	res := s.Churn(0.25, 10) // 3 (2.5 rounded) of the first 10
	if len(res.Changed) != 3 || res.Churn != 1 {
		t.Fatalf("churn: %+v", res)
	}
	for i := range 20 {
		name := fmt.Sprintf("s%05d", i)
		resp := get(t, ts.URL+"/f/"+name+".rss", map[string]string{"If-None-Match": etags[name]})
		changed := slices.Contains(res.Changed, name)
		if changed && i >= 10 {
			t.Errorf("%s changed but is not among the first 10", name)
		}
		if want := map[bool]int{true: 200, false: 304}[changed]; resp.StatusCode != want {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, want)
		}
		if changed {
			body, _ := io.ReadAll(resp.Body)
			if !bytes.Contains(body, []byte("<title>["+name+".1 r1] First</title>")) {
				t.Errorf("%s: first item not revised:\n%s", name, body)
			}
		}
	}
	// Same seed, same churns: another server picks the same sources.
	other, _ := start(t, dir, Options{})
	if again := other.Churn(0.25, 10); !slices.Equal(again.Changed, res.Changed) {
		t.Errorf("same seed, first churn: %v then %v", res.Changed, again.Changed)
	}
	if second := s.Churn(0.25, 10); slices.Equal(second.Changed, res.Changed) {
		t.Errorf("second churn picked the same sources %v", second.Changed)
	}
}

func TestGzip(t *testing.T) {
	dir := corpus(t, 1, 1)
	_, ts := start(t, dir, Options{Gzip: true})
	url := ts.URL + "/f/s00000.rss"
	resp := get(t, url, map[string]string{"Accept-Encoding": "gzip"})
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	want, _ := os.ReadFile(filepath.Join(dir, "s00000.rss"))
	if !bytes.Equal(body, want) {
		t.Error("gunzipped body differs from the file")
	}
	plain := get(t, url, map[string]string{"Accept-Encoding": "gzip;q=0"})
	if plain.Header.Get("Content-Encoding") != "" || plain.Header.Get("ETag") == resp.Header.Get("ETag") {
		t.Errorf("refused gzip: encoding %q, etag %q (gzip %q)", plain.Header.Get("Content-Encoding"),
			plain.Header.Get("ETag"), resp.Header.Get("ETag"))
	}
}
