package render

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	ical "github.com/emersion/go-ical"
	"github.com/netdigest/netdigest/entry"
)

// CalendarContentType is the media type of Calendar's output (RFC 5545 §8.1).
const CalendarContentType = "text/calendar; charset=utf-8"

// Calendar renders an RFC 5545 calendar of the talks among entries: one
// VEVENT for each entry with a known EventStart (the others are skipped, so
// any list of entries will do), in the given order.
//
//   - UID is a hash of the entry's id at the host of info.Link: stable
//     across renders, and no URL of a source in it.
//   - DTSTAMP is the entry's update (else its date), never now, so the same
//     entries give the same bytes and the served file caches.
//   - DTSTART/DTEND carry the talk's IANA zone as TZID with a VTIMEZONE
//     built from Go's zone data for the years used (RFC 5545 requires one
//     per TZID); a bare offset, or a zone only named like one, is written in
//     UTC: the instant stays right, and no client is handed a TZID it would
//     have to guess. A talk known only by its day (00:00 UTC, no end; see
//     entry.Entry) is an all-day event. Without an end (or with one not
//     after the start) there is no DTEND: RFC 5545 makes such a DATE-TIME
//     event the instant of its start, which is what is known.
//   - SUMMARY is the title, DESCRIPTION the speakers and the summary, URL
//     the talk's link (http(s) only), CATEGORIES its conference, track and
//     session. Entries have no room, so there is no LOCATION.
//
// go-ical escapes the text values; it does not fold, so lines are folded
// here at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence.
func Calendar(info FeedInfo, entries []entry.Entry) ([]byte, error) {
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, "-//netdigest//netdigest "+cmp.Or(info.Version, "dev")+"//EN")
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropMethod, "PUBLISH")
	if title := strings.TrimSpace(info.Title); title != "" {
		cal.Props.SetText(ical.PropName, title) // RFC 7986
		// What Apple, Google and Outlook read: the same escaped value,
		// without the VALUE=TEXT go-ical adds to a property it does not know.
		cal.Props.Set(&ical.Prop{Name: "X-WR-CALNAME", Params: ical.Params{}, Value: cal.Props.Get(ical.PropName).Value})
	}
	host := uidHost(info.Link)
	zones := newZoneSet()
	var events []*ical.Component
	for i := range entries {
		e := &entries[i]
		if e.EventStart.IsZero() {
			continue
		}
		ev, err := calendarEvent(e, host, zones)
		if err != nil {
			return nil, fmt.Errorf("render: calendar: entry %q: %w", e.ID, err)
		}
		events = append(events, ev)
	}
	cal.Children = append(zones.components(), events...)

	var buf bytes.Buffer
	if len(cal.Children) == 0 {
		// go-ical refuses a calendar without components (RFC 5545 wants
		// one), but a subscribed calendar must parse before its first talk
		// is known: the same header, empty, as calendar servers serve it.
		writeEmptyCalendar(&buf, cal.Component)
	} else if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, fmt.Errorf("render: calendar: %w", err)
	}
	return foldLines(buf.Bytes()), nil
}

