package normalize

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	tests := []struct {
		in     string
		want   time.Time
		wantOK bool
	}{
		{"Mon, 02 Jan 2006 15:04:05 GMT", utc(2006, 1, 2, 15, 4, 5), true},
		{"Mon, 02 Jan 2006 15:04:05 EST", utc(2006, 1, 2, 20, 4, 5), true},
		{"Mon, 02 Jan 2006 15:04:05 PDT", utc(2006, 1, 2, 22, 4, 5), true},
		{"Mon, 02 Jan 2006 15:04:05 +0200", utc(2006, 1, 2, 13, 4, 5), true},
		{"Mon, 02 Jan 2006 15:04:05 -07:00", utc(2006, 1, 2, 22, 4, 5), true},
		{"Mon, 2 Jan 2006 15:04 +0000", utc(2006, 1, 2, 15, 4, 0), true},
		{"02 Jan 2006 15:04:05 +0100", utc(2006, 1, 2, 14, 4, 5), true},
		{"2 Jan 2006 9:04:05 UT", utc(2006, 1, 2, 9, 4, 5), true},
		{"Mon, 02 Jan 06 15:04:05 GMT", utc(2006, 1, 2, 15, 4, 5), true},
		{"Tue, 02 Jan 2006 15:04:05 +0000", utc(2006, 1, 2, 15, 4, 5), true}, // wrong weekday
		{"Mon, 02 Jan 2006 15:04:05 -0700 (PDT)", utc(2006, 1, 2, 22, 4, 5), true},
		{"2006-01-02T15:04:05+02:00", utc(2006, 1, 2, 13, 4, 5), true},
		{"2006-01-02T15:04:05.123Z", time.Date(2006, 1, 2, 15, 4, 5, 123e6, time.UTC), true},
		{"2006-01-02T15:04:05", utc(2006, 1, 2, 15, 4, 5), true},
		{"2006-01-02 15:04:05", utc(2006, 1, 2, 15, 4, 5), true},
		{"2006-01-02", utc(2006, 1, 2, 0, 0, 0), true},
		{"January 2, 2006", utc(2006, 1, 2, 0, 0, 0), true},
		{"  Jan 2,   2006 ", utc(2006, 1, 2, 0, 0, 0), true},
		{"", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"2006-13-45", time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseDate(tt.in)
			if ok != tt.wantOK {
				t.Fatalf("ParseDate(%q) ok = %v, want %v", tt.in, ok, tt.wantOK)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseDate(%q) = %v, want %v in UTC", tt.in, got, tt.want)
			}
		})
	}
}

// TestEntryDates checks the dates an entry gets from its feed: what gofeed
// parses, what ParseDate recovers, and the clamp on dates in the future.
func TestEntryDates(t *testing.T) {
	now := testNow // 2026-03-10T12:00:00Z
	tests := []struct {
		name          string
		pubDate       string // RSS pubDate, "" for none
		updated       string // atom:updated inside the RSS item, "" for none
		wantPublished time.Time
		wantUpdated   time.Time
	}{
		{name: "RFC 822 named zone", pubDate: "Mon, 09 Mar 2026 10:00:00 EST",
			wantPublished: time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC), wantUpdated: time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)},
		{name: "RFC 822 numeric zone", pubDate: "Mon, 09 Mar 2026 10:00:00 +0100",
			wantPublished: time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC), wantUpdated: time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)},
		{name: "no seconds", pubDate: "Mon, 09 Mar 2026 10:00 GMT",
			wantPublished: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC), wantUpdated: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)},
		{name: "no weekday", pubDate: "9 Mar 2026 10:00:00 +0000",
			wantPublished: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC), wantUpdated: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)},
		{name: "RFC 3339 with offset", pubDate: "2026-03-09T10:00:00-05:00",
			wantPublished: time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC), wantUpdated: time.Date(2026, 3, 9, 15, 0, 0, 0, time.UTC)},
		{name: "updated distinct from published", pubDate: "Mon, 09 Mar 2026 10:00:00 GMT", updated: "2026-03-10T08:00:00Z",
			wantPublished: time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC), wantUpdated: time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)},
		{name: "missing", wantPublished: time.Time{}, wantUpdated: time.Time{}},
		{name: "unparseable", pubDate: "sometime soon", wantPublished: time.Time{}, wantUpdated: time.Time{}},
		{name: "3 days in the future clamped", pubDate: "Fri, 13 Mar 2026 12:00:00 GMT",
			wantPublished: time.Time{}, wantUpdated: time.Time{}},
		{name: "1 hour in the future kept", pubDate: "Tue, 10 Mar 2026 13:00:00 GMT",
			wantPublished: time.Date(2026, 3, 10, 13, 0, 0, 0, time.UTC), wantUpdated: time.Date(2026, 3, 10, 13, 0, 0, 0, time.UTC)},
		{name: "future published falls back on updated", pubDate: "Fri, 13 Mar 2026 12:00:00 GMT", updated: "2026-03-09T00:00:00Z",
			wantPublished: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC), wantUpdated: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)},
		// Year 0 at +01:00 is year -1 in UTC, which no RFC 3339 output can
		// carry: treated as missing, like the far future.
		{name: "year -1 in UTC dropped", pubDate: "0000-01-01T00:00:00+01:00",
			wantPublished: time.Time{}, wantUpdated: time.Time{}},
		{name: "year 0 in UTC kept", pubDate: "0000-01-01T12:00:00Z",
			wantPublished: time.Date(0, 1, 1, 12, 0, 0, 0, time.UTC), wantUpdated: time.Date(0, 1, 1, 12, 0, 0, 0, time.UTC)},
	}
	n := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			item := `<item><guid>urn:x:1</guid><title>t</title>`
			if tt.pubDate != "" {
				item += `<pubDate>` + tt.pubDate + `</pubDate>`
			}
			if tt.updated != "" {
				item += `<atom:updated>` + tt.updated + `</atom:updated>`
			}
			item += `</item>`
			body := `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>f</title>` + item + `</channel></rss>`
			doc, err := ParseFeed([]byte(body), "", "https://example.org/feed")
			if err != nil {
				t.Fatal(err)
			}
			es := n.Entries(Source{Name: "s"}, doc, now)
			if len(es) != 1 {
				t.Fatalf("got %d entries", len(es))
			}
			e := es[0]
			if !e.Published.Equal(tt.wantPublished) || !e.Updated.Equal(tt.wantUpdated) {
				t.Errorf("published, updated = %v, %v; want %v, %v", e.Published, e.Updated, tt.wantPublished, tt.wantUpdated)
			}
			for _, d := range []time.Time{e.Published, e.Updated} {
				if !d.IsZero() && d.Location() != time.UTC {
					t.Errorf("date %v not in UTC", d)
				}
			}
		})
	}
}
