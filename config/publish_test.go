package config

import (
	"strings"
	"testing"
)

func TestParsePublish(t *testing.T) {
	const head = "title: t\nid: urn:x\nlink: http://x/\nsources:\n  - name: a\n    url: http://x/\n"
	for _, tc := range []struct {
		name, yaml string
		want       Publish
		problem    string // "" for a valid file
	}{
		{"absent", head, Publish{}, ""},
		{"both", head + "publish: {topics: true, conferences: true}\n", Publish{Topics: true, Conferences: true}, ""},
		{"topics only", head + "publish:\n  topics: true\n", Publish{Topics: true}, ""},
		{"false", head + "publish: {topics: false, conferences: true}\n", Publish{Conferences: true}, ""},
		{"unknown key", head + "publish:\n  topics: true\n  tags: true\n", Publish{}, `feeds.yaml:9: unknown key "tags" in publish (known: conferences, topics)`},
		{"not a bool", head + "publish:\n  conferences: lots\n", Publish{}, "feeds.yaml:8: cannot unmarshal"},
		{"not a mapping", head + "publish: true\n", Publish{}, "feeds.yaml:7: publish must be a mapping"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("feeds.yaml", []byte(tc.yaml))
			if tc.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tc.problem) {
					t.Fatalf("error %v, want %q", err, tc.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Publish != tc.want {
				t.Errorf("Publish = %+v, want %+v", cfg.Publish, tc.want)
			}
		})
	}
}
