package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"
	_ "time/tzdata" // Asia/Tokyo and America/Vancouver without the host's zoneinfo

	"github.com/netdigest/netdigest/entry"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// talkEntries carry talk fields in every zone shape event_tz stores.
func talkEntries(t *testing.T) []entry.Entry {
	tokyo, vancouver := zone(t, "Asia/Tokyo"), zone(t, "America/Vancouver")
	abstract := item("urn:t:abstract", "t", "https://lpc.example/c/1", "h1", time.Time{})
	abstract.EventStart = time.Date(2025, 12, 11, 10, 0, 0, 0, tokyo)
	abstract.EventEnd = time.Date(2025, 12, 11, 10, 30, 0, 0, tokyo)
	abstract.Speakers = []entry.Speaker{{Name: "Paolo Abeni", Affiliation: "Red Hat"}, {Name: "Lena Hartmann"}}
	abstract.Session, abstract.Track, abstract.Role = "Networking Track", "Networking", entry.RoleAbstract

	// A summer time in a zone with DST: the name, not the offset, is kept.
	summer := item("urn:t:summer", "t", "https://lpc.example/c/2", "h2", time.Time{})
	summer.EventStart = time.Date(2026, 7, 2, 9, 0, 0, 0, vancouver)
	summer.Role = entry.RoleNotes

	// A fixed offset as an html <time datetime> gives it (no zone name).
	fixed := item("urn:t:fixed", "t", "https://lpc.example/c/3", "h3", time.Time{})
	fixed.EventStart = time.Date(2016, 10, 6, 10, 30, 0, 0, time.FixedZone("", -4*3600))
	fixed.Role = entry.RoleReport

	day := item("urn:t:day", "t", "https://lpc.example/c/4", "h4", time.Date(2015, 8, 19, 0, 0, 0, 0, time.UTC))
	day.EventStart = time.Date(2015, 8, 19, 0, 0, 0, 0, time.UTC)
	day.Role = entry.RoleNews
	return []entry.Entry{abstract, summer, fixed, day}
}

// sameTalk compares the talk fields, times by instant and zone.
func sameTalk(t *testing.T, got, want entry.Entry) {
	t.Helper()
	for _, f := range []struct {
		name      string
		got, want time.Time
	}{{"event start", got.EventStart, want.EventStart}, {"event end", got.EventEnd, want.EventEnd}} {
		gn, goff := f.got.Zone()
		wn, woff := f.want.Zone()
		if !f.got.Equal(f.want) || goff != woff || gn != wn || f.got.Location().String() != f.want.Location().String() {
			t.Errorf("%s: %s %v (zone %q), want %v (zone %q)", got.ID, f.name, f.got, f.got.Location(), f.want, f.want.Location())
		}
	}
	if !reflect.DeepEqual(got.Speakers, want.Speakers) || got.Session != want.Session || got.Track != want.Track || got.Role != want.Role {
		t.Errorf("%s: speakers %q session %q track %q role %q, want %q %q %q %q", got.ID,
			got.Speakers, got.Session, got.Track, got.Role, want.Speakers, want.Session, want.Track, want.Role)
	}
}

// TestTalkFieldsRoundTrip: every reader gives the talk fields back as
// saved, times in the zone they were given in.
func TestTalkFieldsRoundTrip(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := openMem(t, c)
	want := talkEntries(t)
	saveFetch(t, s, "t", want...)

	readers := map[string]func() ([]entry.Entry, error){
		"Latest":       func() ([]entry.Entry, error) { return s.Latest(ctx, 10) },
		"EntriesSince": func() ([]entry.Entry, error) { return s.EntriesSince(ctx, time.Time{}) },
		"Undigested":   func() ([]entry.Entry, error) { return s.Undigested(ctx, time.Time{}) },
	}
	for name, read := range readers {
		t.Run(name, func(t *testing.T) {
			got, err := read()
			if err != nil {
				t.Fatal(err)
			}
			byID := make(map[string]entry.Entry, len(got))
			for _, e := range got {
				byID[e.ID] = e
			}
			for _, w := range want {
				g, ok := byID[w.ID]
				if !ok {
					t.Fatalf("%s missing", w.ID)
				}
				sameTalk(t, g, w)
			}
		})
	}
	// The abstract has no date of its own: first-seen, not its talk time.
	if got := all(t, s)["urn:t:abstract"].Published; !got.Equal(c.Now()) {
		t.Errorf("abstract published %v, want first seen %v", got, c.Now())
	}
}

