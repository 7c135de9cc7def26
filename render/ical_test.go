package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ical "github.com/emersion/go-ical"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/internal/tooltest"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/normalize/indico"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("no tzdata for %s: %v", name, err)
	}
	return loc
}

// indicoTalks are the LPC 2025 fixture's contributions (Asia/Tokyo) through
// the real parser and normalizer, as the pipeline makes them.
func indicoTalks(t testing.TB) []entry.Entry {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("..", "normalize", "indico", "testdata", "lpc2025-event19.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := indico.Parse(body, "application/json", "https://lpc.events/export/event/19.json?detail=contributions", indico.Rules{})
	if err != nil {
		t.Fatal(err)
	}
	es := normalize.New().Entries(normalize.Source{Name: "lpc2025", URL: "https://lpc.events/event/19/", Conference: "LPC 2025"}, doc, time.Time{})
	if len(es) < 8 {
		t.Fatalf("fixture gave %d entries, want the 9 contributions", len(es))
	}
	return es
}

// zoneTalks are one talk per way a time can come: an IANA zone on both
// sides of the Atlantic, a bare offset, a day only, no end; with the text
// RFC 5545 must escape and fold.
func zoneTalks(t testing.TB) []entry.Entry {
	t.Helper()
	vancouver, prague := mustZone(t, "America/Vancouver"), mustZone(t, "Europe/Prague")
	seen := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	return []entry.Entry{
		{
			ID: "https://netdevconf.info/0x19/sessions/talk/xdp-hints.html", Source: "netdev0x19", Conference: "Netdev 0x19",
			Title: "XDP hints, metadata; and \\ the kfunc, finally", Link: "https://netdevconf.info/0x19/sessions/talk/xdp-hints.html",
			FirstSeen: seen, Updated: seen.Add(time.Hour),
			EventStart: time.Date(2025, 3, 10, 9, 30, 0, 0, vancouver), // the day after DST began
			EventEnd:   time.Date(2025, 3, 10, 10, 15, 0, 0, vancouver),
			Speakers:   []entry.Speaker{{Name: "Jesper Dangaard Brouer", Affiliation: "Red Hat"}, {Name: "Toke Høiland-Jørgensen"}},
			Summary:    "Line one of the abstract.\nLine two, with a comma; a semicolon and a backslash \\ in it.",
			Track:      "Networking", Session: "XDP, AF_XDP", Role: entry.RoleAbstract,
		},
		{
			ID: "https://devconf.cz/2025/talks/nftables-🚀", Source: "devconf", Conference: "DevConf.CZ 2025",
			Title:      "nftables 🚀 v Brně: přednáška o flowtables a hardwarovém offloadu, která je opravdu hodně dlouhá",
			FirstSeen:  seen,
			EventStart: time.Date(2025, 10, 26, 1, 30, 0, 0, prague), // hours before the fall-back
			EventEnd:   time.Date(2025, 10, 26, 3, 30, 0, 0, prague),
			Speakers:   []entry.Speaker{{Name: "Pablo Neira Ayuso"}},
			Role:       entry.RoleAbstract,
		},
		{
			ID: "tag:netdigest,2025:offset", Source: "sched", Title: "A talk given with a bare offset",
			Link: "https://sched.example/t/1", Published: seen,
			EventStart: time.Date(2025, 7, 2, 14, 0, 0, 0, time.FixedZone("", 2*3600)),
			EventEnd:   time.Date(2025, 7, 2, 14, 45, 0, 0, time.FixedZone("", 2*3600)),
		},
		{
			ID: "https://etherpad.example/p/netdev-day2", Source: "notes", Title: "Day 2 notes", Role: entry.RoleNotes,
			FirstSeen: seen, EventStart: time.Date(2025, 3, 11, 0, 0, 0, 0, time.UTC),
		},
		{
			ID: "tag:netdigest,2025:noend", Source: "sched", Title: "Lightning talk, no end given", FirstSeen: seen,
			EventStart: time.Date(2025, 3, 10, 17, 0, 0, 0, vancouver),
			Link:       "javascript:alert(1)", // not http(s): no URL
		},
		{
			// 3-octet characters: a fold lands inside one unless it backs off.
			ID: "tag:netdigest,2025:tokyo", Source: "sched", FirstSeen: seen,
			Title:      "東京での XDP と eBPF の最新動向：カーネルネットワーキングの未来について語る",
			EventStart: time.Date(2025, 12, 12, 15, 0, 0, 0, mustZone(t, "Asia/Tokyo")),
		},
		{ID: "tag:netdigest,2025:news", Source: "news", Title: "Not a talk", Published: seen},
	}
}

func calendarInfo() FeedInfo {
	info := testInfo()
	info.Title = "Linux networking talks"
	return info
}

func renderCalendar(t testing.TB, entries []entry.Entry) []byte {
	t.Helper()
	b, err := Calendar(calendarInfo(), entries)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCalendarGolden(t *testing.T) {
	checkGolden(t, "talks.golden.ics", renderCalendar(t, append(indicoTalks(t), zoneTalks(t)...)))
}

// decodeCalendar reads b with go-ical's decoder (which unfolds and
// unescapes on its own).
func decodeCalendar(t *testing.T, b []byte) *ical.Calendar {
	t.Helper()
	cal, err := ical.NewDecoder(bytes.NewReader(b)).Decode()
	if err != nil {
		t.Fatalf("go-ical cannot decode the calendar: %v\n%s", err, b)
	}
	return cal
}

func eventsByUID(t *testing.T, cal *ical.Calendar) map[string]ical.Event {
	t.Helper()
	out := map[string]ical.Event{}
	for _, ev := range cal.Events() {
		uid, err := ev.Props.Text(ical.PropUID)
		if err != nil || uid == "" {
			t.Fatalf("event without UID: %v", err)
		}
		if _, dup := out[uid]; dup {
			t.Errorf("UID %s twice", uid)
		}
		out[uid] = ev
	}
	return out
}

func uidOf(t *testing.T, cal *ical.Calendar, title string) ical.Event {
	t.Helper()
	for _, ev := range cal.Events() {
		if s, _ := ev.Props.Text(ical.PropSummary); s == title {
			return ev
		}
	}
	t.Fatalf("no event %q", title)
	return ical.Event{}
}

// TestCalendarRoundTrip: every talk, and only talks, comes back through
// go-ical's decoder with its text as given and its instants right.
func TestCalendarRoundTrip(t *testing.T) {
	talks := append(indicoTalks(t), zoneTalks(t)...)
	cal := decodeCalendar(t, renderCalendar(t, talks))
	byUID := eventsByUID(t, cal)
	want := 0
	for _, e := range talks {
		if !e.EventStart.IsZero() {
			want++
		}
	}
	if len(byUID) != want {
		t.Errorf("%d events, want %d (one per entry with an EventStart)", len(byUID), want)
	}
	for _, prop := range []string{ical.PropProductID, ical.PropVersion, ical.PropCalendarScale, ical.PropMethod, "X-WR-CALNAME"} {
		if cal.Props.Get(prop) == nil {
			t.Errorf("calendar has no %s", prop)
		}
	}
	for _, e := range talks {
		if e.EventStart.IsZero() {
			continue
		}
		t.Run(e.Title, func(t *testing.T) {
			ev := uidOf(t, cal, strings.TrimSpace(e.Title))
			start, err := ev.DateTimeStart(nil)
			if err != nil {
				t.Fatal(err)
			}
			if !start.Equal(e.EventStart) {
				t.Errorf("DTSTART = %v, want %v", start, e.EventStart)
			}
			end, err := ev.DateTimeEnd(nil)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case !e.EventEnd.IsZero() && !end.Equal(e.EventEnd):
				t.Errorf("DTEND = %v, want %v", end, e.EventEnd)
			case e.EventEnd.IsZero() && ev.Props.Get(ical.PropDateTimeEnd) != nil:
				t.Errorf("a DTEND for a talk without an end")
			}
			if stamp := ev.Props.Get(ical.PropDateTimeStamp); stamp == nil || !strings.HasSuffix(stamp.Value, "Z") {
				t.Errorf("DTSTAMP %v, want one in UTC", stamp)
			}
			desc, _ := ev.Props.Text(ical.PropDescription)
			for _, s := range e.Speakers {
				if !strings.Contains(desc, s.String()) {
					t.Errorf("DESCRIPTION %q lacks speaker %q", desc, s)
				}
			}
			if sum := strings.TrimSpace(e.Summary); sum != "" && !strings.Contains(desc, sum) {
				t.Errorf("DESCRIPTION %q lacks the summary %q", desc, sum)
			}
			url := ""
			if p := ev.Props.Get(ical.PropURL); p != nil {
				url = p.Value
			}
			if want := HTTPURL(e.Link); url != want {
				t.Errorf("URL = %q, want %q", url, want)
			}
		})
	}
}

// TestCalendarZones: an IANA zone is the TZID, with its VTIMEZONE; a bare
// offset and UTC are written in UTC; a day-only talk is a DATE.
func TestCalendarZones(t *testing.T) {
	b := renderCalendar(t, zoneTalks(t))
	cal := decodeCalendar(t, b)
	tests := []struct{ title, tzid, start string }{
		{"XDP hints, metadata; and \\ the kfunc, finally", "America/Vancouver", "20250310T093000"},
		{"A talk given with a bare offset", "", "20250702T120000Z"},
		{"Day 2 notes", "", "20250311"},
	}
	for _, tt := range tests {
		p := uidOf(t, cal, tt.title).Props.Get(ical.PropDateTimeStart)
		if got := p.Params.Get(ical.PropTimezoneID); got != tt.tzid || p.Value != tt.start {
			t.Errorf("%s: DTSTART;TZID=%q:%s, want TZID=%q:%s", tt.title, got, p.Value, tt.tzid, tt.start)
		}
	}
	if p := uidOf(t, cal, "Day 2 notes").Props.Get(ical.PropDateTimeStart); p.ValueType() != ical.ValueDate {
		t.Errorf("day-only talk: DTSTART value type %q, want DATE", p.ValueType())
	}

	// Every TZID used has its VTIMEZONE, and that VTIMEZONE gives each
	// event the offset Go's zone data gives (the observance in force is the
	// last one starting before the event's local time).
	tzs := map[string]*ical.Component{}
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			id, _ := c.Props.Text(ical.PropTimezoneID)
			tzs[id] = c
		}
	}
	for _, ev := range cal.Events() {
		for _, name := range []string{ical.PropDateTimeStart, ical.PropDateTimeEnd} {
			p := ev.Props.Get(name)
			if p == nil || p.Params.Get(ical.PropTimezoneID) == "" {
				continue
			}
			tzid := p.Params.Get(ical.PropTimezoneID)
			tz, ok := tzs[tzid]
			if !ok {
				t.Errorf("TZID %s used without its VTIMEZONE", tzid)
				continue
			}
			at, err := p.DateTime(nil)
			if err != nil {
				t.Fatal(err)
			}
			_, wantOffset := at.Zone()
			if got := offsetAt(t, tz, p.Value); got != utcOffset(wantOffset) {
				t.Errorf("%s %s;TZID=%s: the VTIMEZONE gives %s, the zone %s", name, p.Value, tzid, got, utcOffset(wantOffset))
			}
		}
	}
	if len(tzs) != 3 {
		t.Errorf("%d VTIMEZONEs, want 3 (Vancouver, Prague, Tokyo): %v", len(tzs), tzs)
	}
}

