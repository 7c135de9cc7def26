package normalize

import (
	"reflect"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// talkItem is a schedule's contribution: speakers, a time ahead of now in
// the event's zone, no publication date.
func talkItem() Item {
	jst := time.FixedZone("JST", 9*3600)
	return Item{
		GUID: "https://lpc.example/event/19/contributions/2101/", Title: "Netdev maintainers' update",
		Link:       "https://lpc.example/event/19/contributions/2101/",
		EventStart: testNow.Add(30 * 24 * time.Hour).In(jst), EventEnd: testNow.Add(30*24*time.Hour + 30*time.Minute).In(jst),
		Speakers: []entry.Speaker{{Name: " Paolo  Abeni ", Affiliation: "Red <b>Hat</b>"}, {Name: "paolo abeni"}, {Name: "  "},
			{Name: "Lena\x00 Hartmann"}},
		Session: " Networking  Track ", Track: "Networking &amp; BPF", Role: entry.RoleAbstract,
		ContentHTML: "<p>Brief introduction</p>",
	}
}

// TestEntriesTalkFields: what Entries makes of the talk fields, and the
// role each source and item combination gets.
func TestEntriesTalkFields(t *testing.T) {
	n := New()
	e := n.Entries(Source{Name: "lpc"}, &Document{Items: []Item{talkItem()}}, testNow)[0]
	it := talkItem()
	// A talk a month ahead is not clamped, and keeps its zone.
	if !e.EventStart.Equal(it.EventStart) || e.EventStart.Location().String() != "JST" ||
		!e.EventEnd.Equal(it.EventEnd) {
		t.Errorf("event %v – %v, want %v – %v", e.EventStart, e.EventEnd, it.EventStart, it.EventEnd)
	}
	if !e.Published.IsZero() {
		t.Errorf("published %v, want zero (the store makes it first-seen)", e.Published)
	}
	// Plain text, one of each name ignoring case, none empty, XML-safe.
	want := []entry.Speaker{{Name: "Paolo Abeni", Affiliation: "Red Hat"}, {Name: "Lena Hartmann"}}
	if !reflect.DeepEqual(e.Speakers, want) {
		t.Errorf("speakers %q, want %q", e.Speakers, want)
	}
	if e.Session != "Networking Track" || e.Track != "Networking & BPF" {
		t.Errorf("session %q track %q", e.Session, e.Track)
	}

	roles := []struct {
		name      string
		src, item entry.Role
		want      entry.Role
	}{
		{"neither: news", "", "", entry.RoleNews},
		{"the parser's", "", entry.RoleAbstract, entry.RoleAbstract},
		{"the source's over the parser's", entry.RoleReport, entry.RoleAbstract, entry.RoleReport},
		{"the source's alone", entry.RoleSlides, "", entry.RoleSlides},
	}
	for _, tt := range roles {
		t.Run(tt.name, func(t *testing.T) {
			it := talkItem()
			it.Role = tt.item
			e := n.Entries(Source{Name: "lpc", Role: tt.src}, &Document{Items: []Item{it}}, testNow)[0]
			if e.Role != tt.want {
				t.Errorf("role %q, want %q", e.Role, tt.want)
			}
		})
	}

	// Only a time RFC 3339 cannot write is dropped.
	it = talkItem()
	it.EventStart = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if e := n.Entries(Source{Name: "lpc"}, &Document{Items: []Item{it}}, testNow)[0]; !e.EventStart.IsZero() {
		t.Errorf("event start of year 10000 kept: %v", e.EventStart)
	}
}

// TestContentHashTalkFields: a changed talk field changes the content hash
// (a moved talk updates the stored entry), and an entry without talk fields
// hashes as it did before they existed.
func TestContentHashTalkFields(t *testing.T) {
	n := New()
	hash := func(src Source, it Item) string {
		return n.Entries(src, &Document{Items: []Item{it}}, testNow)[0].ContentHash
	}
	h0 := hash(Source{Name: "lpc"}, talkItem())
	changes := map[string]func(*Item){
		"event start": func(it *Item) { it.EventStart = it.EventStart.Add(time.Hour) },
		"event end":   func(it *Item) { it.EventEnd = it.EventEnd.Add(time.Hour) },
		"zone only": func(it *Item) {
			it.EventStart = it.EventStart.In(time.UTC) // the same instant, shown elsewhere
		},
		"speakers":    func(it *Item) { it.Speakers = it.Speakers[:1] },
		"affiliation": func(it *Item) { it.Speakers = []entry.Speaker{{Name: "Paolo Abeni"}, {Name: "Lena Hartmann"}} },
		"session":     func(it *Item) { it.Session = "BPF" },
		"track":       func(it *Item) { it.Track = "BPF" },
		"role":        func(it *Item) { it.Role = entry.RoleNotes },
	}
	for name, change := range changes {
		it := talkItem()
		change(&it)
		if hash(Source{Name: "lpc"}, it) == h0 {
			t.Errorf("changing the %s left the hash unchanged", name)
		}
	}
	if hash(Source{Name: "lpc", Role: entry.RoleReport}, talkItem()) == h0 {
		t.Error("the source's role left the hash unchanged")
	}

	// A feed item: no talk fields, role news. Its hash is the one the
	// fields' names and values alone give, as before version 4 (the
	// expected value was computed by the version 3 rules).
	plain := Item{GUID: "urn:x", Title: "t", Link: "https://example.org/a", ContentHTML: "<p>body</p>",
		SummaryHTML: "sum", Authors: []string{"A"}, Published: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	// sha256 of the version 3 fields (title, link, content, summary,
	// authors, published, updated), as version 3's ContentHash wrote them.
	const v3 = "960286005b5b85b906f7ba6755a749d838e7fd2565bc77ec9850cd5251576e71"
	if e := n.Entries(Source{Name: "s"}, &Document{Items: []Item{plain}}, testNow)[0]; e.ContentHash != v3 || e.Role != entry.RoleNews {
		t.Errorf("plain item hash %s role %q, want %s news", e.ContentHash, e.Role, v3)
	}
}
