package server

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/store"
)

// TestPageShowsTraces: an entry of a linked talk says "also:" and names
// each other trace (role, and source for a write-up), linked to it.
func TestPageShowsTraces(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	at := time.Date(2026, 11, 19, 18, 0, 0, 0, time.UTC)
	report := entry.Entry{ID: "https://bootlin.com/?p=9002", Title: "Netdev 0x19: the TC workshop", Conference: "Netdev 0x19",
		Link: "https://bootlin.com/blog/netdev-0x19/#tc", Published: at, Role: entry.RoleReport, ContentHash: "r1"}
	notes := entry.Entry{ID: "urn:pad:tc", Title: "TC workshop notes", Conference: "Netdev 0x19",
		Published: at, Role: entry.RoleNotes, ContentHash: "n1"}
	for src, e := range map[string]entry.Entry{"bootlin": report, "tohojo": notes} {
		if _, err := f.store.SaveFetch(ctx, store.SourceState{Name: src}, []entry.Entry{e}); err != nil {
			t.Fatal(err)
		}
	}
	tc := "https://netdevconf.info/0x19/sessions/workshop/tc.html"
	if _, err := f.store.RelinkConference(ctx, "Netdev 0x19", func([]entry.Entry) []store.Link {
		return []store.Link{{A: tc, B: report.ID}, {A: tc, B: notes.ID}, {A: report.ID, B: notes.ID}}
	}); err != nil {
		t.Fatal(err)
	}
	_, body := f.get("/")
	doc := parseHTML(t, body)
	also := map[string]string{} // entry title → its "also" line
	links := map[string][]string{}
	for _, art := range findAll(doc, tag("article")) {
		title := textOf(findAll(art, tag("h4"))[0])
		for _, p := range findAll(art, tag("p")) {
			if strings.Contains(attr(p, "class"), "also") {
				also[title] = textOf(p)
				for _, a := range findAll(p, tag("a")) {
					links[title] = append(links[title], attr(a, "href"))
				}
			}
		}
	}
	if got := also["TC workshop"]; got != "also: Notes · Write-up by bootlin" {
		t.Errorf("TC workshop: %q, want %q", got, "also: Notes · Write-up by bootlin")
	}
	if got := links["TC workshop"]; len(got) != 1 || got[0] != report.Link {
		t.Errorf("TC workshop links %q, want only the write-up's (the notes have no link)", got)
	}
	if got := also["Netdev 0x19: the TC workshop"]; got != "also: Notes · netdevconf" {
		t.Errorf("write-up: %q", got)
	}
	if got := also["Devmem TCP: zero-copy receive into device memory"]; got != "" {
		t.Errorf("unlinked entry says %q", got)
	}
}