// offsetAt reads a VTIMEZONE the way a client without zone data must.
func offsetAt(t *testing.T, tz *ical.Component, local string) string {
	t.Helper()
	best, offset := "", ""
	for _, o := range tz.Children {
		start := o.Props.Get(ical.PropDateTimeStart).Value
		if start <= local && start >= best {
			best, offset = start, o.Props.Get(ical.PropTimezoneOffsetTo).Value
		}
	}
	if offset == "" {
		t.Errorf("no observance of the VTIMEZONE covers %s", local)
	}
	return offset
}

// TestCalendarLines: CRLF everywhere, no line over 75 octets, every fold
// between two UTF-8 sequences, and the text escaped.
func TestCalendarLines(t *testing.T) {
	b := renderCalendar(t, append(indicoTalks(t), zoneTalks(t)...))
	if !bytes.HasSuffix(b, []byte("END:VCALENDAR\r\n")) {
		t.Errorf("does not end with END:VCALENDAR CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
	folded := 0
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, l)
		}
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d cut inside a UTF-8 sequence: %q", i+1, l)
		}
		if strings.HasPrefix(l, " ") {
			folded++
		}
	}
	if folded == 0 {
		t.Errorf("no folded line: the test entries must have long ones")
	}
	unfolded := strings.ReplaceAll(string(b), "\r\n ", "")
	for _, want := range []string{
		`SUMMARY:XDP hints\, metadata\; and \\ the kfunc\, finally`,
		`DESCRIPTION:Speakers: Jesper Dangaard Brouer (Red Hat)\, Toke Høiland-Jørgensen\n\nLine one of the abstract.\nLine two\, with a comma\; a semicolon and a backslash \\ in it.`,
		`CATEGORIES:Netdev 0x19,Networking,XDP\, AF_XDP`,
		"SUMMARY:nftables 🚀 v Brně",
	} {
		if !strings.Contains(unfolded, want+"\r\n") && !strings.Contains(unfolded, want) {
			t.Errorf("calendar lacks %q", want)
		}
	}
}

