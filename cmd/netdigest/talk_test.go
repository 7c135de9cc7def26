package main

import (
	"regexp"
	"strings"
	"testing"
)

var rawHash = regexp.MustCompile(`"raw_hash": "[0-9a-f]+"`)

// TestPreviewTalkFields: preview -json prints the talk fields of each kind
// that has them (golden files), and the text preview shows them.
func TestPreviewTalkFields(t *testing.T) {
	cfg, _ := offlineConfig(t)
	for _, tt := range []struct{ source, golden string }{
		{"lpc2025-networking", "testdata/preview-lpc2025-networking.json"}, // indico: times in Asia/Tokyo, affiliations
		{"lpc2015-notes", "testdata/preview-lpc2015-notes.json"},           // text: speakers of the talk line, the day
	} {
		t.Run(tt.source, func(t *testing.T) {
			r := runCmd(t, fixedNow, "preview", "-json", "-config", cfg, tt.source)
			if r.code != exitOK {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			// The raw hash covers the URL read, an absolute file:// path here.
			out := rawHash.ReplaceAll(portable(t, []byte(r.stdout)), []byte(`"raw_hash": "(varies)"`))
			checkGolden(t, tt.golden, out)
		})
	}

	for _, tt := range []struct {
		source string
		want   []string
	}{
		{"lpc2025-networking", []string{"   talk:    2025-12-11 10:00:00 JST – 10:30:00\n   speakers: Paolo Abeni (Red Hat)\n   track:   Networking Track\n   role:    abstract\n"}},
		{"netdev01-news", []string{"Flow API: An abstraction for hardware flow tables\n   date:    2015-01-27 00:00:00 UTC\n   speakers: John Fastabend\n"}},
		{"netdev12-blog", []string{"   role:    report\n"}},
	} {
		r := runCmd(t, fixedNow, "preview", "-config", cfg, tt.source)
		for _, w := range tt.want {
			if r.code != exitOK || !strings.Contains(r.stdout, w) {
				t.Errorf("preview %s: exit %d, lacks %q:\n%s", tt.source, r.code, w, r.stdout)
			}
		}
	}
}
