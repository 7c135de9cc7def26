package entry

import (
	"testing"
	"time"
)

func TestZoneName(t *testing.T) {
	prague, err := time.LoadLocation("Europe/Prague")
	if err != nil {
		t.Skipf("no tzdata: %v", err)
	}
	at := time.Date(2025, 7, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		t    time.Time
		want string
	}{
		{"IANA", at.In(prague), "Europe/Prague"},
		{"UTC", at, ""},
		{"bare offset", at.In(time.FixedZone("", 2*3600)), ""},
		{"named like a zone, another offset", at.In(time.FixedZone("Europe/Prague", 5*3600)), ""},
		{"abbreviation", at.In(time.FixedZone("JST", 9*3600)), ""},
		{"Local", at.In(time.Local), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ZoneName(tt.t, time.LoadLocation); got != tt.want {
				t.Errorf("ZoneName(%v) = %q, want %q", tt.t, got, tt.want)
			}
		})
	}
}