// TestCalendarStable: DTSTAMP and UID come from the entries, not the
// clock or the order; another id is another UID.
func TestCalendarStable(t *testing.T) {
	talks := zoneTalks(t)
	a := renderCalendar(t, talks)
	if b := renderCalendar(t, talks); !bytes.Equal(a, b) {
		t.Errorf("two renders differ")
	}
	one := decodeCalendar(t, renderCalendar(t, talks[:1]))
	ev := one.Events()[0]
	uid, _ := ev.Props.Text(ical.PropUID)
	if !strings.HasSuffix(uid, "@netdigest.example") {
		t.Errorf("UID %q, want one @ the site's host", uid)
	}
	if _, ok := eventsByUID(t, decodeCalendar(t, a))[uid]; !ok {
		t.Errorf("UID %q of the talk alone differs in the whole calendar", uid)
	}
	if stamp, _ := ev.Props.DateTime(ical.PropDateTimeStamp, nil); !stamp.Equal(talks[0].Updated) {
		t.Errorf("DTSTAMP %v, want the entry's update %v", stamp, talks[0].Updated)
	}
	other := talks[0]
	other.ID += "-2"
	ev2 := decodeCalendar(t, renderCalendar(t, []entry.Entry{other})).Events()[0]
	if uid2, _ := ev2.Props.Text(ical.PropUID); uid2 == uid {
		t.Errorf("two ids, one UID %q", uid)
	}
}

