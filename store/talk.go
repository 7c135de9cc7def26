package store

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// talkColumns are the entries columns of the talk fields (0008), in the
// order of talkArgs and scanTalk.
const talkColumns = "event_start, event_end, event_tz, speakers, session, track, role"

// zones loads time zones by name once per batch: LoadLocation may read a
// file each time.
type zones map[string]*time.Location

func (z zones) load(name string) (*time.Location, error) {
	if loc, ok := z[name]; ok {
		return loc, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	z[name] = loc
	return loc, nil
}

// name is what event_tz stores for t's zone: its IANA name
// (entry.ZoneName), else the fixed offset ("+09:00"), "" for UTC.
func (z zones) name(t time.Time) string {
	if name := entry.ZoneName(t, z.load); name != "" {
		return name
	}
	if _, offset := t.Zone(); offset == 0 {
		return ""
	}
	return t.Format("-07:00")
}

// location reads event_tz back; an unknown name (a host without that
// zone) gives UTC, the instants staying right.
func (z zones) location(name string) *time.Location {
	switch {
	case name == "":
		return time.UTC
	case strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-"):
		if t, err := time.Parse("-07:00", name); err == nil {
			_, offset := t.Zone()
			return time.FixedZone("", offset)
		}
		return time.UTC
	}
	loc, err := z.load(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// talkArgs are e's talk columns. Both times are stored in the zone of the
// start (the end's instant kept), which is the talk's.
func (z zones) talkArgs(e *entry.Entry) ([]any, error) {
	start, end, err := encodeTimes(e.EventStart, e.EventEnd)
	if err != nil {
		return nil, err
	}
	tz := ""
	switch {
	case !e.EventStart.IsZero():
		tz = z.name(e.EventStart)
	case !e.EventEnd.IsZero():
		tz = z.name(e.EventEnd)
	}
	speakers := "[]"
	if len(e.Speakers) > 0 {
		b, err := json.Marshal(e.Speakers)
		if err != nil {
			return nil, err
		}
		speakers = string(b)
	}
	// The role as given: normalize always sets one; entries stored before
	// roles existed read back as news (0008's default).
	return []any{start, end, tz, speakers, e.Session, e.Track, string(e.Role)}, nil
}

// talkScan holds the talk columns of a row being scanned.
type talkScan struct {
	start, end         sql.NullString
	tz, speakers, role string
}

// dests are Scan's destinations for talkColumns; session and track go
// straight into e.
func (ts *talkScan) dests(e *entry.Entry) []any {
	return []any{&ts.start, &ts.end, &ts.tz, &ts.speakers, &e.Session, &e.Track, &ts.role}
}

// fill decodes the scanned talk columns into e.
func (z zones) fill(ts *talkScan, e *entry.Entry) error {
	loc := z.location(ts.tz)
	for _, f := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&e.EventStart, ts.start}, {&e.EventEnd, ts.end}} {
		t, err := decodeTime(f.src)
		if err != nil {
			return err
		}
		if !t.IsZero() {
			t = t.In(loc)
		}
		*f.dst = t
	}
	if err := json.Unmarshal([]byte(ts.speakers), &e.Speakers); err != nil {
		return fmt.Errorf("speakers: %w", err)
	}
	if len(e.Speakers) == 0 {
		e.Speakers = nil
	}
	e.Role = entry.Role(ts.role)
	return nil
}
