package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/store"
)

// TestCLIBacksOff: the CLI backs off a failing source as the daemon does. A
// source answering 500 on "@every 1s" is not requested again by the next
// fetch or run within its backoff, and the progress line says until when;
// -source and -all still fetch it.
func TestCLIBacksOff(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(cfg, []byte(`title: t
id: urn:x
link: http://127.0.0.1/
fetch:
  allow_private_networks: true
sources:
  - name: flaky
    url: `+srv.URL+`/feed
    schedule: "@every 1s"
`), 0o644); err != nil {
		t.Fatal(err)
	}
	want := func(n int32, after string) {
		t.Helper()
		if got := requests.Load(); got != n {
			t.Errorf("after %s: %d requests, want %d", after, got, n)
		}
	}

	if r := runCmd(t, fixedNow, "fetch", "-config", cfg); r.code != exitPartial || !strings.Contains(r.stdout, "HTTP 500") {
		t.Fatalf("first fetch: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want(1, "the first fetch")

	st := sourceState(t, filepath.Join(dir, "netdigest.db"), "flaky")
	end := pipeline.BackoffEnd(st)
	line := "flaky                backing off until " + end.Local().Format(time.DateTime) + " after 1 failure\n"
	r := runCmd(t, fixedNow.Add(time.Minute), "fetch", "-config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, line) || !strings.Contains(r.stdout, "1 sources: 0 fetched, 1 not due, 0 failed") {
		t.Errorf("fetch within the backoff: exit %d, want %d and the line %q:\n%s%s", r.code, exitOK, line, r.stdout, r.stderr)
	}
	want(1, "a fetch within the backoff")
	if r := runCmd(t, fixedNow.Add(2*time.Minute), "run", "-no-digest", "-config", cfg); !strings.Contains(r.stdout, "backing off until") {
		t.Errorf("run within the backoff:\n%s%s", r.stdout, r.stderr)
	}
	want(1, "a run within the backoff")

	if r := runCmd(t, fixedNow.Add(2*time.Minute), "fetch", "-source", "flaky", "-config", cfg); r.code != exitPartial || !strings.Contains(r.stdout, "HTTP 500") {
		t.Errorf("fetch -source: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want(2, "fetch -source")
	if r := runCmd(t, fixedNow.Add(2*time.Minute), "fetch", "-all", "-config", cfg); r.code != exitPartial {
		t.Errorf("fetch -all: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want(3, "fetch -all")

	// Three failures: backing off for 20m ± 20% from the last attempt, then
	// fetched again on the next run after it.
	st = sourceState(t, filepath.Join(dir, "netdigest.db"), "flaky")
	end = pipeline.BackoffEnd(st)
	if r := runCmd(t, end.Add(-time.Second), "fetch", "-config", cfg); !strings.Contains(r.stdout, "after 3 failures") {
		t.Errorf("just before the backoff's end:\n%s", r.stdout)
	}
	want(3, "a fetch just before the backoff's end")
	runCmd(t, end, "fetch", "-config", cfg)
	want(4, "a fetch once the backoff is over")
}

func sourceState(t *testing.T, path, name string) store.SourceState {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := st.SourceState(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