// TestCalendarEmpty: no talk is still a calendar subscribers can load.
func TestCalendarEmpty(t *testing.T) {
	b := renderCalendar(t, []entry.Entry{{ID: "x", Title: "news", Published: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}})
	cal := decodeCalendar(t, b)
	if len(cal.Events()) != 0 {
		t.Errorf("events in a calendar of no talk")
	}
	if v, _ := cal.Props.Text(ical.PropVersion); v != "2.0" {
		t.Errorf("VERSION %q", v)
	}
	pythonEvents(t, b) // parses
}

// pyEvent is what the Python icalendar library reads of an event.
type pyEvent struct {
	UID, Summary, Description, URL string
	Start, End                     string // ISO 8601 with offset; a date for all-day
	TZID                           string
	Categories                     []string
}

// icalendarPython is a python3 that imports icalendar: Debian's first, as
// another python3 earlier on PATH (pyenv) lacks Debian's modules.
func icalendarPython(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/python3", "python3"} {
		if p, err := exec.LookPath(name); err == nil && exec.Command(p, "-c", "import icalendar").Run() == nil {
			return p
		}
	}
	tooltest.Unavailable(t, "no python3 with the icalendar module (apt-get install python3-icalendar)")
	return ""
}

// pythonEvents parses b with Debian's python3-icalendar.
func pythonEvents(t *testing.T, b []byte) []pyEvent {
	t.Helper()
	py := icalendarPython(t)
	const script = `
import icalendar, json, sys
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
if cal.name != "VCALENDAR":
    sys.exit("not a VCALENDAR: " + cal.name)
out = []
for ev in cal.walk("VEVENT"):
    def when(name):
        p = ev.get(name)
        return "" if p is None else p.dt.isoformat()
    cats = ev.get("CATEGORIES")
    out.append({"UID": str(ev.get("UID")), "Summary": str(ev.get("SUMMARY", "")),
        "Description": str(ev.get("DESCRIPTION", "")), "URL": str(ev.get("URL", "")),
        "Start": when("DTSTART"), "End": when("DTEND"),
        "TZID": ev["DTSTART"].params.get("TZID", ""),
        "Categories": [str(c) for c in cats.cats] if cats is not None else []})
json.dump(out, sys.stdout)
`
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = bytes.NewReader(b)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python icalendar: %v\n%s", err, stderr.Bytes())
	}
	var evs []pyEvent
	if err := json.Unmarshal(out, &evs); err != nil {
		t.Fatalf("python icalendar output: %v\n%s", err, out)
	}
	return evs
}

