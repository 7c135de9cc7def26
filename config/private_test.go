package config

import (
	"strings"
	"testing"
)

func TestParseAllowPrivateNetworks(t *testing.T) {
	const head = "title: t\nid: urn:x\nlink: http://x/\n"
	t.Run("off by default", func(t *testing.T) {
		cfg, err := Parse("feeds.yaml", []byte(head+"sources:\n  - name: a\n    url: http://x/\n"))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Fetch.AllowPrivateNetworks || cfg.Sources[0].AllowPrivateNetworks {
			t.Errorf("allowed without being asked: fetch %v, source %v", cfg.Fetch.AllowPrivateNetworks, cfg.Sources[0].AllowPrivateNetworks)
		}
	})
	t.Run("global and per source", func(t *testing.T) {
		data := head + "fetch:\n  allow_private_networks: true\nsources:\n" +
			"  - name: wiki\n    url: http://wiki.lan/feed\n    allow_private_networks: true\n" +
			"  - name: public\n    url: http://x/\n"
		cfg, err := Parse("feeds.yaml", []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		if !cfg.Fetch.AllowPrivateNetworks {
			t.Error("fetch.allow_private_networks not applied")
		}
		if !cfg.Sources[0].AllowPrivateNetworks || cfg.Sources[1].AllowPrivateNetworks {
			t.Errorf("per source: wiki %v, public %v; want true, false", cfg.Sources[0].AllowPrivateNetworks, cfg.Sources[1].AllowPrivateNetworks)
		}
	})
	for _, tt := range []struct{ name, yaml, want string }{
		{"global not a bool", head + "fetch:\n  allow_private_networks: sometimes\nsources:\n  - name: a\n    url: http://x/\n",
			"feeds.yaml:5: cannot unmarshal !!str `sometimes` into bool"},
		{"source not a bool", head + "sources:\n  - name: a\n    url: http://x/\n    allow_private_networks: [yes]\n",
			"feeds.yaml:7: cannot unmarshal !!seq into bool"},
		{"misspelt", head + "sources:\n  - name: a\n    url: http://x/\n    allow_private_network: true\n",
			`feeds.yaml:7: unknown key "allow_private_network" in source`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("feeds.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
