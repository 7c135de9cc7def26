package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// linkEntries are one talk's three traces from three sources, and an entry
// of another conference.
func linkEntries() (abstract, notes, report, other entry.Entry) {
	at := time.Date(2016, 10, 5, 0, 0, 0, 0, time.UTC)
	abstract = item("urn:abstract", "netdevconf", "https://netdevconf.example/1.2/tls", "h1", at)
	abstract.Role, abstract.Conference, abstract.Title = entry.RoleAbstract, "Netdev 1.2", "TLS offload"
	notes = item("urn:notes", "pad", "https://pad.example/p/netdev#tls", "h2", at)
	notes.Role, notes.Conference, notes.Title = entry.RoleNotes, "Netdev 1.2", "TLS offload notes"
	report = item("urn:report", "bootlin", "https://bootlin.example/netdev#tls", "h3", at)
	report.Role, report.Conference, report.Title = entry.RoleReport, "Netdev 1.2", "TLS Offload"
	other = item("urn:other", "lpc", "https://lpc.example/1", "h4", at)
	other.Conference = "LPC 2015"
	return
}

func related(e entry.Entry) entry.Related {
	return entry.Related{ID: e.ID, Link: e.Link, Source: e.Source, Role: e.Role, Title: e.Title}
}

// TestLinksOnRead: every reader gives each entry its talk's other traces,
// both ways of a pair, in role order; unlinked entries get none.
func TestLinksOnRead(t *testing.T) {
	ctx := context.Background()
	s := openMem(t, newClock())
	abstract, notes, report, other := linkEntries()
	for _, e := range []entry.Entry{abstract, notes, report, other} {
		saveFetch(t, s, e.Source, e)
	}
	// Given out of order (B < A): the store orders each pair.
	var seen []string
	if _, err := s.RelinkConference(ctx, "Netdev 1.2", func(es []entry.Entry) []Link {
		for _, e := range es {
			seen = append(seen, e.ID)
		}
		return []Link{
			{A: "urn:report", B: "urn:abstract", Score: 1.2, Evidence: "title"},
			{A: "urn:abstract", B: "urn:notes", Score: 0.9, Evidence: "href"},
			{A: "urn:notes", B: "urn:report", Evidence: "talk"},
		}
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"urn:abstract", "urn:notes", "urn:report"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("relink read %q, want the conference's entries %q", seen, want)
	}
	want := map[string][]entry.Related{
		abstract.ID: {related(notes), related(report)},
		notes.ID:    {related(abstract), related(report)},
		report.ID:   {related(abstract), related(notes)},
		other.ID:    nil,
	}
	readers := map[string]func() ([]entry.Entry, error){
		"Latest":       func() ([]entry.Entry, error) { return s.Latest(ctx, 10) },
		"EntriesSince": func() ([]entry.Entry, error) { return s.EntriesSince(ctx, time.Time{}) },
		"Undigested":   func() ([]entry.Entry, error) { return s.Undigested(ctx, time.Time{}) },
	}
	for name, read := range readers {
		es, err := read()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, e := range es {
			if !reflect.DeepEqual(e.Related, want[e.ID]) {
				t.Errorf("%s: %s related %+v, want %+v", name, e.ID, e.Related, want[e.ID])
			}
		}
	}
	ls, err := s.Links(ctx, "Netdev 1.2")
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 3 || ls[0] != (Link{A: "urn:abstract", B: "urn:notes", Score: 0.9, Evidence: "href"}) {
		t.Errorf("links %+v", ls)
	}
}

// TestRelinkReplaces: a recomputation replaces its conference's pairs whole
// and leaves the other conferences' alone.
func TestRelinkReplaces(t *testing.T) {
	ctx := context.Background()
	s := openMem(t, newClock())
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	replace := func(conference string, links []Link) error {
		_, err := s.RelinkConference(ctx, conference, func([]entry.Entry) []Link { return links })
		return err
	}
	must(replace("LPC 2015", []Link{{A: "urn:x", B: "urn:y"}}))
	must(replace("Netdev 1.2", []Link{{A: "urn:a", B: "urn:b"}, {A: "urn:a", B: "urn:c"}}))
	must(replace("Netdev 1.2", []Link{{A: "urn:b", B: "urn:c", Evidence: "title"}}))
	got, err := s.Links(ctx, "Netdev 1.2")
	must(err)
	if want := []Link{{A: "urn:b", B: "urn:c", Evidence: "title"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("after replace: %+v, want %+v", got, want)
	}
	lpc, err := s.Links(ctx, "LPC 2015")
	must(err)
	if len(lpc) != 1 {
		t.Errorf("other conference's links: %+v", lpc)
	}
	must(replace("Netdev 1.2", nil))
	if got, _ := s.Links(ctx, "Netdev 1.2"); len(got) != 0 {
		t.Errorf("after replace with none: %+v", got)
	}
	if err := replace("Netdev 1.2", []Link{{A: "urn:a", B: "urn:b"}, {A: "urn:a", B: "urn:a"}}); err == nil {
		t.Error("a link to itself accepted")
	}
	if got, _ := s.Links(ctx, "Netdev 1.2"); len(got) != 0 {
		t.Errorf("a failed replace left %+v", got)
	}
}

// TestRelinkRenamedConference: links an entry got under a conference name
// its source no longer uses go with the next relink of its conference.
func TestRelinkRenamedConference(t *testing.T) {
	ctx := context.Background()
	s := openMem(t, newClock())
	abstract, notes, report, _ := linkEntries()
	for _, e := range []entry.Entry{abstract, notes, report} {
		saveFetch(t, s, e.Source, e)
	}
	// Stored when the sources said "Netdev 1.2 Tokyo".
	if _, err := s.RelinkConference(ctx, "Netdev 1.2 Tokyo", func([]entry.Entry) []Link {
		return []Link{{A: abstract.ID, B: notes.ID}}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RelinkConference(ctx, "Netdev 1.2", func([]entry.Entry) []Link {
		return []Link{{A: abstract.ID, B: report.ID}}
	}); err != nil {
		t.Fatal(err)
	}
	old, err := s.Links(ctx, "Netdev 1.2 Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 0 {
		t.Errorf("links under the old name kept: %+v", old)
	}
	es, err := s.Latest(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.ID == notes.ID && len(e.Related) != 0 {
			t.Errorf("notes still related to %+v", e.Related)
		}
	}
}
