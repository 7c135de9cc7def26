package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/internal/shareddata"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixedNow is the clock of every command test, so output is reproducible.
var fixedNow = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t *testing.T, now time.Time, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &env{
		stdout:  &stdout,
		stderr:  &stderr,
		now:     func() time.Time { return now },
		version: "test",
	})
	return result{code, stdout.String(), stderr.String()}
}

// offlineConfig copies examples/offline.yaml into a temporary directory with
// its store and output there and its snapshots read from the repository.
func offlineConfig(t *testing.T) (path, dir string) {
	t.Helper()
	data, err := os.ReadFile("../../examples/offline.yaml")
	if err != nil {
		t.Fatal(err)
	}
	snapshots, err := filepath.Abs("../../examples/snapshots")
	if err != nil {
		t.Fatal(err)
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// Snapshots that tests parse too are read from their testdata (../normalize/…).
	text := strings.NewReplacer("url: snapshots/", "url: "+snapshots+"/", "url: ../", "url: "+repo+"/").Replace(string(data))
	// One worker: sources sharing a link (bootlin and bootlin-blog) are then
	// stored in config order, so the golden feed does not depend on timing.
	text += "fetch:\n  workers: 1\n"
	dir = t.TempDir()
	path = filepath.Join(dir, "offline.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, dir
}

func TestRunOfflineExample(t *testing.T) {
	cfg, dir := offlineConfig(t)
	sources := []string{"bootlin", "netdev12-blog", "lpc2015-notes", "lpc2025-networking", "netdev01-news", "bootlin-blog"}

	r := runCmd(t, fixedNow, "run", "-config", cfg)
	if r.code != exitOK {
		t.Fatalf("run exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, s := range sources {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("no progress line for %s:\n%s", s, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, "6 sources: 6 fetched, 0 not due, 0 failed; 128 new entries") {
		t.Errorf("summary missing or wrong:\n%s", r.stdout)
	}

	feedPath := filepath.Join(dir, "out", "feed.atom")
	got, err := os.ReadFile(feedPath)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "testdata/offline.atom", portable(t, got))
	if report, ok := shareddata.ValidateAtom(t, got); !ok {
		t.Errorf("the offline example's feed is not valid Atom:\n%s", report)
	}

	// Nothing is due 20 minutes later (the most frequent schedule is hourly)…
	r = runCmd(t, fixedNow.Add(20*time.Minute), "run", "-config", cfg)
	if r.code != exitOK || strings.Count(r.stdout, "not due\n") != len(sources) {
		t.Errorf("second run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// …and forcing a fetch finds every snapshot unchanged.
	r = runCmd(t, fixedNow.Add(time.Hour), "fetch", "-all", "-config", cfg)
	if r.code != exitOK || strings.Count(r.stdout, "unchanged (304)") != len(sources) {
		t.Errorf("forced fetch: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	again, _ := os.ReadFile(feedPath)
	if !bytes.Equal(got, again) {
		t.Error("feed changed although no source did")
	}
}

// portable replaces the machine's absolute snapshot paths so the golden
// file is the same on every checkout.
func portable(t *testing.T, b []byte) []byte {
	snapshots, err := filepath.Abs("../../examples/snapshots")
	if err != nil {
		t.Fatal(err)
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.ReplaceAll(b, []byte(filepath.ToSlash(snapshots)), []byte("/EXAMPLES/snapshots"))
	return bytes.ReplaceAll(b, []byte(filepath.ToSlash(repo)+"/"), []byte("/REPO/"))
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/netdigest -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; diff with -update and review", path)
	}
}

func TestBadConfigFetchesNothing(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "feeds.yaml")
	os.WriteFile(cfg, []byte(`title: t
id: urn:x
link: http://127.0.0.1/
sources:
  - name: a
    url: https://example.org/feed
    schedule: "every full moon"
  - name: a
    url: gopher://example.org/
    colour: red
`), 0o644)
	for _, cmd := range []string{"check", "fetch", "run", "feed"} {
		t.Run(cmd, func(t *testing.T) {
			r := runCmd(t, fixedNow, cmd, "-config", cfg)
			if r.code != exitUsage {
				t.Errorf("exit %d, want %d", r.code, exitUsage)
			}
			for _, want := range []string{"feeds.yaml:7:", "feeds.yaml:8:", "feeds.yaml:9:", "feeds.yaml:10:", "nothing was fetched"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "netdigest.db")); !os.IsNotExist(err) {
		t.Errorf("a store was created from a bad config: %v", err)
	}
}

func TestFailingSourceExitsOne(t *testing.T) {
	dir := t.TempDir()
	snap, _ := filepath.Abs("../../examples/snapshots/bootlin-feed.xml")
	cfg := filepath.Join(dir, "feeds.yaml")
	os.WriteFile(cfg, []byte(`title: t
id: urn:x
link: http://127.0.0.1/
sources:
  - name: missing
    url: does-not-exist.xml
  - name: bootlin
    url: `+snap+`
`), 0o644)
	r := runCmd(t, fixedNow, "run", "-config", cfg)
	if r.code != exitPartial {
		t.Errorf("exit %d, want %d", r.code, exitPartial)
	}
	if !strings.Contains(r.stdout, `source "missing"`) || !strings.Contains(r.stdout, "bootlin") || !strings.Contains(r.stdout, "5 new") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	feed, err := os.ReadFile(filepath.Join(dir, "out", "feed.atom"))
	if err != nil || bytes.Count(feed, []byte("<entry>")) != 5 {
		t.Errorf("feed not written with the good source's 5 entries: %v", err)
	}

	r = runCmd(t, fixedNow, "feed", "-config", cfg)
	if r.code != exitOK || !strings.HasPrefix(r.stdout, "<?xml") || strings.Count(r.stdout, "<entry>") != 5 {
		t.Errorf("feed to stdout: exit %d, %d bytes", r.code, len(r.stdout))
	}
	out := filepath.Join(dir, "copy.atom")
	if r = runCmd(t, fixedNow, "feed", "-o", out, "-config", cfg); r.code != exitOK {
		t.Errorf("feed -o: exit %d: %s", r.code, r.stderr)
	}
	if b, err := os.ReadFile(out); err != nil || !bytes.Equal(b, feed) {
		t.Errorf("feed -o wrote something else than run: %v", err)
	}

	r = runCmd(t, fixedNow, "fetch", "-source", "bootlin", "-config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "unchanged") || strings.Contains(r.stdout, "missing") {
		t.Errorf("fetch -source bootlin: exit %d\n%s", r.code, r.stdout)
	}
	if r = runCmd(t, fixedNow, "fetch", "-source", "nope", "-config", cfg); r.code != exitUsage {
		t.Errorf("fetch -source nope: exit %d, want %d", r.code, exitUsage)
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{nil, exitUsage, "Commands:"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"-h"}, exitOK, "Commands:"},
		{[]string{"fetch", "-h"}, exitOK, "Exit status: 0 all well, 1 some source failed"},
		{[]string{"run", "-h"}, exitOK, "-config file"},
		{[]string{"fetch", "-nope"}, exitUsage, "flag provided but not defined"},
		{[]string{"check", "extra-arg"}, exitUsage, "Usage: netdigest check"},
		{[]string{"check", "-config", "/nonexistent/feeds.yaml"}, exitUsage, "no such file"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCmd(t, fixedNow, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.inStderr) {
				t.Errorf("exit %d (want %d), stderr:\n%s", r.code, tt.code, r.stderr)
			}
		})
	}
}

func TestCheckListsSources(t *testing.T) {
	cfg, _ := offlineConfig(t)
	r := runCmd(t, fixedNow, "check", "-config", cfg)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"6 sources", "netdev12-blog", "Netdev 1.2", "0 */6 * * *", "conference-report"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestPreview(t *testing.T) {
	cfg, dir := offlineConfig(t)
	r := runCmd(t, fixedNow, "preview", "-config", cfg, "netdev12-blog")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"1. Microservice Networking Leveraging VRF on the Host", "2016-10-07", "Netdev 1.2, ", "role:    report", "netdev12-blog: 33 entries from file://"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("preview lacks %q:\n%s", want, r.stdout)
		}
	}

	r = runCmd(t, fixedNow, "preview", "-json", "-config", cfg, "bootlin")
	var entries []struct {
		ID, Title, Link string
		Authors         []string
		Published       time.Time
	}
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || r.code != exitOK {
		t.Fatalf("preview -json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	if len(entries) != 5 || entries[0].Title != "Feedback from the Netdev 0x13 conference" || len(entries[0].Authors) == 0 || entries[0].Published.IsZero() {
		t.Errorf("preview -json entries = %+v", entries)
	}

	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Error("preview created the output directory or store; it must store nothing")
	}
	for _, args := range [][]string{{"preview", "-config", cfg}, {"preview", "-config", cfg, "nope"}} {
		if r := runCmd(t, fixedNow, args...); r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, r.code, exitUsage)
		}
	}
}

func TestBackup(t *testing.T) {
	cfg, dir := offlineConfig(t)
	if r := runCmd(t, fixedNow, "fetch", "-source", "bootlin", "-config", cfg); r.code != exitOK {
		t.Fatalf("fetch: %d %s", r.code, r.stderr)
	}
	copyPath := filepath.Join(dir, "copy.db")
	if r := runCmd(t, fixedNow, "backup", "-config", cfg, copyPath); r.code != exitOK {
		t.Fatalf("backup: %d %s", r.code, r.stderr)
	}
	// The copy is a working store: point a config at it and render its feed.
	data, _ := os.ReadFile(cfg)
	other := filepath.Join(dir, "copy.yaml")
	os.WriteFile(other, []byte(strings.Replace(string(data), "store: out/netdigest.db", "store: copy.db", 1)), 0o644)
	r := runCmd(t, fixedNow, "feed", "-config", other)
	if r.code != exitOK || strings.Count(r.stdout, "<entry>") != 5 {
		t.Errorf("feed from the backup: exit %d, %d entries", r.code, strings.Count(r.stdout, "<entry>"))
	}
	if r := runCmd(t, fixedNow, "backup", "-config", cfg, copyPath); r.code != exitPartial || !strings.Contains(r.stderr, "file exists") {
		t.Errorf("backup over an existing file: exit %d, %s", r.code, r.stderr)
	}
}
