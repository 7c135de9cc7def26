package config

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestMakeName(t *testing.T) {
	taken := map[string]bool{"lwn": true, "lwn-2": true}
	tests := []struct{ in, want string }{
		{"LWN.net", "lwn-net"},
		{"Tom's R&D blog", "tom-s-r-d-blog"},
		{"  Café Réseau  ", "cafe-reseau"},
		{"Netdev 0x19", "netdev-0x19"},
		{"内核", ""},
		{"---", ""},
		{"lwn", "lwn-3"},
		{"LWN", "lwn-3"}, // lower-cased first, then made unique
		{"The Linux Kernel Mailing List archive of the netdev list (all of it)", "the-linux-kernel-mailing-list-archive-of"},
	}
	for _, tt := range tests {
		got := MakeName(tt.in, func(n string) bool { return taken[n] })
		if got != tt.want {
			t.Errorf("MakeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got != "" && !ValidName(got) {
			t.Errorf("MakeName(%q) = %q: not a valid name", tt.in, got)
		}
	}
}

// appendTop is the top of a valid config; the sources follow.
const appendTop = "title: t\nid: tag:example.org,2026:t\nlink: https://example.org/\n"

var added = []NewSource{
	{Name: "new-one", Kind: KindFeed, URL: "https://a.example/feed?x=1&y=2", Tags: []string{"Kernel & drivers", "kernel & drivers", "XDP"},
		Comment: "Added by netdigest opml import.\nNew One: \"quoted\""},
	{Name: "new-two", Kind: KindFeed, URL: "https://b.example/rss", Conference: "Netdev 0x19"},
}

func TestAppendSources(t *testing.T) {
	tests := []struct{ name, in string }{
		{"block list, comments, a key after", appendTop + "sources:\n  # first\n  - name: old\n    url: https://old.example/feed # trailing\n    tags: [x]\n    # a comment inside the last item\n\n# about mail\ndigest:\n  first_days: 3\n"},
		{"zero-indented list at the end without newline", appendTop + "sources:\n- name: old\n  url: https://old.example/feed"},
		{"indented four, CRLF", strings.ReplaceAll(appendTop+"sources:\n    -   name: old\n        url: https://old.example/feed\n", "\n", "\r\n")},
		{"empty flow list", appendTop + "sources: [] # none yet\nmax_entries: 5\n"},
		{"empty flow list alone", appendTop + "sources: []\n"},
		{"null", appendTop + "sources:\nmax_entries: 5\n"},
		{"no sources key", appendTop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := AppendSources([]byte(tt.in), added)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := Parse("feeds.yaml", out)
			if err != nil {
				t.Fatalf("result does not parse: %v\n%s", err, out)
			}
			n := len(cfg.Sources)
			if n < 2 {
				t.Fatalf("%d sources:\n%s", n, out)
			}
			a, b := cfg.Sources[n-2], cfg.Sources[n-1]
			if a.Name != "new-one" || a.URL != "https://a.example/feed?x=1&y=2" || strings.Join(a.Tags, "|") != "Kernel & drivers|XDP" || a.Kind != KindFeed {
				t.Errorf("first added = %+v", a)
			}
			if b.Name != "new-two" || b.Conference != "Netdev 0x19" || len(b.Tags) != 0 {
				t.Errorf("second added = %+v", b)
			}
			if bytes.Contains([]byte(tt.in), []byte("\r\n")) && bytes.Count(out, []byte("\n")) != bytes.Count(out, []byte("\r\n")) {
				t.Errorf("line endings mixed:\n%q", out)
			}
			if strings.Contains(tt.in, "# about mail") && !strings.Contains(string(out), "\n# about mail\ndigest:") {
				t.Errorf("the head comment of the next key was separated from it:\n%s", out)
			}
			if !strings.Contains(string(out), "# New One: \"quoted\"") {
				t.Errorf("comment missing:\n%s", out)
			}
			// An empty flow list loses its "[]"; nothing else may change.
			in := strings.Replace(tt.in, "sources: []\n", "sources:\n", 1)
			checkUntouched(t, strings.Replace(in, "sources: []", "sources: ", 1), string(out))
		})
	}
}

// checkUntouched says out is in with lines inserted at one place: the
// longest common prefix and suffix cover all of in, but for the one byte an
// edit may add (the last line's end).
func checkUntouched(t *testing.T, in, out string) {
	t.Helper()
	if in != "" && !strings.HasSuffix(in, "\n") {
		in += "\n"
	}
	p := 0
	for p < len(in) && p < len(out) && in[p] == out[p] {
		p++
	}
	s := 0
	for s < len(in)-p && s < len(out)-p && in[len(in)-1-s] == out[len(out)-1-s] {
		s++
	}
	if removed := in[p : len(in)-s]; removed != "" {
		t.Errorf("the edit changed existing text %q:\n%s", removed, out)
	}
}

// The repository's own feeds.yaml: long, commented, with keys after sources.
func TestAppendSourcesToRealConfig(t *testing.T) {
	in, err := os.ReadFile("../feeds.yaml")
	if err != nil {
		t.Skip(err)
	}
	out, err := AppendSources(in, added)
	if err != nil {
		t.Fatal(err)
	}
	before, err := Parse("../feeds.yaml", in)
	if err != nil {
		t.Fatal(err)
	}
	after, err := Parse("../feeds.yaml", out)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Sources) != len(before.Sources)+2 || after.Sources[len(after.Sources)-1].Name != "new-two" {
		t.Fatalf("%d sources, then %d", len(before.Sources), len(after.Sources))
	}
	checkUntouched(t, string(in), string(out))
}

// Values that YAML would read as something else than a string stay strings.
func TestAppendSourcesQuotes(t *testing.T) {
	tags := []string{"null", "~", "yes", "1.0", "#x", "- a", "[b]", "a: b", "&x", "*y", "'q'", `"dq"`, "ünï", "x #y"}
	out, err := AppendSources([]byte(appendTop), []NewSource{{Name: "0x19", Kind: KindFeed, URL: "https://a.example/?q=1#x",
		Conference: `Netdev 0x19: "x"`, Tags: tags}})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("feeds.yaml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	s := cfg.Sources[0]
	if s.Name != "0x19" || s.URL != "https://a.example/?q=1#x" || s.Conference != `Netdev 0x19: "x"` || strings.Join(s.Tags, "|") != strings.Join(tags, "|") {
		t.Errorf("read back as %q %q %q %q:\n%s", s.Name, s.URL, s.Conference, s.Tags, out)
	}
}

func TestAppendSourcesRefuses(t *testing.T) {
	for _, in := range []string{
		appendTop + "sources: [{name: a, url: 'https://a.example/'}]\n",
		appendTop + "sources: 3\n",
		"- a\n- b\n",
	} {
		if out, err := AppendSources([]byte(in), added); err == nil {
			t.Errorf("AppendSources(%q) = %s, want an error", in, out)
		}
	}
}
