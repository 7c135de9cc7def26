package main

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/netdigest/netdigest/internal/shareddata"
)

// run writes the feeds of the topics and conferences when publish: asks,
// and feed -topic / -conference writes the same bytes.
func TestPublishParts(t *testing.T) {
	cfg, dir := offlineConfig(t)
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("publish: {topics: true, conferences: true}\n")
	f.Close()

	r := runCmd(t, fixedNow, "run", "-no-digest", "-config", cfg)
	if r.code != exitOK {
		t.Fatalf("run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	out := filepath.Join(dir, "out")
	// 16 topics and 4 conferences, 3 formats each.
	if !strings.Contains(r.stdout, "feeds of parts: 60 files in "+out+"/topics/, "+out+"/conferences/") {
		t.Errorf("run does not report the parts' feeds:\n%s", r.stdout)
	}
	for _, file := range []string{"topics/xdp", "topics/tls-ktls", "topics/nftables-netfilter", "topics/tcp-congestion-control",
		"conferences/netdev-0-1", "conferences/netdev-1-2", "conferences/lpc-2015-networking-mc", "conferences/lpc-2025-networking-track"} {
		for _, ext := range []string{".atom", ".json", ".rss"} {
			if _, err := os.Stat(filepath.Join(out, file+ext)); err != nil {
				t.Errorf("not written: %v", err)
			}
		}
	}

	xdp, err := os.ReadFile(filepath.Join(out, "topics", "xdp.atom"))
	if err != nil {
		t.Fatal(err)
	}
	if report, ok := shareddata.ValidateAtom(t, xdp); !ok {
		t.Errorf("topics/xdp.atom is not valid Atom:\n%s", report)
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(xdp))
	if err != nil {
		t.Fatal(err)
	}
	if feed.Title != "netdigest — XDP" || feed.Link != "http://127.0.0.1:8080/topics/xdp" || len(feed.Items) == 0 {
		t.Errorf("topics/xdp.atom: title %q, link %q, %d items", feed.Title, feed.Link, len(feed.Items))
	}
	for _, it := range feed.Items {
		if !slices.ContainsFunc(it.Categories, func(c string) bool { return strings.EqualFold(c, "xdp") }) {
			t.Errorf("%q in the XDP feed is not tagged XDP: %q", it.Title, it.Categories)
		}
	}

	// feed writes the same feeds, by the name as configured.
	if r := runCmd(t, fixedNow, "feed", "-topic", "XDP", "-config", cfg); r.code != exitOK || r.stdout != string(xdp) {
		t.Errorf("feed -topic XDP: exit %d, %d bytes (run wrote %d)\n%s", r.code, len(r.stdout), len(xdp), r.stderr)
	}
	netdev01 := filepath.Join(dir, "netdev01.json")
	if r := runCmd(t, fixedNow, "feed", "-conference", "Netdev 0.1", "-format", "json", "-o", netdev01, "-config", cfg); r.code != exitOK {
		t.Fatalf("feed -conference: exit %d: %s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(netdev01)
	want, _ := os.ReadFile(filepath.Join(out, "conferences", "netdev-0-1.json"))
	if len(want) == 0 || !bytes.Equal(got, want) {
		t.Errorf("feed -conference \"Netdev 0.1\" -format json differs from run's conferences/netdev-0-1.json")
	}
	// The merged feed in another format.
	if r := runCmd(t, fixedNow, "feed", "-format", "rss", "-config", cfg); r.code != exitOK || !strings.Contains(r.stdout, "<rss") {
		t.Errorf("feed -format rss: exit %d", r.code)
	}

	// A topic taken out of the config: its files go at the next run.
	text, _ := os.ReadFile(cfg)
	without := strings.Replace(string(text), "\n  QUIC: [quic]\n", "\n", 1)
	if without == string(text) {
		t.Fatal("no QUIC topic in the offline example")
	}
	os.WriteFile(cfg, []byte(without), 0o644)
	if r := runCmd(t, fixedNow, "run", "-no-digest", "-config", cfg); r.code != exitOK || !strings.Contains(r.stdout, "57 files in") ||
		!strings.Contains(r.stdout, "(3 stale removed)") {
		t.Errorf("run without the QUIC topic: exit %d\n%s", r.code, r.stdout)
	}
	if _, err := os.Stat(filepath.Join(out, "topics", "quic.atom")); !os.IsNotExist(err) {
		t.Errorf("topics/quic.atom is still there: %v", err)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-topic", "Bluetooth"}, `no topic "Bluetooth" (its slug would be bluetooth); known: "XDP", "eBPF"`},
		{[]string{"-conference", "Netdev 9"}, `known: "Netdev 1.2", "LPC 2015 · Networking MC"`},
		{[]string{"-topic", "XDP", "-conference", "Netdev 0.1"}, "give one of them"},
		{[]string{"-format", "xml"}, `-format "xml": want atom, json or rss`},
	} {
		r := runCmd(t, fixedNow, append([]string{"feed", "-config", cfg}, tc.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("feed %q: exit %d, stderr %q; want %d and %q", tc.args, r.code, r.stderr, exitUsage, tc.want)
		}
	}
}

// Without publish:, run writes the merged feed only.
func TestRunWithoutPublish(t *testing.T) {
	dir := t.TempDir()
	snap, _ := filepath.Abs("../../normalize/page/testdata/netdev12-blog.atom")
	cfg := filepath.Join(dir, "feeds.yaml")
	os.WriteFile(cfg, []byte("title: t\nid: urn:x\nlink: http://127.0.0.1/\ntopics:\n  XDP: [xdp]\nsources:\n  - name: a\n    conference: Netdev 1.2\n    url: "+snap+"\n"), 0o644)
	if r := runCmd(t, fixedNow, "run", "-no-digest", "-config", cfg); r.code != exitOK || strings.Contains(r.stdout, "feeds of parts") {
		t.Fatalf("run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, d := range []string{"topics", "conferences"} {
		if _, err := os.Stat(filepath.Join(dir, "out", d)); !os.IsNotExist(err) {
			t.Errorf("%s/ written without publish: (%v)", d, err)
		}
	}
	// The feeds are there on demand all the same.
	if r := runCmd(t, fixedNow, "feed", "-conference", "netdev 1.2", "-config", cfg); r.code != exitOK || !strings.Contains(r.stdout, "— Netdev 1.2</title>") {
		t.Errorf("feed -conference: exit %d\n%s", r.code, r.stderr)
	}
}

// serve writes the parts' feeds after a fetch that brought something, as it
// writes feed.atom, and serves the same parts.
func TestServePublishesParts(t *testing.T) {
	path, live := serveConfig(t)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("publish: {topics: true}\n")
	f.Close()
	d := startServe(t, path)
	out := filepath.Join(filepath.Dir(path), "out")

	live.write(t, "Live: XDP on a new NIC")
	waitFor(t, "the daemon to write topics/xdp.atom with the live entry", func() bool {
		b, err := os.ReadFile(filepath.Join(out, "topics", "xdp.atom"))
		return err == nil && bytes.Contains(b, []byte("Live: XDP on a new NIC"))
	})
	if _, err := os.Stat(filepath.Join(out, "conferences")); !os.IsNotExist(err) {
		t.Errorf("conferences/ written though publish: does not ask for it (%v)", err)
	}
	resp, body := get(t, d.base+"topics/xdp.atom")
	if resp.StatusCode != http.StatusOK || !slices.Contains(atomTitles(t, body), "Live: XDP on a new NIC") {
		t.Errorf("GET /topics/xdp.atom: %s", resp.Status)
	}
	if resp, _ := get(t, d.base+"conferences/netdev-1-2"); resp.StatusCode != http.StatusOK {
		t.Errorf("GET /conferences/netdev-1-2: %s", resp.Status)
	}
}