// TestCalendarPythonIcalendar: a second, independent parser reads the
// same talks: text unescaped and unfolded, times with their zones.
func TestCalendarPythonIcalendar(t *testing.T) {
	talks := append(indicoTalks(t), zoneTalks(t)...)
	evs := pythonEvents(t, renderCalendar(t, talks))
	bySummary := map[string]pyEvent{}
	for _, ev := range evs {
		bySummary[ev.Summary] = ev
	}
	n := 0
	for _, e := range talks {
		if e.EventStart.IsZero() {
			continue
		}
		n++
		ev, ok := bySummary[strings.TrimSpace(e.Title)]
		if !ok {
			t.Errorf("python icalendar has no event %q", e.Title)
			continue
		}
		wantStart := e.EventStart.Format(time.RFC3339)
		switch {
		case ev.TZID == "" && e.EventStart.Location() != time.UTC && !strings.HasPrefix(ev.Start, e.EventStart.UTC().Format("2006-01-02T15:04:05")):
			t.Errorf("%q: start %s, want %s in UTC", e.Title, ev.Start, wantStart)
		case ev.TZID != "":
			st, err := time.Parse(time.RFC3339, ev.Start)
			if err != nil || !st.Equal(e.EventStart) || ev.TZID != e.EventStart.Location().String() {
				t.Errorf("%q: start %s TZID %s, want %s in %s", e.Title, ev.Start, ev.TZID, wantStart, e.EventStart.Location())
			}
		}
		if !e.EventEnd.IsZero() {
			en, err := time.Parse(time.RFC3339, strings.Replace(ev.End, "+00:00", "Z", 1))
			if err != nil || !en.Equal(e.EventEnd) {
				t.Errorf("%q: end %s, want %s", e.Title, ev.End, e.EventEnd.Format(time.RFC3339))
			}
		}
		if sum := strings.TrimSpace(e.Summary); !strings.Contains(ev.Description, sum) {
			t.Errorf("%q: description %q lacks the summary %q", e.Title, ev.Description, sum)
		}
		if e.Track != "" && !strings.Contains(strings.Join(ev.Categories, "|"), e.Track) {
			t.Errorf("%q: categories %q lack the track %q", e.Title, ev.Categories, e.Track)
		}
	}
	if len(evs) != n {
		t.Errorf("python icalendar read %d events, want %d", len(evs), n)
	}
	if ev := bySummary["Day 2 notes"]; ev.Start != "2025-03-11" {
		t.Errorf("day-only talk: start %q, want the date 2025-03-11", ev.Start)
	}
	if ev := bySummary["XDP hints, metadata; and \\ the kfunc, finally"]; !strings.Contains(ev.Description, "\nLine two, with a comma; a semicolon and a backslash \\ in it.") {
		t.Errorf("description not unescaped to its lines: %q", ev.Description)
	}
}

