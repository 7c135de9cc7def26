package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/internal/tooltest"
	"github.com/netdigest/netdigest/opml"
)

var spaces = regexp.MustCompile(` +`)

const importTop = `# My netdigest.
title: "Mine"   # quoted on purpose
id: tag:example.org,2026:mine
link: https://example.org/news/
`

func writeFile(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
}

func TestOPMLExportCommand(t *testing.T) {
	cfgPath, dir := offlineConfig(t)
	r := runCmd(t, fixedNow, "opml", "export", "-config", cfgPath)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	doc, err := opml.Parse([]byte(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(doc.Walk()); n != len(cfg.Sources) {
		t.Errorf("%d outlines for %d sources:\n%s", n, len(cfg.Sources), r.stdout)
	}
	if strings.Contains(r.stdout, "file:") || strings.Contains(r.stdout, "snapshots/") {
		t.Errorf("the export shows local paths:\n%s", r.stdout)
	}
	out := filepath.Join(dir, "sources.opml")
	if r := runCmd(t, fixedNow, "opml", "export", "-config", cfgPath, "-o", out); r.code != exitOK || r.stdout != "" {
		t.Fatalf("-o: exit %d: %s%s", r.code, r.stdout, r.stderr)
	}
	if data, _ := os.ReadFile(out); string(data) != r.stdout {
		t.Errorf("-o wrote something else than stdout")
	}
	if r := runCmd(t, fixedNow, "opml", "frobnicate"); r.code != exitUsage || !strings.Contains(r.stderr, "unknown subcommand") {
		t.Errorf("unknown subcommand: exit %d: %s", r.code, r.stderr)
	}
}

func TestOPMLImportCommand(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.yaml")
	orig := importTop + `sources:
  # The one I had.
  - name: lwn
    url: https://lwn.net/headlines/rss

# Digest on Fridays.
digest:
  schedule: "0 8 * * FRI"
`
	writeFile(t, real, orig, 0o600)
	link := filepath.Join(dir, "feeds.yaml")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	subs := filepath.Join(dir, "subs.opml")
	writeFile(t, subs, `<?xml version="1.0"?>
<opml version="2.0"><body>
<outline text="Kernel">
  <outline text="LWN.net" type="rss" xmlUrl="https://lwn.net/headlines/rss"/>
  <outline text="Tom's R&amp;amp;D blog" type="rss" xmlUrl="https://blog.tohojo.dk/feeds/all.atom.xml"/>
  <outline text="A page" htmlUrl="https://example.org/page"/>
</outline>
</body></opml>
`, 0o644)

	// -n says what would happen and writes nothing.
	r := runCmd(t, fixedNow, "opml", "import", "-config", link, "-n", subs)
	if r.code != exitOK || !strings.Contains(spaces.ReplaceAllString(r.stdout, " "), "would add tom-s-r-d-blog") || !strings.Contains(r.stdout, "nothing written") {
		t.Fatalf("-n: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if data, _ := os.ReadFile(real); string(data) != orig {
		t.Fatalf("-n changed the config")
	}

	r = runCmd(t, fixedNow, "opml", "import", "-config", link, subs)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		`skipped  ` + subs + `:4  LWN.net  https://lwn.net/headlines/rss: already in the config as source "lwn"`,
		`skipped  ` + subs + `:6  A page   https://example.org/page: a page, not a feed`,
		"added    tom-s-r-d-blog  https://blog.tohojo.dk/feeds/all.atom.xml  tags Kernel",
		"1 feed added to " + real + ", 2 skipped",
	} {
		if !strings.Contains(spaces.ReplaceAllString(r.stdout, " "), spaces.ReplaceAllString(want, " ")) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	data, _ := os.ReadFile(real)
	head := strings.TrimSuffix(orig[:strings.Index(orig, "# Digest")], "\n")
	if !strings.HasPrefix(string(data), head) || !strings.HasSuffix(string(data), orig[len(head):]) {
		t.Errorf("the config's own text changed:\n%s", data)
	}
	for _, want := range []string{"# Added by 'netdigest opml import subs.opml' on 2026-11-23.", "# Tom's R&D blog", "- name: tom-s-r-d-blog"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("config lacks %q:\n%s", want, data)
		}
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symlink was replaced by a file")
	}
	if fi, _ := os.Stat(real); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600 kept", fi.Mode().Perm())
	}
	cfg, err := config.Load(link)
	if err != nil || len(cfg.Sources) != 2 || cfg.Sources[1].Tags[0] != "Kernel" {
		t.Fatalf("config after import: %v %+v", err, cfg)
	}

	// Again: everything is there now.
	if r := runCmd(t, fixedNow, "opml", "import", "-config", link, subs); r.code != exitOK || !strings.Contains(r.stdout, "nothing to add") {
		t.Errorf("second import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestOPMLImportIntoEmptyConfigRoundTrip(t *testing.T) {
	src, dir := offlineConfig(t)
	subs := filepath.Join(dir, "sources.opml")
	if r := runCmd(t, fixedNow, "opml", "export", "-config", src, "-o", subs); r.code != exitOK {
		t.Fatalf("export: %s", r.stderr)
	}
	empty := filepath.Join(dir, "empty.yaml")
	writeFile(t, empty, importTop, 0o644) // no sources key at all
	if r := runCmd(t, fixedNow, "opml", "import", "-config", empty, subs); r.code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	before, _ := config.Load(src)
	after, err := config.Load(empty)
	if err != nil {
		t.Fatal(err)
	}
	var feeds []string
	for _, s := range before.Sources {
		if s.Kind == config.KindFeed && s.PublicURL != "" {
			feeds = append(feeds, s.Name+" "+s.PublicURL+" "+s.Conference+" "+strings.Join(s.Tags, ","))
		}
	}
	var got []string
	for _, s := range after.Sources {
		got = append(got, s.Name+" "+s.URL+" "+s.Conference+" "+strings.Join(s.Tags, ","))
	}
	if len(feeds) == 0 || strings.Join(sorted(got), "\n") != strings.Join(sorted(feeds), "\n") {
		t.Errorf("imported:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(feeds, "\n"))
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func TestOPMLImportRefuses(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "feeds.yaml")
	good := importTop + "sources:\n  - name: lwn\n    url: https://lwn.net/headlines/rss\n"
	subs := filepath.Join(dir, "subs.opml")
	writeFile(t, subs, `<opml><body><outline text="x" xmlUrl="https://x.example/feed"/></body></opml>`, 0o644)
	bad := filepath.Join(dir, "bad.opml")
	writeFile(t, bad, "<opml>\n<body>\n<outline text=\"x\" xmlUrl=\"https://x.example/feed\">\n</body></opml>\n", 0o644)

	var many strings.Builder
	many.WriteString("<opml><body>\n")
	for i := range 20000 {
		fmt.Fprintf(&many, "<outline text=\"Feed %d with a rather long title\" xmlUrl=\"https://feeds.example.org/some/path/%d.xml\"/>\n", i, i)
	}
	many.WriteString("</body></opml>\n")
	large := filepath.Join(dir, "large.opml")
	writeFile(t, large, many.String(), 0o644)

	tests := []struct {
		name, config, opml, want string
	}{
		{"config too large after", good, large, "it would be larger than 1048576 bytes"},
		{"broken OPML", good, bad, bad + ":4: element <outline> closed by </body>"},
		{"missing OPML", good, filepath.Join(dir, "none.opml"), "no such file"},
		{"broken config", good + "  - name: lwn\n    url: https://other.example/\n", subs, "fix them before importing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeFile(t, cfgPath, tt.config, 0o644)
			r := runCmd(t, fixedNow, "opml", "import", "-config", cfgPath, tt.opml)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q, want 2 and %q", r.code, r.stderr, tt.want)
			}
			if strings.Contains(r.stdout, "added") {
				t.Errorf("reports sources added when none were:\n%s", r.stdout)
			}
			if data, _ := os.ReadFile(cfgPath); string(data) != tt.config {
				t.Errorf("the config changed")
			}
		})
	}
}

// Debian's newsboat reads the export (folders become its tags) and writes
// its own export, which imports back: the same feed URLs, named from their
// hosts since newsboat writes empty titles for feeds it has not fetched.
func TestOPMLWithNewsboat(t *testing.T) {
	bin := tooltest.Find(t, "newsboat", "newsboat")
	dir := t.TempDir()
	src := "../../feeds.yaml"
	subs := filepath.Join(dir, "sources.opml")
	if r := runCmd(t, fixedNow, "opml", "export", "-config", src, "-o", subs); r.code != exitOK {
		t.Fatalf("export: %s", r.stderr)
	}
	writeFile(t, filepath.Join(dir, "config"), "", 0o644)
	newsboat := func(args ...string) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, append([]string{"-u", filepath.Join(dir, "urls"), "-c", filepath.Join(dir, "cache.db"),
			"-C", filepath.Join(dir, "config")}, args...)...)
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("newsboat %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	newsboat("-i", subs)
	urls, err := os.ReadFile(filepath.Join(dir, "urls"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, s := range cfg.Sources {
		if s.Kind != config.KindFeed || s.PublicURL == "" {
			continue
		}
		want = append(want, s.PublicURL)
		line := s.PublicURL
		if s.Conference != "" {
			line += ` "` + s.Conference + `"`
		}
		if !slices.Contains(strings.Split(string(urls), "\n"), line) {
			t.Errorf("newsboat's urls lack %q:\n%s", line, urls)
		}
	}

	exported := filepath.Join(dir, "newsboat.opml")
	writeFile(t, exported, newsboat("-e"), 0o644)
	empty := filepath.Join(dir, "feeds.yaml")
	writeFile(t, empty, importTop, 0o644)
	if r := runCmd(t, fixedNow, "opml", "import", "-config", empty, exported); r.code != exitOK {
		t.Fatalf("import of newsboat's export: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	back, err := config.Load(empty)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range back.Sources {
		got = append(got, s.URL)
	}
	if strings.Join(sorted(got), "\n") != strings.Join(sorted(want), "\n") {
		t.Errorf("imported from newsboat:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if back.Sources[0].Name != "bootlin-com" {
		t.Errorf("first name %q, want it from the host (newsboat exports no title)", back.Sources[0].Name)
	}
}
