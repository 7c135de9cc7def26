package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPreviewFeedSplit: preview shows a feed split per talk, and a split
// pattern matching no heading fails with a hint at split.pattern.
func TestPreviewFeedSplit(t *testing.T) {
	rssPath, err := filepath.Abs("../../normalize/page/testdata/netdev12-blog.rss")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "feeds.yaml")
	yaml := `title: t
id: urn:x
link: http://127.0.0.1/
store: ` + filepath.Join(dir, "db") + `
output: ` + filepath.Join(dir, "out") + `
sources:
  - name: blog
    kind: feed
    url: file://` + rssPath + `
    split:
      heading: h2
  - name: wrong
    kind: feed
    url: file://` + rssPath + `
    split:
      heading: h2
      pattern: '^Talk: (?P<title>.+)$'
`
	if err := os.WriteFile(cfg, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, fixedNow, "preview", "-config", cfg, "blog")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"1. Microservice Networking Leveraging VRF on the Host", "33. Stacked Vlan: Performance Improvement and Challenges", "blog: 33 entries from file://"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("preview lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runCmd(t, fixedNow, "preview", "-config", cfg, "wrong")
	if r.code != exitPartial || !strings.Contains(r.stderr, "split pattern ^Talk: (?P<title>.+)$ matched none of the 33 headings") ||
		!strings.Contains(r.stderr, `hint: check split.pattern of source "wrong"`) {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
}
