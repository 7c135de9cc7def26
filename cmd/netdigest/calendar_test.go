package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	ical "github.com/emersion/go-ical"
)

// TestCalendarOffline: after a run of the offline example, `calendar`
// writes the talks of its Indico export and its dated notes (golden),
// the same bytes to stdout and to -o FILE.
func TestCalendarOffline(t *testing.T) {
	cfg, dir := offlineConfig(t)
	if r := runCmd(t, fixedNow, "fetch", "-config", cfg); r.code != exitOK {
		t.Fatalf("fetch exit %d: %s", r.code, r.stderr)
	}
	r := runCmd(t, fixedNow, "calendar", "-config", cfg)
	if r.code != exitOK {
		t.Fatalf("calendar exit %d: %s", r.code, r.stderr)
	}
	checkGolden(t, "testdata/offline.ics", []byte(r.stdout))

	cal, err := ical.NewDecoder(strings.NewReader(r.stdout)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	var indico, notes int
	for _, ev := range cal.Events() {
		u := ev.Props.Get(ical.PropURL)
		switch start := ev.Props.Get(ical.PropDateTimeStart); {
		case start.Params.Get(ical.PropTimezoneID) == "Asia/Tokyo" && u != nil && strings.HasPrefix(u.Value, "https://lpc.events/event/19/"):
			indico++
		case start.ValueType() == ical.ValueDate && start.Value == "20150819":
			notes++
		}
	}
	// The Networking Track's six talks; the nine talks of the LPC 2015 notes, known by their day.
	if indico != 6 || notes != 9 {
		t.Errorf("%d Indico talks in Asia/Tokyo (want 6), %d day-only notes (want 9)", indico, notes)
	}

	out := filepath.Join(dir, "talks.ics")
	if r := runCmd(t, fixedNow, "calendar", "-config", cfg, "-o", out); r.code != exitOK || r.stdout != "" {
		t.Fatalf("calendar -o: exit %d, stdout %q: %s", r.code, r.stdout, r.stderr)
	}
	if b, err := os.ReadFile(out); err != nil || !bytes.Equal(b, []byte(r.stdout)) {
		t.Errorf("-o wrote other bytes than stdout (%v)", err)
	}
}
