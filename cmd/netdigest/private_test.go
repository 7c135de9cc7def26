package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// privateConfig writes a config whose two sources, public and wiki, are
// served on 127.0.0.1; fetch and wiki are extra lines for the fetch: block
// and the wiki source.
func privateConfig(t *testing.T, url, fetch, wiki string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "feeds.yaml")
	text := "title: t\nid: urn:x\nlink: http://127.0.0.1/\n" + fetch +
		"sources:\n  - name: public\n    url: " + url + "/public\n  - name: wiki\n    url: " + url + "/wiki\n" + wiki
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPrivateNetworksOptIn(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>%[1]s</title><link>https://example.org/</link><description>d</description>
<item><title>%[1]s post</title><link>https://example.org%[1]s</link><guid>https://example.org%[1]s</guid></item></channel></rss>`, r.URL.Path)
	}))
	defer srv.Close()
	refused := func(name string) string {
		return fmt.Sprintf("error: source %q: fetch %s/%s: 127.0.0.1 is a loopback address (allow_private_networks is off)", name, srv.URL, name)
	}
	tests := []struct {
		name, fetch, wiki string
		check             string // the check command's line
		code              int
		want, notWant     []string
	}{
		{"default", "", "",
			"private networks: refused for every source (allow_private_networks is off)",
			exitPartial, []string{refused("public"), refused("wiki")}, nil},
		{"per source", "", "    allow_private_networks: true\n",
			"private networks: allowed for wiki only (allow_private_networks on the source)",
			exitPartial, []string{refused("public"), "wiki                 new: 1"}, []string{refused("wiki")}},
		{"global", "fetch:\n  allow_private_networks: true\n", "",
			"private networks: allowed for every source (fetch: allow_private_networks)",
			exitOK, []string{"public               new: 1", "wiki                 new: 1"}, []string{"error:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := privateConfig(t, srv.URL, tt.fetch, tt.wiki)
			if r := runCmd(t, fixedNow, "check", "-config", cfg); r.code != exitOK || !strings.Contains(r.stdout, tt.check) {
				t.Errorf("check: exit %d, output lacks %q:\n%s%s", r.code, tt.check, r.stdout, r.stderr)
			}
			r := runCmd(t, fixedNow, "fetch", "-all", "-config", cfg)
			if r.code != tt.code {
				t.Errorf("fetch: exit %d, want %d\n%s%s", r.code, tt.code, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("fetch output lacks %q:\n%s", w, r.stdout)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(r.stdout, w) {
					t.Errorf("fetch output has %q:\n%s", w, r.stdout)
				}
			}
		})
	}
}
