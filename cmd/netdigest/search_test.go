package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSearch(t *testing.T) {
	cfg, _ := offlineConfig(t)
	if r := runCmd(t, fixedNow, "fetch", "-all", "-config", cfg); r.code != exitOK {
		t.Fatalf("fetch: exit %d\n%s", r.code, r.stderr)
	}

	r := runCmd(t, fixedNow, "search", "-config", cfg, "-n", "5", "xdp", "offload")
	if r.code != exitOK {
		t.Fatalf("search: exit %d\n%s", r.code, r.stderr)
	}
	checkGolden(t, "testdata/search-xdp-offload.txt", []byte(r.stdout))

	r = runCmd(t, fixedNow, "search", "-config", cfg, "-json", "-n", "2", `"hardware offload"`)
	var entries []struct{ ID, Title, Source, Link string }
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil || r.code != exitOK {
		t.Fatalf("search -json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	// Two of the three matches (porter: "Hardware Offloading" too), best first.
	if len(entries) != 2 || entries[0].Title != "eBPF/XDP hardware offload to SmartNICs" || entries[0].Source != "netdev12-blog" ||
		!strings.HasPrefix(entries[0].Link, "https://") {
		t.Errorf("search -json entries = %+v", entries)
	}
	if r := runCmd(t, fixedNow, "search", "-config", cfg, "-json", "nothing-like-this"); r.code != exitOK || strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("search -json with no match: exit %d, %q", r.code, r.stdout)
	}

	tests := []struct {
		args             []string
		code             int
		inStdout, inErrs string
	}{
		{[]string{"nothing-like-this"}, exitOK, "no entry matches: nothing-like-this\n", ""},
		{[]string{"IPv6-only"}, exitOK, "1 match for: IPv6-only\n", ""},
		{[]string{`"xdp`}, exitUsage, "", `netdigest: search: bad query: a phrase has no closing quote (")`},
		{[]string{"--", "-xdp"}, exitUsage, "", "search: bad query: only excluded words"},
		{[]string{}, exitUsage, "", "Usage: netdigest search"},
		{[]string{"-n", "0", "xdp"}, exitUsage, "", "Usage: netdigest search"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCmd(t, fixedNow, append([]string{"search", "-config", cfg}, tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.stdout, tt.inStdout) || !strings.Contains(r.stderr, tt.inErrs) {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
		})
	}
}