// TestCalendarCalcurse: a real calendar client, Debian's calcurse (which
// runs headless), imports the calendar and files every talk at its UTC
// time (TZ=UTC) with its title and description, a day-only talk as an
// all-day event, nothing skipped.
func TestCalendarCalcurse(t *testing.T) {
	bin := tooltest.Find(t, "calcurse", "calcurse")
	talks := append(indicoTalks(t), zoneTalks(t)...)
	dir := t.TempDir()
	ics := filepath.Join(dir, "talks.ics")
	if err := os.WriteFile(ics, renderCalendar(t, talks), 0o644); err != nil {
		t.Fatal(err)
	}
	data, conf := filepath.Join(dir, "data"), filepath.Join(dir, "conf")
	for _, d := range []string{data, conf} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-D", data, "-C", conf, "-i", ics)
	cmd.Env = append(os.Environ(), "TZ=UTC", "HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("calcurse -i: %v\n%s", err, out)
	}
	var timed, allDay int
	for _, e := range talks {
		switch {
		case e.EventStart.IsZero():
		case dayOnly(e.EventStart, e.EventEnd):
			allDay++
		default:
			timed++
		}
	}
	report := fmt.Sprintf("%d apps / %d event / 0 todos / 0 skipped", timed, allDay)
	if !strings.Contains(string(out), report) {
		t.Errorf("calcurse's import report lacks %q:\n%s", report, out)
	}
	apts, err := os.ReadFile(filepath.Join(data, "apts"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range talks {
		if e.EventStart.IsZero() {
			continue
		}
		title := strings.TrimSpace(e.Title)
		var want string
		switch end := e.EventEnd; {
		case dayOnly(e.EventStart, end):
			want = e.EventStart.Format("01/02/2006") + " [1] " + title
		default:
			if end.IsZero() {
				end = e.EventStart
			}
			want = e.EventStart.UTC().Format("01/02/2006 @ 15:04") + " -> " + end.UTC().Format("01/02/2006 @ 15:04")
		}
		found := false
		for _, line := range strings.Split(string(apts), "\n") {
			if strings.HasPrefix(line, want) && strings.HasSuffix(line, title) {
				found = true
			}
		}
		if !found {
			t.Errorf("calcurse has no %q … %q:\n%s", want, title, apts)
		}
	}
	// The description (speakers, then the summary's lines) is the note.
	notes, err := filepath.Glob(filepath.Join(data, "notes", "*"))
	if err != nil {
		t.Fatal(err)
	}
	wantNote := "Speakers: Jesper Dangaard Brouer (Red Hat), Toke Høiland-Jørgensen\n\nLine one of the abstract.\nLine two, with a comma; a semicolon and a backslash \\ in it."
	found := false
	for _, n := range notes {
		if b, err := os.ReadFile(n); err == nil && strings.HasPrefix(string(b), wantNote) {
			found = true
		}
	}
	if !found {
		t.Errorf("no calcurse note starts with %q", wantNote)
	}
}

// TestCalendarZoneYears: talks years apart in one zone get one VTIMEZONE
// describing only the years used, right for each talk, however far apart.
func TestCalendarZoneYears(t *testing.T) {
	prague := mustZone(t, "Europe/Prague")
	talks := []entry.Entry{
		{ID: "a", Title: "Summer 2016", FirstSeen: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC),
			EventStart: time.Date(2016, 7, 1, 10, 0, 0, 0, prague), EventEnd: time.Date(2016, 7, 1, 11, 0, 0, 0, prague)},
		{ID: "b", Title: "Winter 2025", FirstSeen: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC),
			EventStart: time.Date(2025, 1, 20, 10, 0, 0, 0, prague)},
		{ID: "c", Title: "New Year's Eve into 2026", FirstSeen: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC),
			EventStart: time.Date(2025, 12, 31, 23, 0, 0, 0, prague), EventEnd: time.Date(2026, 1, 1, 1, 0, 0, 0, prague)},
		{ID: "d", Title: "Year one, a hostile date", FirstSeen: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC),
			EventStart: time.Date(1, 6, 1, 10, 0, 0, 0, prague)},
	}
	cal := decodeCalendar(t, renderCalendar(t, talks))
	var tz *ical.Component
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			tz = c
		}
	}
	if tz == nil {
		t.Fatal("no VTIMEZONE")
	}
	// Year 1 (LMT, no transition), 2016 and 2025 (1 January and two
	// transitions each), 2026 (continuing 2025: its two transitions only).
	if n := len(tz.Children); n != 1+3+3+2 {
		t.Errorf("%d observances, want 9", n)
	}
	for _, ev := range cal.Events() {
		for _, name := range []string{ical.PropDateTimeStart, ical.PropDateTimeEnd} {
			p := ev.Props.Get(name)
			if p == nil {
				continue
			}
			at, err := time.ParseInLocation("20060102T150405", p.Value, prague)
			if err != nil {
				t.Fatal(err)
			}
			_, want := at.Zone()
			if got := offsetAt(t, tz, p.Value); got != utcOffset(want) {
				t.Errorf("%s %s: the VTIMEZONE gives %s, the zone %s", name, p.Value, got, utcOffset(want))
			}
		}
	}
}