func calendarEvent(e *entry.Entry, host string, zones *zoneSet) (*ical.Component, error) {
	ev := ical.NewEvent()
	sum := sha256.Sum256([]byte(e.ID))
	ev.Props.SetText(ical.PropUID, hex.EncodeToString(sum[:16])+"@"+host)

	stamp := e.Updated
	if stamp.IsZero() {
		stamp = e.Date()
	}
	if stamp.IsZero() {
		stamp = e.EventStart // still stable: DTSTAMP is required
	}
	ev.Props.SetDateTime(ical.PropDateTimeStamp, stamp.UTC())

	start, end := e.EventStart, e.EventEnd
	switch {
	case dayOnly(start, end):
		ev.Props.SetDate(ical.PropDateTimeStart, start)
	default:
		tzid := zones.add(start, end)
		ev.Props.Set(dateTimeProp(ical.PropDateTimeStart, start, tzid))
		if end.After(start) {
			ev.Props.Set(dateTimeProp(ical.PropDateTimeEnd, end.In(start.Location()), tzid))
		}
	}

	title := cleanText(strings.TrimSpace(e.Title), true)
	if title == "" {
		title = "(untitled)"
	}
	ev.Props.SetText(ical.PropSummary, title)
	if d := eventDescription(e); d != "" {
		ev.Props.SetText(ical.PropDescription, d)
	}
	if link := HTTPURL(e.Link); link != "" {
		u, err := url.Parse(link)
		if err != nil {
			return nil, err
		}
		ev.Props.SetURI(ical.PropURL, u)
	}
	var cats []string
	for _, c := range []string{e.Conference, e.Track, e.Session} {
		if c = cleanText(strings.TrimSpace(c), true); c != "" && !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	if len(cats) > 0 {
		p := ical.NewProp(ical.PropCategories)
		p.SetTextList(cats)
		ev.Props.Set(p)
	}
	return ev.Component, nil
}

// dayOnly tells a talk known only by its day (entry.Entry's convention).
func dayOnly(start, end time.Time) bool {
	return end.IsZero() && start.Location() == time.UTC &&
		start.Hour() == 0 && start.Minute() == 0 && start.Second() == 0 && start.Nanosecond() == 0
}

// dateTimeProp is a DATE-TIME property: local time with TZID, or UTC.
// (go-ical's SetDateTime would name any zone, a bare offset's "" too.)
func dateTimeProp(name string, t time.Time, tzid string) *ical.Prop {
	p := ical.NewProp(name)
	if tzid == "" {
		p.SetDateTime(t.UTC())
		return p
	}
	p.Params.Set(ical.PropTimezoneID, tzid)
	p.Value = t.Format("20060102T150405")
	return p
}

// eventDescription is the speakers' line, then the summary.
func eventDescription(e *entry.Entry) string {
	var parts []string
	var speakers []string
	for _, s := range e.Speakers {
		if s.Name = strings.TrimSpace(s.Name); s.Name != "" {
			speakers = append(speakers, cleanText(s.String(), true))
		}
	}
	if len(speakers) > 0 {
		parts = append(parts, "Speakers: "+strings.Join(speakers, ", "))
	}
	// The summary's line breaks are kept (escaped as \n in the file).
	lines := strings.Split(strings.ReplaceAll(e.Summary, "\r\n", "\n"), "\n")
	for i, l := range lines {
		lines[i] = cleanText(l, true)
	}
	if s := strings.TrimSpace(strings.Join(lines, "\n")); s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, "\n\n")
}

// uidHost is the host of the site's public link, the right-hand side of
// every UID (RFC 5545 §3.8.4.7 suggests a domain); "netdigest.invalid"
// when no link is configured.
func uidHost(link string) string {
	if u, err := url.Parse(link); err == nil && u.Hostname() != "" {
		return strings.ToLower(u.Hostname())
	}
	return "netdigest.invalid"
}

// zoneSet collects the IANA zones the events use, with the years each
// VTIMEZONE must describe.
type zoneSet struct {
	locs  map[string]*time.Location // loaded by name, once per render
	years map[string]map[int]bool   // by TZID: the local years of starts and ends
}

func newZoneSet() *zoneSet {
	return &zoneSet{locs: map[string]*time.Location{}, years: map[string]map[int]bool{}}
}

func (z *zoneSet) load(name string) (*time.Location, error) {
	if l, ok := z.locs[name]; ok {
		return l, nil
	}
	l, err := time.LoadLocation(name)
	if err == nil {
		z.locs[name] = l
	}
	return l, err
}

// add returns the TZID for a talk at start (until end, which may be zero),
// "" for UTC, and records the years its VTIMEZONE must cover.
func (z *zoneSet) add(start, end time.Time) string {
	name := entry.ZoneName(start, z.load)
	if name == "" {
		return ""
	}
	if z.years[name] == nil {
		z.years[name] = map[int]bool{}
	}
	z.years[name][start.Year()] = true
	if end.After(start) {
		z.years[name][end.In(start.Location()).Year()] = true
	}
	return name
}

// components are the VTIMEZONEs, by TZID.
func (z *zoneSet) components() []*ical.Component {
	names := make([]string, 0, len(z.years))
	for n := range z.years {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*ical.Component, 0, len(names))
	for _, n := range names {
		years := make([]int, 0, len(z.years[n]))
		for y := range z.years[n] {
			years = append(years, y)
		}
		sort.Ints(years)
		out = append(out, vtimezone(n, z.locs[n], years))
	}
	return out
}

