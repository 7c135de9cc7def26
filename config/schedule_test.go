package config

import (
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Paris and America/New_York whatever the machine has
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestParseSpec (moved from schedule with the parsing): a spec without
// CRON_TZ is read in the zone given, not the machine's.
func TestParseSpec(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	from := at("2025-01-06T00:00:00Z") // a Monday, winter time
	for _, tc := range []struct {
		spec string
		loc  *time.Location
		want string
	}{
		{"0 8 * * *", time.UTC, "2025-01-06T08:00:00Z"},
		{"0 8 * * *", paris, "2025-01-06T07:00:00Z"}, // the digest's timezone
		{"CRON_TZ=America/New_York 0 8 * * *", paris, "2025-01-06T13:00:00Z"},
		{"@hourly", paris, "2025-01-06T01:00:00Z"},
		{"@daily", paris, "2025-01-06T23:00:00Z"}, // midnight in Paris
		{"@every 30m", paris, "2025-01-06T00:30:00Z"},
		{"0 8 * * MON", time.UTC, "2025-01-06T08:00:00Z"},
	} {
		t.Run(tc.spec+" in "+tc.loc.String(), func(t *testing.T) {
			sched, err := parseSchedule(tc.spec, tc.loc)
			if err != nil {
				t.Fatal(err)
			}
			if got := sched.Next(from); !got.Equal(at(tc.want)) {
				t.Errorf("Next(%s) = %s, want %s", from, got.UTC(), tc.want)
			}
		})
	}
	for _, bad := range []string{"", "every day", "61 * * * *", "CRON_TZ=Mars/Olympus 0 8 * * *"} {
		if _, err := parseSchedule(bad, time.UTC); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%q", bad)) {
			t.Errorf("parseSchedule(%q) = %v, want an error naming the spec", bad, err)
		}
	}
}

// TestLoadParsesSchedules: Load hands on every schedule parsed (sources in
// UTC, the digest in its timezone wherever the key stands), so nothing
// downstream parses a spec again; a Source or Digest built in code gets
// the same reading from ParsedSchedule.
func TestLoadParsesSchedules(t *testing.T) {
	from := at("2025-01-06T00:00:00Z") // a Monday, winter time
	for _, tc := range []struct {
		name, digest   string
		wantDigestNext string
	}{
		{"timezone after schedule", "digest:\n  schedule: \"0 8 * * MON\"\n  timezone: Europe/Paris\n", "2025-01-06T07:00:00Z"},
		{"timezone before schedule", "digest:\n  timezone: Europe/Paris\n  schedule: \"0 9 * * MON\"\n", "2025-01-06T08:00:00Z"},
		{"default schedule in the timezone", "digest:\n  timezone: Europe/Paris\n", "2025-01-06T07:00:00Z"},
		{"no digest block", "", "2025-01-06T08:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("feeds.yaml", []byte(`title: t
id: urn:t
link: https://example.org/
`+tc.digest+`sources:
  - name: a
    url: https://a.example.org/feed
    schedule: "0 8 * * *"
  - name: b
    url: https://b.example.org/feed
`))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Digest.Cron == nil {
				t.Fatal("digest schedule not parsed")
			}
			if got := cfg.Digest.Cron.Next(from); !got.Equal(at(tc.wantDigestNext)) {
				t.Errorf("digest next = %s, want %s", got.UTC(), tc.wantDigestNext)
			}
			for name, want := range map[string]string{"a": "2025-01-06T08:00:00Z", "b": "2025-01-06T01:00:00Z"} {
				src, _ := cfg.Source(name)
				if src.Cron == nil {
					t.Fatalf("source %s: schedule not parsed", name)
				}
				if got := src.Cron.Next(from); !got.Equal(at(want)) {
					t.Errorf("source %s next = %s, want %s (UTC)", name, got.UTC(), want)
				}
				// Built in code from the spec alone: the same reading.
				byHand, err := Source{Schedule: src.Schedule}.ParsedSchedule()
				if err != nil || !byHand.Next(from).Equal(at(want)) {
					t.Errorf("source %s by hand: %v, %v", name, byHand, err)
				}
			}
			d := cfg.Digest
			d.Cron = nil
			byHand, err := d.ParsedSchedule()
			if err != nil || !byHand.Next(from).Equal(at(tc.wantDigestNext)) {
				t.Errorf("digest by hand: %v, %v", byHand, err)
			}
		})
	}
	if sched, err := (Digest{}).ParsedSchedule(); err != nil || !sched.Next(from).Equal(at("2025-01-06T08:00:00Z")) {
		t.Errorf("zero Digest: %v, %v; want the default schedule in UTC", sched, err)
	}
	if _, err := (Source{Schedule: "every tuesday"}).ParsedSchedule(); err == nil || !strings.Contains(err.Error(), `"every tuesday"`) {
		t.Errorf("bad spec by hand: %v, want an error naming it", err)
	}
}
