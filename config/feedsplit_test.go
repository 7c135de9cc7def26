package config

import (
	"strings"
	"testing"
)

// TestParseSplitOnFeed: split applies to kind feed (each item's content is
// split at its talk headings), with the same checks as for pages; select
// still does not.
func TestParseSplitOnFeed(t *testing.T) {
	head := "title: t\nid: urn:x\nlink: http://x/\nsources:\n  - name: blog\n    url: http://x/feed/\n    kind: feed\n"
	cfg, err := Parse("feeds.yaml", []byte(head+"    split:\n      heading: h2\n      pattern: '^(?P<title>.+)$'\n"))
	if err != nil {
		t.Fatal(err)
	}
	if sp := cfg.Sources[0].Split; sp == nil || sp.Heading != "h2" || sp.Pattern == nil {
		t.Fatalf("split = %+v", sp)
	}
	for _, tt := range []struct{ name, yaml, want string }{
		{"split without heading", "    split:\n      pattern: '(?P<title>.*)'\n", ":9: split needs heading"},
		{"bad heading selector", "    split:\n      heading: 'h2[['\n", `:9: selector "h2[["`},
		{"pattern without groups", "    split:\n      heading: h2\n      pattern: '^\\d+'\n", ":10: pattern"},
		{"select still refused", "    select:\n      item: li\n", `:8: source "blog": "select" does not apply to kind feed`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("feeds.yaml", []byte(head+tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
