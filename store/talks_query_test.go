package store

import (
	"context"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// TestTalks: only entries with an event start, by start instant whatever
// their zones, then id; a conference keeps its own.
func TestTalks(t *testing.T) {
	ctx := context.Background()
	s := openMem(t, newClock())
	es := talkEntries(t) // starts: Tokyo 2025-12-11, Vancouver 2026-07-02, -04:00 2016-10-06, UTC 2015-08-19
	es[0].Conference, es[1].Conference = "LPC 2025", "LPC 2025"
	// The same instant as the Tokyo talk in another zone: the id decides.
	twin := item("urn:t:a-twin", "t", "https://lpc.example/c/5", "h5", time.Time{})
	twin.EventStart = es[0].EventStart.UTC()
	twin.Conference = "Netdev 0x19"
	news := item("urn:t:news", "t", "https://lpc.example/n", "h6", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	news.Conference = "LPC 2025"
	saveFetch(t, s, "t", append(es, twin, news)...)

	tests := []struct {
		conference string
		want       []string
	}{
		{"", []string{"urn:t:day", "urn:t:fixed", "urn:t:a-twin", "urn:t:abstract", "urn:t:summer"}},
		{"LPC 2025", []string{"urn:t:abstract", "urn:t:summer"}},
		{"Netdev 0x19", []string{"urn:t:a-twin"}},
		{"lpc 2025", nil}, // exactly: the slug's lookup is the caller's
	}
	for _, tt := range tests {
		t.Run(tt.conference, func(t *testing.T) {
			got, err := s.Talks(ctx, tt.conference)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range got {
				ids = append(ids, e.ID)
			}
			if len(ids) != len(tt.want) {
				t.Fatalf("Talks(%q) = %q, want %q", tt.conference, ids, tt.want)
			}
			for i := range ids {
				if ids[i] != tt.want[i] {
					t.Fatalf("Talks(%q) = %q, want %q", tt.conference, ids, tt.want)
				}
			}
			byID := map[string]entry.Entry{}
			for _, e := range append(es, twin) {
				byID[e.ID] = e
			}
			for _, e := range got {
				sameTalk(t, e, byID[e.ID]) // read back in the talk's own zone
			}
		})
	}
}
