package reliability

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/store"
)

// progressTime is a progress line's local time, and progressDuration its
// duration: both vary per run.
var (
	progressTime     = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d`)
	progressDuration = regexp.MustCompile(` \[[0-9.]+[µnm]?s\]$`)
)

// TestCLIBackoff: the built binary backs off a failing source as the daemon
// does (issue #14): `fetch` and `run` right after a failure do not request
// it again, and say until when; -source and -all still fetch it.
func TestCLIBackoff(t *testing.T) {
	section(t, secBackoff)
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfg := binaryConfig("", map[string]string{"flaky": srv.URL + "/feed"}, "")
	cfg = strings.Replace(cfg, "    url: "+srv.URL+"/feed\n", "    url: "+srv.URL+"/feed\n    schedule: \"@every 1s\"\n", 1)
	if err := os.WriteFile(filepath.Join(dir, "feeds.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	n := nd{bin: buildBinary(t), dir: dir}
	if out, errOut, code := n.run(t, "fetch"); code != 1 || requests.Load() != 1 {
		t.Fatalf("first fetch: exit %d, %d requests\n%s%s", code, requests.Load(), out, errOut)
	}
	line := func(out string) string {
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "flaky") {
				return progressDuration.ReplaceAllString(strings.Join(strings.Fields(l), " "), "")
			}
		}
		return ""
	}

	for i, sub := range []string{"fetch", "run"} {
		t.Run(sub, func(t *testing.T) {
			rec := recordAt(t, 1+i, secBackoff, "a source answering 500 on `@every 1s`, `netdigest "+sub+"` again at once",
				"not requested again within its backoff (5 min ± 20% after the first failure); the progress line says until when")
			st := sourceState(t, n.db(), "flaky")
			end := pipeline.BackoffEnd(st)
			before := requests.Load()
			args := []string{}
			if sub == "run" {
				args = append(args, "-no-digest")
			}
			out, errOut, code := n.run(t, sub, args...)
			got := line(out)
			want := "flaky backing off until " + end.Local().Format(time.DateTime) + " after 1 failure"
			if code != 0 || requests.Load() != before || !strings.Contains(got, want) {
				t.Errorf("exit %d, %d new requests, line %q; want exit 0, none, %q\n%s%s", code, requests.Load()-before, got, want, out, errOut)
			}
			if d := end.Sub(st.LastFetch); d < 4*time.Minute || d >= 6*time.Minute {
				t.Errorf("backoff %s after 1 failure, want 5m ± 20%%", d)
			}
			rec.res("%d new requests; exit %d; %s", requests.Load()-before, code, quote(progressTime.ReplaceAllString(got, "TIME")))
		})
	}
	for i, flag := range []string{"-source flaky", "-all"} {
		t.Run(flag, func(t *testing.T) {
			rec := recordAt(t, 3+i, secBackoff, "`netdigest fetch "+flag+"` within the backoff", "fetched anyway (forced)")
			before := requests.Load()
			out, errOut, code := n.run(t, "fetch", strings.Fields(flag)...)
			if code != 1 || requests.Load() != before+1 || !strings.Contains(out, "HTTP 500") {
				t.Errorf("exit %d, %d new requests; want exit 1, one\n%s%s", code, requests.Load()-before, out, errOut)
			}
			rec.res("%d new request; exit %d; %s", requests.Load()-before, code, quote(line(out)))
		})
	}
}

// sourceState reads one source's state from the binary's store.
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
