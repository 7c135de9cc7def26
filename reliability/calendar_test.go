package reliability

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	ical "github.com/emersion/go-ical"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/server"
)

// injection is iCalendar a talk's text tries to smuggle into /talks.ics:
// the end of its event and a whole event of its own.
const injection = "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@attacker.example\r\nDTSTART:19700101T000000Z\r\nSUMMARY:injected\r\n"

// TestCalendarInjection: a real Indico export whose talk texts carry CRLF
// and iCalendar lines, fetched by the pipeline and served at /talks.ics.
func TestCalendarInjection(t *testing.T) {
	section(t, secBounds)
	rec := recordAt(t, 7, secBounds,
		"an Indico export whose first talk's title, description and speaker carry CRLF and `END:VEVENT`/`BEGIN:VEVENT`/`UID:` lines, "+
			"and every talk's title 300 characters of 4-octet emoji → `/talks.ics`",
		"one VEVENT per scheduled talk, no line of the attacker's; lines of at most 75 octets folded between characters; "+
			"go-ical reads the titles back whole")

	var export map[string]any
	if err := json.Unmarshal([]byte(readRepo(t, "normalize/indico/testdata/lpc2025-event19.json")), &export); err != nil {
		t.Fatal(err)
	}
	contribs := export["results"].([]any)[0].(map[string]any)["contributions"].([]any)
	long := strings.Repeat("🛰", 300)
	for i, c := range contribs {
		c := c.(map[string]any)
		c["title"] = fmt.Sprintf("%d %s", i, long)
		if i == 0 {
			c["title"] = "Netdev maintainers' update" + injection
			c["description"] = "<p>Abstract." + injection + "</p>"
			for _, s := range c["speakers"].([]any) {
				s := s.(map[string]any)
				s["first_name"], s["fullName"] = "Paolo"+injection, "Abeni, Paolo"+injection
			}
		}
	}
	body, err := json.Marshal(export)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	good := newGoodServer(t, 3)
	h := newHarness(t, nil, hostileFetch(),
		config.Source{Name: "hostile", Kind: config.KindIndico, Indico: &config.Indico{}, Schedule: "@hourly",
			URL: srv.URL + "/export/event/19.json?detail=contributions"},
		feedSource("good", good.URL+"/feed"))
	res := h.fetchAll(t)
	if r := res["hostile"]; r.Err != nil || r.Counts.New != len(contribs) {
		t.Fatalf("result %+v; want %d new entries", r, len(contribs))
	}
	if h.entriesOf(t, "good") != 3 {
		t.Errorf("good source: %+v", res["good"])
	}
	talks, err := h.store.Talks(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}

	handler, err := server.New(server.Deps{Runner: h.runner, Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/talks.ics", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("GET /talks.ics: %d %s", w.Code, w.Body)
	}
	doc := w.Body.Bytes()

	lines := strings.Split(strings.TrimSuffix(string(doc), "\r\n"), "\r\n")
	var long75, cut, smuggled int
	for _, l := range lines {
		if len(l) > 75 {
			long75++
		}
		if !utf8.ValidString(l) {
			cut++
		}
		for _, bad := range []string{"UID:evil", "DTSTART:19700101", "SUMMARY:injected"} {
			if strings.HasPrefix(l, bad) {
				smuggled++
			}
		}
	}
	cal, err := ical.NewDecoder(bytes.NewReader(doc)).Decode()
	if err != nil {
		t.Fatalf("go-ical: %v", err)
	}
	events := cal.Events()
	whole, first := 0, ""
	for _, ev := range events {
		s, _ := ev.Props.Text(ical.PropSummary)
		if strings.HasSuffix(s, long) {
			whole++
		}
		if strings.HasPrefix(s, "Netdev maintainers") {
			first = s
		}
	}
	if len(events) != len(talks) || smuggled != 0 || long75 != 0 || cut != 0 || whole != len(talks)-1 || !strings.Contains(first, "END:VEVENT") {
		t.Errorf("%d events for %d talks; %d smuggled lines, %d over 75 octets, %d cut in a character; %d of %d long titles whole; first title %q",
			len(events), len(talks), smuggled, long75, cut, whole, len(talks)-1, first)
	}
	rec.res("%d VEVENTs for the %d scheduled talks of %d contributions, %d lines, none of the attacker's, none over 75 octets or cut in a character; "+
		"%d long titles read back whole; the first talk's SUMMARY reads %s",
		len(events), len(talks), len(contribs), len(lines), whole, quote(first))
}
