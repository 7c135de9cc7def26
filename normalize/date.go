package normalize

import (
	"strings"
	"time"
)

// dateLayouts are the date forms seen in feeds and pages that gofeed may not
// have parsed, tried in order. Day "2" and hour "15" accept one or two digits.
// An array, so that the table is a value nobody can change.
var dateLayouts = [...]string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 -07:00",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04 MST",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon, 2 Jan 06 15:04:05 MST",
	"Monday, 2 Jan 2006 15:04:05 -0700",
	"Monday, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 January 2006 15:04:05 -0700",
	"Mon, 2 January 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04 -0700",
	"2 Jan 2006 15:04 MST",
	"2 Jan 06 15:04:05 -0700",
	"2 Jan 06 15:04:05 MST",
	"Mon Jan 2 15:04:05 MST 2006",
	"Mon Jan 2 15:04:05 -0700 2006",
	"2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"January 2, 2006 15:04",
	"January 2, 2006",
	"Jan 2, 2006",
	"2 January 2006",
	"2 Jan 2006",
}

// zoneOffset returns the offset in seconds of a zone abbreviation seen in
// feed dates. Go gives any abbreviation other than UTC (and the host's own)
// a zero offset, so the known ones are corrected by hand; CST and BST take
// their North American and British readings, the common ones in feeds.
func zoneOffset(name string) (int, bool) {
	const h = 3600
	switch strings.ToUpper(name) {
	case "UT", "UTC", "GMT", "Z", "WET":
		return 0, true
	case "EST", "CDT":
		return -5 * h, true
	case "EDT":
		return -4 * h, true
	case "CST", "MDT":
		return -6 * h, true
	case "MST", "PDT":
		return -7 * h, true
	case "PST":
		return -8 * h, true
	case "WEST", "BST", "CET":
		return 1 * h, true
	case "CEST", "EET":
		return 2 * h, true
	case "EEST", "MSK":
		return 3 * h, true
	case "IST":
		return 5*h + h/2, true
	case "JST":
		return 9 * h, true
	case "AEST":
		return 10 * h, true
	case "AEDT":
		return 11 * h, true
	}
	return 0, false
}

// ParseDate parses the date forms found in feeds and pages: RFC 822/1123
// with or without weekday and seconds, with a numeric or named zone; RFC
// 3339; "2006-01-02", "2006-01-02 15:04:05", "January 2, 2006" and kin.
// A date without a zone is taken as UTC. The result is in UTC.
func ParseDate(s string) (time.Time, bool) {
	t, ok := ParseEventTime(s)
	return t.UTC(), ok
}

// ParseEventTime is ParseDate keeping the offset the text gives, so a
// talk's time reads as the local time it was announced in.
func ParseEventTime(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	// "... -0700 (PDT)": the comment repeats the zone
	if i := strings.LastIndex(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		s = s[:i]
	}
	if s == "" {
		return time.Time{}, false
	}
	// Go's MST layout needs three or more letters: spell "UT" and "Z" out.
	if head, zone, ok := cutLastField(s); ok && (zone == "UT" || zone == "Z") {
		s = head + " UTC"
	}
	for _, layout := range dateLayouts {
		t, err := time.ParseInLocation(layout, s, time.UTC)
		if err != nil {
			continue
		}
		if name, off := t.Zone(); name != "" {
			if want, ok := zoneOffset(name); ok && want != off {
				t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(),
					t.Nanosecond(), time.FixedZone(name, want))
			}
		}
		return t, true
	}
	return time.Time{}, false
}

func cutLastField(s string) (head, last string, ok bool) {
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], true
}