// TestTalkFieldsUpdate: a talk moved to another time has another content
// hash; the stored entry takes the new time and counts as updated.
func TestTalkFieldsUpdate(t *testing.T) {
	c := newClock()
	s := openMem(t, c)
	first := talkEntries(t)[0]
	saveFetch(t, s, "t", first)

	moved := first
	moved.EventStart = first.EventStart.Add(2 * time.Hour)
	moved.EventEnd = first.EventEnd.Add(2 * time.Hour)
	moved.Speakers = first.Speakers[:1]
	moved.ContentHash = "h1-moved"
	c.Add(time.Hour)
	if got := saveFetch(t, s, "t", moved); got.Updated != 1 {
		t.Errorf("counts %+v, want 1 updated", got)
	}
	sameTalk(t, all(t, s)[first.ID], moved)
}

// TestMigrateTalkFields opens a store of schema 7 (before the talk fields)
// holding entries: every entry is kept with all it had, reads as news with
// no talk fields, and the next fetch by newer rules fills the fields in
// place without reporting the entry updated.
func TestMigrateTalkFields(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	const before = 7
	path := filepath.Join(t.TempDir(), "netdigest.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:before] {
		if _, err := raw.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	const stamp = "2025-03-01T12:00:00.000000000Z"
	if _, err := raw.Exec(fmt.Sprintf(`PRAGMA user_version = %d;
		INSERT INTO sources (name) VALUES ('lpc'), ('blog');
		INSERT INTO entries (id, guid, source, link, title, authors, published, updated, first_seen,
			content, summary, tags, conference, content_hash, norm_version, raw_hash) VALUES
		('https://lpc.example/c/1', 'https://lpc.example/c/1', 'lpc', 'https://lpc.example/c/1', 'Talk',
			'["Paolo Abeni (Red Hat)"]', '%[2]s', '%[2]s', '%[2]s', '<p>abstract</p>', 'abstract', '["lpc"]',
			'LPC 2025', 'old-hash', 3, 'old-raw'),
		('https://blog.example/p/1', 'p1', 'blog', 'https://blog.example/p/1', 'Post',
			'[]', '%[2]s', '%[2]s', '%[2]s', '<p>post</p>', 'post', '[]', '', 'post-hash', 3, 'post-raw');
		INSERT INTO entry_duplicates (entry_id, source, link, first_seen)
			VALUES ('https://blog.example/p/1', 'lpc', 'https://blog.example/p/1', '%[2]s');`, before, stamp)); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	c := newClock()
	s := openFile(t, path, c)
	defer s.Close()
	if got := pragmaInt(t, s.w, "user_version"); got != len(ms) {
		t.Fatalf("user_version = %d, want %d", got, len(ms))
	}
	published, _ := time.Parse(time.RFC3339, "2025-03-01T12:00:00Z")
	got := all(t, s)
	want := map[string]entry.Entry{
		"https://lpc.example/c/1": {ID: "https://lpc.example/c/1", GUID: "https://lpc.example/c/1", Source: "lpc",
			Link: "https://lpc.example/c/1", Title: "Talk", Authors: []string{"Paolo Abeni (Red Hat)"},
			Published: published, Updated: published, FirstSeen: published, Content: "<p>abstract</p>", Summary: "abstract",
			Tags: []string{"lpc"}, Conference: "LPC 2025", ContentHash: "old-hash", NormVersion: 3, RawHash: "old-raw",
			Role: entry.RoleNews},
		"https://blog.example/p/1": {ID: "https://blog.example/p/1", GUID: "p1", Source: "blog",
			Link: "https://blog.example/p/1", Title: "Post", Published: published, Updated: published, FirstSeen: published,
			Content: "<p>post</p>", Summary: "post", ContentHash: "post-hash", NormVersion: 3, RawHash: "post-raw",
			Role: entry.RoleNews},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("migrated entries:\n%+v\nwant\n%+v", got, want)
	}
	var dupes int
	if err := s.r.QueryRow("SELECT count(*) FROM entry_duplicates").Scan(&dupes); err != nil || dupes != 1 {
		t.Errorf("duplicates %d, %v; want the one recorded", dupes, err)
	}

	// The same contribution normalized by the talk-field rules.
	talk := talkEntries(t)[0]
	talk.ID, talk.GUID, talk.Link, talk.Title = "https://lpc.example/c/1", "https://lpc.example/c/1", "https://lpc.example/c/1", "Talk"
	talk.Source, talk.NormVersion, talk.ContentHash = "lpc", 4, "new-hash"
	c.Add(time.Hour)
	counts, err := s.SaveFetch(context.Background(), SourceState{Name: "lpc"}, []entry.Entry{talk})
	if err != nil {
		t.Fatal(err)
	}
	if counts.Unchanged != 1 || counts.Updated != 0 {
		t.Errorf("counts %+v, want the rewrite unchanged", counts)
	}
	after := all(t, s)["https://lpc.example/c/1"]
	sameTalk(t, after, talk)
	if !after.Published.Equal(published) || !after.FirstSeen.Equal(published) || !after.Updated.Equal(published) {
		t.Errorf("dates moved: published %v first seen %v updated %v", after.Published, after.FirstSeen, after.Updated)
	}
}
