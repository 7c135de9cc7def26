package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// minimal is a valid feeds.yaml; padded with comments it tests the size cap.
const minimal = "title: t\nid: tag:example.org,2026:t\nlink: https://example.org/\n" +
	"sources:\n  - name: a\n    url: https://example.org/feed\n"

// loadWithin is Load under a watchdog: a Load that blocks fails the test
// (a hang detector far above any real read, not a timing assertion).
func loadWithin(t *testing.T, path string) (*Config, error) {
	t.Helper()
	type result struct {
		cfg *Config
		err error
	}
	done := make(chan result, 1)
	go func() {
		cfg, err := Load(path)
		done <- result{cfg, err}
	}()
	select {
	case r := <-done:
		return r.cfg, r.err
	case <-time.After(30 * time.Second):
		t.Fatalf("Load(%s) did not return", path)
		return nil, nil
	}
}

func TestLoadSizeLimit(t *testing.T) {
	dir := t.TempDir()
	pad := func(n int) string {
		line := "# " + strings.Repeat("x", 77) + "\n"
		return minimal + strings.Repeat(line, n/len(line)+1)[:n-len(minimal)]
	}
	tests := []struct {
		name    string
		path    string
		wantErr string // "" when it must load
	}{
		{"exactly 1 MiB", writeTemp(t, dir, "max.yaml", pad(MaxFileBytes)), ""},
		{"1 MiB and a byte", writeTemp(t, dir, "big.yaml", pad(MaxFileBytes+1)), "larger than 1048576 bytes"},
		{"/dev/zero", "/dev/zero", "larger than 1048576 bytes"},
		{"a directory", dir, "is a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := os.Stat(tt.path); err != nil {
				t.Skipf("no %s: %v", tt.path, err)
			}
			cfg, err := loadWithin(t, tt.path)
			if tt.wantErr == "" {
				if err != nil || len(cfg.Sources) != 1 {
					t.Fatalf("Load = %v, %v; want the config", cfg, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("Load = %v; want an error naming %s and saying %q", err, tt.path, tt.wantErr)
			}
		})
	}
}

func writeTemp(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestParseLimits(t *testing.T) {
	head := "title: t\nid: tag:example.org,2026:t\nlink: https://example.org/\n"
	src := func(name, extra string) string {
		return "  - name: " + name + "\n    url: https://example.org/" + name + "\n" + extra
	}
	t.Run("inherited and overridden", func(t *testing.T) {
		data := head + "fetch:\n  max_items: 50\n  max_content_bytes: 65536\nsources:\n" +
			src("inherits", "") + src("own", "    max_items: 5\n    max_content_bytes: 1024\n")
		cfg, err := Parse("feeds.yaml", []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Fetch.MaxItems != 50 || cfg.Fetch.MaxContentBytes != 65536 {
			t.Errorf("fetch = %+v", cfg.Fetch)
		}
		got := map[string][2]int{}
		for _, s := range cfg.Sources {
			got[s.Name] = [2]int{s.MaxItems, s.MaxContentBytes}
		}
		if got["inherits"] != [2]int{50, 65536} || got["own"] != [2]int{5, 1024} {
			t.Errorf("sources' (max_items, max_content_bytes) = %v", got)
		}
	})
	t.Run("unset: normalize's defaults", func(t *testing.T) {
		cfg, err := Parse("feeds.yaml", []byte(head+"sources:\n"+src("a", "")))
		if err != nil {
			t.Fatal(err)
		}
		if s := cfg.Sources[0]; s.MaxItems != 0 || s.MaxContentBytes != 0 {
			t.Errorf("source = %d, %d; want 0, 0", s.MaxItems, s.MaxContentBytes)
		}
	})
	t.Run("not positive", func(t *testing.T) {
		data := head + "fetch:\n  max_items: 0\nsources:\n" + src("a", "    max_content_bytes: -1\n")
		_, err := Parse("feeds.yaml", []byte(data))
		for _, want := range []string{"feeds.yaml:5: must be a positive number, got 0", "feeds.yaml:9: must be a positive number, got -1"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Parse = %v, want %q", err, want)
			}
		}
	})
}