// vtimezone describes loc in the given years (ascending): the observance
// in force on 1 January (unless the year before was described), and one
// observance per transition of the year. Only the years used, so one talk
// dated in year 1 costs a year's scan, not two millennia's. Go exposes no
// transition list: they are found by stepping a day at a time and
// bisecting to the second; zones change offset months apart, never twice
// in a day.
func vtimezone(tzid string, loc *time.Location, years []int) *ical.Component {
	tz := ical.NewComponent(ical.CompTimezone)
	tz.Props.SetText(ical.PropTimezoneID, tzid)
	const day = 24 * time.Hour
	for i, year := range years {
		from := time.Date(year, 1, 1, 0, 0, 0, 0, loc)
		until := time.Date(year+1, 1, 1, 0, 0, 0, 0, loc)
		if i == 0 || years[i-1] != year-1 {
			_, offset := from.Zone()
			tz.Children = append(tz.Children, observance(from, offset))
		}
		for t := from; t.Before(until); t = t.Add(day) {
			next := t.Add(day)
			if sameZone(t, next) {
				continue
			}
			lo, hi := t.Unix(), next.Unix() // lo in the old zone, hi in the new
			for hi-lo > 1 {
				mid := lo + (hi-lo)/2
				if sameZone(t, time.Unix(mid, 0).In(loc)) {
					lo = mid
				} else {
					hi = mid
				}
			}
			_, before := t.Zone()
			tz.Children = append(tz.Children, observance(time.Unix(hi, 0).In(loc), before))
		}
	}
	return tz
}

func sameZone(a, b time.Time) bool {
	an, ao := a.Zone()
	bn, bo := b.Zone()
	return an == bn && ao == bo && a.IsDST() == b.IsDST()
}

// observance is the STANDARD or DAYLIGHT component that starts at t,
// coming from offsetFrom; its DTSTART is local time in the offset before.
func observance(t time.Time, offsetFrom int) *ical.Component {
	kind := ical.CompTimezoneStandard
	if t.IsDST() {
		kind = ical.CompTimezoneDaylight
	}
	c := ical.NewComponent(kind)
	name, offsetTo := t.Zone()
	start := ical.NewProp(ical.PropDateTimeStart)
	start.Value = t.In(time.FixedZone("", offsetFrom)).Format("20060102T150405")
	c.Props.Set(start)
	c.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetFrom, Params: ical.Params{}, Value: utcOffset(offsetFrom)})
	c.Props.Set(&ical.Prop{Name: ical.PropTimezoneOffsetTo, Params: ical.Params{}, Value: utcOffset(offsetTo)})
	if name != "" && !strings.HasPrefix(name, "+") && !strings.HasPrefix(name, "-") {
		c.Props.SetText(ical.PropTimezoneName, name)
	}
	return c
}

// utcOffset is an RFC 5545 UTC-OFFSET: "+0100", seconds only when any.
func utcOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	s := fmt.Sprintf("%s%02d%02d", sign, seconds/3600, seconds/60%60)
	if seconds%60 != 0 {
		s += fmt.Sprintf("%02d", seconds%60)
	}
	return s
}

// writeEmptyCalendar writes comp's properties between BEGIN and END,
// values as go-ical prepared them (escaped; these have no parameters).
func writeEmptyCalendar(buf *bytes.Buffer, comp *ical.Component) {
	names := make([]string, 0, len(comp.Props))
	for n := range comp.Props {
		names = append(names, n)
	}
	sort.Strings(names)
	buf.WriteString("BEGIN:" + comp.Name + "\r\n")
	for _, n := range names {
		for _, p := range comp.Props[n] {
			buf.WriteString(p.Name + ":" + p.Value + "\r\n")
		}
	}
	buf.WriteString("END:" + comp.Name + "\r\n")
}

// foldLines folds every content line longer than 75 octets: CRLF and a
// space before each further 74 octets, cut before a UTF-8 sequence.
func foldLines(b []byte) []byte {
	const limit = 75
	var out bytes.Buffer
	out.Grow(len(b) + len(b)/64)
	for len(b) > 0 {
		line := b
		rest := []byte(nil)
		if i := bytes.Index(b, []byte("\r\n")); i >= 0 {
			line, rest = b[:i], b[i+2:]
		}
		width := limit
		for len(line) > width {
			cut := width
			for cut > 0 && !utf8.RuneStart(line[cut]) {
				cut--
			}
			out.Write(line[:cut])
			out.WriteString("\r\n ")
			line = line[cut:]
			width = limit - 1
		}
		out.Write(line)
		out.WriteString("\r\n")
		b = rest
	}
	return out.Bytes()
}
