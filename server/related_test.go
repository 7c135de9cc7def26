package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/store"
)

// TestPageShowsTraces: the traces of a talk the store linked share one
// card on the page, which names each (role, and source for a write-up),
// linked when it has a link; an unlinked talk is a card of its own.
func TestPageShowsTraces(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	at := time.Date(2026, 11, 19, 18, 0, 0, 0, time.UTC)
	report := entry.Entry{ID: "https://bootlin.com/?p=9002", Title: "Netdev 0x19: the TC workshop", Conference: "Netdev 0x19",
		Link: "https://bootlin.com/blog/netdev-0x19/#tc", Published: at, Role: entry.RoleReport, ContentHash: "r1"}
	notes := entry.Entry{ID: "urn:pad:tc", Title: "TC workshop notes", Conference: "Netdev 0x19",
		Published: at, Role: entry.RoleNotes, ContentHash: "n1"}
	alone := entry.Entry{ID: "urn:pad:xdp", Title: "XDP workshop notes", Conference: "Netdev 0x19",
		Published: at, Role: entry.RoleNotes, ContentHash: "n2"}
	for src, es := range map[string][]entry.Entry{"bootlin": {report}, "tohojo": {notes, alone}} {
		if _, err := f.store.SaveFetch(ctx, store.SourceState{Name: src}, es); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.RelinkConference(ctx, "Netdev 0x19", func([]entry.Entry) []store.Link {
		return []store.Link{{A: report.ID, B: notes.ID}}
	}); err != nil {
		t.Fatal(err)
	}
	_, body := f.get("/")
	doc := parseHTML(t, body)
	traces := map[string]string{} // card title → its traces line
	links := map[string][]string{}
	for _, art := range findAll(doc, tag("article")) {
		if !strings.Contains(attr(art, "class"), "talk") {
			continue
		}
		title := textOf(findAll(art, tag("h4"))[0])
		for _, p := range findAll(art, tag("p")) {
			if strings.Contains(attr(p, "class"), "traces") {
				traces[title] = textOf(p)
				for _, a := range findAll(p, tag("a")) {
					links[title] = append(links[title], attr(a, "href"))
				}
			}
		}
	}
	if len(traces) != 2 {
		t.Fatalf("talk cards %q, want two: the linked talk and the lone notes", traces)
	}
	var linked string
	for title, line := range traces {
		if title != alone.Title {
			linked = title
			if !strings.Contains(line, "Write-up by bootlin") || !strings.Contains(line, "Notes") {
				t.Errorf("card %q traces %q, want the write-up and the notes", title, line)
			}
		}
	}
	if got := links[linked]; len(got) != 1 || got[0] != report.Link {
		t.Errorf("card %q links %q, want only the write-up's (the notes have no link)", linked, got)
	}
	if got := traces[alone.Title]; got != "Notes" {
		t.Errorf("unlinked notes card traces %q, want only its own", got)
	}
}
