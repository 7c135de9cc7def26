package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// clock is the injected time source: it moves only when a test says so.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2025, 3, 10, 9, 0, 0, 123456789, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

func openMem(t *testing.T, c *clock) *Store {
	t.Helper()
	s, err := Open(context.Background(), ":memory:", c.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openFile(t *testing.T, path string, c *clock) *Store {
	t.Helper()
	s, err := Open(context.Background(), path, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// item builds an entry as normalize would: dated when pub is non-zero.
func item(id, source, link, hash string, pub time.Time) entry.Entry {
	return entry.Entry{
		ID: id, GUID: id, Source: source, Link: link,
		Title: "Title " + id, Content: "<p>" + hash + "</p>", Summary: hash,
		Published: pub, Updated: pub, ContentHash: hash,
	}
}

func saveFetch(t *testing.T, s *Store, source string, es ...entry.Entry) Counts {
	t.Helper()
	c, err := s.SaveFetch(context.Background(), SourceState{Name: source}, es)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// all returns every stored entry by id, via the exported reader.
func all(t *testing.T, s *Store) map[string]entry.Entry {
	t.Helper()
	es, err := s.EntriesSince(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]entry.Entry, len(es))
	for _, e := range es {
		m[e.ID] = e
	}
	return m
}

func count(t *testing.T, s *Store) int {
	t.Helper()
	n, err := s.CountEntries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

type dupe struct {
	EntryID, Source, Link string
	FirstSeen             string
}

func duplicates(t *testing.T, s *Store) []dupe {
	t.Helper()
	rows, err := s.r.Query("SELECT entry_id, source, link, first_seen FROM entry_duplicates ORDER BY entry_id, source")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []dupe
	for rows.Next() {
		var d dupe
		if err := rows.Scan(&d.EntryID, &d.Source, &d.Link, &d.FirstSeen); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func pragmaInt(t *testing.T, db *sql.DB, name string) int {
	t.Helper()
	var v int
	if err := db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestOpenMigratesOnceAndReopenKeepsData(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	path := filepath.Join(t.TempDir(), "netdigest.db")
	s := openFile(t, path, c)

	if got := pragmaInt(t, s.w, "user_version"); got != len(ms) {
		t.Errorf("user_version = %d, want %d", got, len(ms))
	}
	if got := pragmaInt(t, s.w, "application_id"); got != appID {
		t.Errorf("application_id = %#x, want %#x", got, appID)
	}
	var mode string
	if err := s.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	for name, want := range map[string]int{"foreign_keys": 1, "busy_timeout": 5000, "synchronous": 1} {
		if got := pragmaInt(t, s.w, name); got != want {
			t.Errorf("writer %s = %d, want %d", name, got, want)
		}
		if got := pragmaInt(t, s.r, name); got != want {
			t.Errorf("reader %s = %d, want %d", name, got, want)
		}
	}
	if _, err := s.r.Exec("DELETE FROM sources"); err == nil {
		t.Error("the read pool accepted a write")
	}

	want := item("urn:a:1", "a", "https://example.org/1", "h1", c.Now().Add(-time.Hour))
	want.Authors = []string{"Ann"}
	saveFetch(t, s, "a", want)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Migration 0001 is not idempotent (plain CREATE TABLE): reopening
	// succeeds only if it is skipped.
	s = openFile(t, path, c)
	defer s.Close()
	if got := pragmaInt(t, s.w, "user_version"); got != len(ms) {
		t.Errorf("user_version after reopen = %d, want %d", got, len(ms))
	}
	got, err := s.Latest(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	want.FirstSeen = c.Now()
	if len(got) != 1 || !reflect.DeepEqual(got[0], want) {
		t.Errorf("after reopen: %+v\nwant [%+v]", got, want)
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "netdigest.db")
	s := openFile(t, path, c)
	ms, _ := migrations()
	newer := len(ms) + 1
	if _, err := s.w.Exec(fmt.Sprintf("PRAGMA user_version = %d", newer)); err != nil {
		t.Fatal(err)
	}
	s.Close()

	_, err := Open(context.Background(), path, c.Now)
	if !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open = %v, want ErrSchemaTooNew", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if got := pragmaInt(t, raw, "user_version"); got != newer {
		t.Errorf("user_version = %d after refused Open, want %d untouched", got, newer)
	}
}

// corruptDB builds a real netdigest database and overwrites one of its
// b-tree pages (not the header), as a torn write or bad disk would.
func corruptDB(t *testing.T, dir string) []byte {
	path := filepath.Join(dir, "build.db")
	s := openFile(t, path, newClock())
	var es []entry.Entry
	for i := range 200 {
		es = append(es, item(fmt.Sprintf("urn:x:%d", i), "x", fmt.Sprintf("https://x.example/%d", i),
			strings.Repeat("content ", 20), time.Time{}))
	}
	saveFetch(t, s, "x", es...)
	s.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 4*4096 {
		t.Fatalf("test database is only %d bytes", len(b))
	}
	copy(b[2*4096:3*4096], bytes.Repeat([]byte{0xA5}, 4096))
	return b
}

func TestOpenRefusesBadFiles(t *testing.T) {
	foreign := func(t *testing.T, dir string) []byte {
		path := filepath.Join(dir, "other.db")
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE notes (body TEXT)"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// foreignWith is another program's database with a table of its own
	// and pragmas that could pass for netdigest's.
	foreignWith := func(pragmas string) func(t *testing.T, dir string) []byte {
		return func(t *testing.T, dir string) []byte {
			path := filepath.Join(dir, "other.db")
			db, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x'); " + pragmas); err != nil {
				t.Fatal(err)
			}
			db.Close()
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	// lookalike has netdigest's tables of version 3 and one more of its own.
	lookalike := func(t *testing.T, dir string) []byte {
		path := filepath.Join(dir, "other.db")
		db, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ms, _ := migrations()
		for _, m := range ms[:3] {
			if _, err := db.Exec(m.sql); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Exec("CREATE TABLE notes (body TEXT); PRAGMA application_id = 0; PRAGMA user_version = 3"); err != nil {
			t.Fatal(err)
		}
		db.Close()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name    string
		content func(t *testing.T, dir string) []byte
		why     string // in the message
	}{
		{"another program's database with user_version 3", foreignWith("PRAGMA user_version = 3"), "another program"},
		{"another program's database with user_version 5", foreignWith("PRAGMA user_version = 5"), "another program"},
		{"another program's database with user_version 99", foreignWith("PRAGMA user_version = 99"), "another program"},
		{"another program's application_id", foreignWith("PRAGMA application_id = 42; PRAGMA user_version = 5"), "another program"},
		{"netdigest's tables of version 3 and another one", lookalike, "another program"},
		{"text file", func(*testing.T, string) []byte {
			return []byte("sources:\n  - name: lwn\n    url: https://lwn.net/headlines/rss\n")
		}, "not a SQLite database"},
		{"binary junk", func(*testing.T, string) []byte {
			return bytes.Repeat([]byte{0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad}, 2000)
		}, "not a SQLite database"},
		{"corrupt page", corruptDB, "corrupt"},
		{"another program's database", foreign, "another program"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			b := tt.content(t, t.TempDir())
			path := filepath.Join(dir, "netdigest.db")
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(context.Background(), path, newClock().Now)
			if err == nil {
				s.Close()
				t.Fatal("Open accepted the file")
			}
			if !errors.Is(err, ErrBadDatabase) {
				t.Errorf("error %v is not ErrBadDatabase", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("multi-line error %q", msg)
			}
			for _, want := range []string{path, "backup", "move it aside", tt.why} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q lacks %q", msg, want)
				}
			}
			after, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(after, b) {
				t.Error("Open changed the file")
			}
			left, _ := os.ReadDir(dir)
			if len(left) != 1 {
				t.Errorf("Open left files beside the database: %v", left)
			}
		})
	}
}

// TestOpenEarlierStores opens stores made by the migrations of earlier
// versions, as those versions left them (marked by 0001) and without the
// mark (a store rebuilt from a dump): every one opens, is migrated and
// marked, and keeps its rows.
func TestOpenEarlierStores(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for v := 1; v < len(ms); v++ {
		for _, marked := range []bool{true, false} {
			t.Run(fmt.Sprintf("version %d marked %v", v, marked), func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "netdigest.db")
				raw, err := sql.Open("sqlite", path)
				if err != nil {
					t.Fatal(err)
				}
				defer raw.Close()
				for _, m := range ms[:v] {
					if _, err := raw.Exec(m.sql); err != nil {
						t.Fatalf("%s: %v", m.name, err)
					}
				}
				if _, err := raw.Exec(fmt.Sprintf("PRAGMA user_version = %d; INSERT INTO sources (name) VALUES ('kept')", v)); err != nil {
					t.Fatal(err)
				}
				if !marked {
					if _, err := raw.Exec("PRAGMA application_id = 0"); err != nil {
						t.Fatal(err)
					}
				}
				raw.Close()

				s := openFile(t, path, newClock())
				defer s.Close()
				if got := pragmaInt(t, s.w, "user_version"); got != len(ms) {
					t.Errorf("user_version = %d, want %d", got, len(ms))
				}
				if got := pragmaInt(t, s.w, "application_id"); got != appID {
					t.Errorf("application_id = %#x, want %#x", got, appID)
				}
				states, err := s.Sources(context.Background())
				if err != nil || len(states) != 1 || states[0].Name != "kept" {
					t.Errorf("Sources = %v, %v; want the row stored before", states, err)
				}
			})
		}
	}
}

func TestOpenMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "netdigest.db")
	_, err := Open(context.Background(), path, nil)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open = %v, want an error naming %s", err, path)
	}
}

func TestOpenOddFileName(t *testing.T) {
	// '?', '#' and '%' would otherwise end the file name inside the DSN.
	dir := t.TempDir()
	path := filepath.Join(dir, "net digest?v=1#x%41.db")
	s, err := Open(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	saveFetch(t, s, "a", item("urn:1", "a", "", "h", time.Time{}))
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database not at the given path: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files in dir: %v, want just the database", entries)
	}
}

func TestSaveFetchCounts(t *testing.T) {
	c := newClock()
	s := openMem(t, c)
	day := c.Now().Add(-24 * time.Hour)
	e1 := item("urn:a:1", "a", "https://a.example/1", "h1", day)
	e2 := item("urn:a:2", "a", "https://a.example/2", "h2", day)
	e1changed := e1
	e1changed.Content, e1changed.ContentHash = "<p>new</p>", "h1b"

	steps := []struct {
		name    string
		source  string
		entries []entry.Entry
		want    Counts
		stored  int
	}{
		{"first fetch", "a", []entry.Entry{e1, e2}, Counts{New: 2}, 2},
		{"same again", "a", []entry.Entry{e1, e2}, Counts{Unchanged: 2}, 2},
		{"one changed, one new", "a", []entry.Entry{e1changed, e2,
			item("urn:a:3", "a", "https://a.example/3", "h3", day)}, Counts{New: 1, Updated: 1, Unchanged: 1}, 3},
		{"changed item seen again", "a", []entry.Entry{e1changed}, Counts{Unchanged: 1}, 3},
		{"other source, same link", "b", []entry.Entry{
			item("urn:b:1", "b", "https://a.example/1", "x", day)}, Counts{Duplicates: 1}, 3},
		{"same source, new guid, same link: a distinct post", "a", []entry.Entry{
			item("urn:a:2-again", "a", "https://a.example/2", "h2", day)}, Counts{New: 1}, 4},
		{"no links: no dedupe", "c", []entry.Entry{
			item("urn:c:1", "c", "", "c1", day), item("urn:c:2", "c", "", "c2", day)}, Counts{New: 2}, 6},
		{"empty batch", "c", nil, Counts{}, 6},
	}
	for _, st := range steps {
		c.Add(time.Minute)
		got := saveFetch(t, s, st.source, st.entries...)
		if got != st.want {
			t.Errorf("%s: counts %+v, want %+v", st.name, got, st.want)
		}
		if n := count(t, s); n != st.stored {
			t.Errorf("%s: %d entries stored, want %d", st.name, n, st.stored)
		}
	}
}

func TestSaveFetchUpdatesInPlace(t *testing.T) {
	pub := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		itemUpdated time.Time // what the changed item says
		wantNow     bool      // updated = time of the change
	}{
		{"item carries a newer date", pub.Add(48 * time.Hour), false},
		{"item carries no new date", pub, true},
		{"item's date went backwards", pub.Add(-time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			s := openMem(t, c)
			orig := item("urn:a:1", "a", "https://a.example/1", "h1", pub)
			orig.Tags = []string{"xdp"}
			saveFetch(t, s, "a", orig)
			firstSeen := c.Now()

			changeAt := c.Add(72 * time.Hour)
			changed := orig
			changed.Title, changed.Content, changed.ContentHash = "Fixed title", "<p>v2</p>", "h2"
			changed.Link = "https://a.example/1-renamed"
			changed.Authors, changed.Tags = []string{"Bo"}, []string{"xdp", "bpf"}
			changed.Updated = tt.itemUpdated
			if got := saveFetch(t, s, "a", changed); got != (Counts{Updated: 1}) {
				t.Fatalf("counts %+v, want one update", got)
			}

			if n := count(t, s); n != 1 {
				t.Fatalf("%d rows, want 1", n)
			}
			got := all(t, s)["urn:a:1"]
			want := changed
			want.FirstSeen = firstSeen
			want.Published = pub
			want.Updated = tt.itemUpdated
			if tt.wantNow {
				want.Updated = changeAt
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("stored %+v\nwant   %+v", got, want)
			}
			if !got.Updated.After(pub) {
				t.Errorf("updated %v did not move forward from %v", got.Updated, pub)
			}
		})
	}
}

func TestSaveFetchUndatedItemKeepsFirstSeen(t *testing.T) {
	c := newClock()
	s := openMem(t, c)
	undated := item("urn:a:1", "a", "https://a.example/1", "h1", time.Time{})
	saveFetch(t, s, "a", undated)
	t1 := c.Now()

	check := func(step string, pub, upd time.Time) {
		t.Helper()
		got := all(t, s)["urn:a:1"]
		if !got.FirstSeen.Equal(t1) || !got.Published.Equal(pub) || !got.Updated.Equal(upd) {
			t.Errorf("%s: first_seen %v published %v updated %v; want %v %v %v",
				step, got.FirstSeen, got.Published, got.Updated, t1, pub, upd)
		}
	}
	check("first fetch", t1, t1)

	c.Add(time.Hour)
	if got := saveFetch(t, s, "a", undated); got != (Counts{Unchanged: 1}) {
		t.Errorf("refetch counts %+v", got)
	}
	check("unchanged refetch", t1, t1)

	t3 := c.Add(time.Hour)
	changed := undated
	changed.ContentHash = "h2"
	saveFetch(t, s, "a", changed)
	check("changed, still undated", t1, t3)

	t4 := c.Add(time.Hour)
	dated := changed
	dated.ContentHash = "h3"
	dated.Published = time.Date(2025, 3, 9, 8, 0, 0, 0, time.UTC)
	dated.Updated = dated.Published
	saveFetch(t, s, "a", dated)
	// Its update date is older than the stored one: updated is the change time.
	check("item gained its own date", dated.Published, t4)
}

func TestSaveFetchDuplicates(t *testing.T) {
	const link = "https://lwn.net/Articles/1000/"
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	type fetch struct {
		source  string
		entries []entry.Entry
	}
	tests := []struct {
		name      string
		fetches   []fetch
		wantKept  entry.Entry // the one stored entry (FirstSeen aside)
		wantDupes []dupe      // FirstSeen is the fetch's time index, as text
	}{
		{
			name: "other source, same canonical link",
			fetches: []fetch{
				{"lwn", []entry.Entry{item("urn:lwn:1", "lwn", link, "h", day)}},
				{"planet", []entry.Entry{item("urn:planet:9", "planet", link, "other", day)}},
			},
			wantKept:  item("urn:lwn:1", "lwn", link, "h", day),
			wantDupes: []dupe{{"urn:lwn:1", "planet", link, "1"}},
		},
		{
			name: "same id from another source does not overwrite",
			fetches: []fetch{
				{"lwn", []entry.Entry{item("https://lwn.net/1", "lwn", link, "h", day)}},
				{"planet", []entry.Entry{item("https://lwn.net/1", "planet", link, "changed", day)}},
			},
			wantKept:  item("https://lwn.net/1", "lwn", link, "h", day),
			wantDupes: []dupe{{"https://lwn.net/1", "planet", link, "1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			s := openMem(t, c)
			start := c.Now()
			var times []string
			for _, f := range tt.fetches {
				times = append(times, c.Now().Format(timeLayout))
				saveFetch(t, s, f.source, f.entries...)
				c.Add(time.Minute)
			}
			got := all(t, s)
			want := tt.wantKept
			want.FirstSeen = start
			if len(got) != 1 || !reflect.DeepEqual(got[want.ID], want) {
				t.Errorf("stored %+v\nwant one: %+v", got, want)
			}
			var wantDupes []dupe
			for _, d := range tt.wantDupes {
				i := int(d.FirstSeen[0] - '0')
				d.FirstSeen = times[i]
				wantDupes = append(wantDupes, d)
			}
			if d := duplicates(t, s); !reflect.DeepEqual(d, wantDupes) {
				t.Errorf("duplicates %+v, want %+v", d, wantDupes)
			}
		})
	}
}

// Posts of one source whose links differ only by a fragment (Scripting News
// links every post as day.html#anchor) keep their distinct GUIDs: merging
// them would lose posts.
func TestSameSourceDistinctGUIDsKept(t *testing.T) {
	c := newClock()
	s := openMem(t, c)
	day := c.Now().Add(-time.Hour)
	link := "http://scripting.com/2019/05/26.html"
	for range 2 {
		saveFetch(t, s, "scripting", item("http://scripting.com/2019/05/26.html#a080605", "scripting", link, "a", day),
			item("http://scripting.com/2019/05/26.html#a091500", "scripting", link, "b", day))
	}
	if n := count(t, s); n != 2 {
		t.Errorf("%d entries stored, want 2", n)
	}
	if d := duplicates(t, s); len(d) != 0 {
		t.Errorf("duplicates recorded: %+v", d)
	}
	if got := saveFetch(t, s, "planet", item("urn:planet:1", "planet", link, "c", day)); got.Duplicates != 1 {
		t.Errorf("another source's copy: %+v, want a duplicate", got)
	}
}

func TestSaveFetchCancelledRollsBack(t *testing.T) {
	backends := map[string]func(t *testing.T, c *clock) *Store{
		"memory": openMem,
		"file": func(t *testing.T, c *clock) *Store {
			s := openFile(t, filepath.Join(t.TempDir(), "n.db"), c)
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			c := newClock()
			s := open(t, c)
			day := c.Now().Add(-time.Hour)
			first := item("urn:a:1", "a", "https://a.example/1", "h1", day)
			if _, err := s.SaveFetch(context.Background(), SourceState{Name: "a", ETag: `"v1"`}, []entry.Entry{first}); err != nil {
				t.Fatal(err)
			}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// Cancel mid-transaction, once two entries have been written.
			s.afterEntry = func(i int) {
				if i == 1 {
					cancel()
				}
			}
			changed := first
			changed.ContentHash, changed.Content = "h1b", "<p>lost</p>"
			batch := []entry.Entry{
				item("urn:a:2", "a", "https://a.example/2", "h2", day),
				changed,
				item("urn:a:3", "a", "https://a.example/3", "h3", day),
			}
			_, err := s.SaveFetch(ctx, SourceState{Name: "a", ETag: `"v2"`}, batch)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("SaveFetch = %v, want context.Canceled", err)
			}
			s.afterEntry = nil

			stored := all(t, s)
			want := first
			want.FirstSeen = c.Now()
			if len(stored) != 1 || !reflect.DeepEqual(stored["urn:a:1"], want) {
				t.Errorf("after cancel: %+v\nwant only %+v", stored, want)
			}
			st, err := s.SourceState(context.Background(), "a")
			if err != nil {
				t.Fatal(err)
			}
			if st.ETag != `"v1"` {
				t.Errorf("state ETag %q, want the earlier %q", st.ETag, `"v1"`)
			}
			// The store is still usable.
			if got := saveFetch(t, s, "a", batch...); got != (Counts{New: 2, Updated: 1}) {
				t.Errorf("retry counts %+v", got)
			}
		})
	}
}

func TestSaveFetchRejectsBadInput(t *testing.T) {
	ok := item("urn:a:1", "a", "https://a.example/1", "h", time.Time{})
	tests := []struct {
		name    string
		state   SourceState
		entries []entry.Entry
		want    string
	}{
		{"entry of another source", SourceState{Name: "a"},
			[]entry.Entry{ok, item("urn:b:1", "b", "", "h", time.Time{})}, `source "b" differs`},
		{"empty id", SourceState{Name: "a"}, []entry.Entry{ok, item("", "a", "", "h", time.Time{})}, "empty id"},
		{"date out of range", SourceState{Name: "a"},
			[]entry.Entry{ok, item("urn:a:2", "a", "", "h", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))}, "year outside"},
		{"no source name", SourceState{}, []entry.Entry{ok}, "empty source name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openMem(t, newClock())
			_, err := s.SaveFetch(context.Background(), tt.state, tt.entries)
			if err == nil || !strings.Contains(err.Error(), tt.want) ||
				!strings.HasPrefix(err.Error(), fmt.Sprintf("store: save fetch of source %q: ", tt.state.Name)) {
				t.Fatalf("SaveFetch = %v, want a wrapped error with %q", err, tt.want)
			}
			if n := count(t, s); n != 0 {
				t.Errorf("%d entries stored by a failed SaveFetch", n)
			}
			if srcs, err := s.Sources(context.Background()); err != nil || len(srcs) != 0 {
				t.Errorf("sources after failed SaveFetch: %v, %v", srcs, err)
			}
		})
	}
}

func TestSourceStateRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openMem(t, newClock())
	paris := time.FixedZone("CET", 3600)

	got, err := s.SourceState(ctx, "never")
	if err != nil || !reflect.DeepEqual(got, SourceState{Name: "never"}) {
		t.Errorf("unknown source: %+v, %v", got, err)
	}

	full := SourceState{
		Name: "bootlin", URL: "https://bootlin.com/feed/", ETag: `W/"5e-abc"`,
		LastModified: "Mon, 10 Mar 2025 08:00:00 GMT",
		LastFetch:    time.Date(2025, 3, 10, 9, 0, 1, 999999999, paris),
		LastSuccess:  time.Date(2025, 3, 10, 9, 0, 1, 5, time.UTC),
		LastError:    "fetch: 503 Service Unavailable", Failures: 3,
		NextTry:      time.Date(2025, 3, 10, 10, 0, 0, 0, paris),
		PermanentURL: "https://bootlin.com/blog/feed/", Gone: true,
		Feed: FeedMeta{ID: "tag:bootlin.com,2025:blog", Title: "Bootlin blog", Link: "https://bootlin.com/blog/"},
	}
	tests := []struct {
		name string
		st   SourceState
	}{
		{"every field", full},
		{"fields cleared again", SourceState{Name: "bootlin", URL: full.URL}},
		{"304 keeps validators", SourceState{Name: "bootlin", URL: full.URL, ETag: `"x"`, LastFetch: full.LastFetch}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.SaveState(ctx, tt.st); err != nil {
				t.Fatal(err)
			}
			got, err := s.SourceState(ctx, tt.st.Name)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.st
			for _, p := range []*time.Time{&want.LastFetch, &want.LastSuccess, &want.NextTry} {
				if !p.IsZero() {
					*p = p.UTC()
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
	}

	if err := s.SaveState(ctx, SourceState{}); err == nil || !strings.HasPrefix(err.Error(), `store: save source "": `) {
		t.Errorf("SaveState without a name = %v", err)
	}
	if err := s.SaveState(ctx, SourceState{Name: "alpha"}); err != nil {
		t.Fatal(err)
	}
	srcs, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, st := range srcs {
		names = append(names, st.Name)
	}
	if want := []string{"alpha", "bootlin"}; !reflect.DeepEqual(names, want) {
		t.Errorf("Sources = %v, want %v", names, want)
	}
}

func TestLatest(t *testing.T) {
	c := newClock()
	s := openMem(t, c)
	d := func(day int) time.Time { return time.Date(2025, 3, day, 12, 0, 0, 0, time.UTC) }

	full := item("urn:a:full", "a", "https://a.example/full", "hf", d(5))
	full.GUID = "full-guid"
	full.Authors = []string{"Ann Author", "Bo"}
	full.Tags = []string{"netdev", "bpf"}
	full.Conference = "Netdev 0x19"
	full.Updated = d(6)
	saveFetch(t, s, "a", full,
		item("urn:a:old", "a", "https://a.example/old", "ho", d(1)),
		item("urn:a:tie-b", "a", "https://a.example/tb", "hb", d(3)),
		item("urn:a:tie-a", "a", "https://a.example/ta", "ha", d(3)))
	// Same published date, seen later: sorts before the earlier two.
	c.Add(time.Hour)
	saveFetch(t, s, "b", item("urn:b:tie", "b", "https://b.example/t", "ht", d(3)))

	wantFull := full
	wantFull.FirstSeen = c.Now().Add(-time.Hour)
	tests := []struct {
		limit int
		want  []string
	}{
		{10, []string{"urn:a:full", "urn:b:tie", "urn:a:tie-b", "urn:a:tie-a", "urn:a:old"}},
		{2, []string{"urn:a:full", "urn:b:tie"}},
		{1, []string{"urn:a:full"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("limit ", tt.limit), func(t *testing.T) {
			got, err := s.Latest(context.Background(), tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range got {
				ids = append(ids, e.ID)
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("ids %v, want %v", ids, tt.want)
			}
			if len(got) > 0 && !reflect.DeepEqual(got[0], wantFull) {
				t.Errorf("first entry %+v\nwant %+v", got[0], wantFull)
			}
		})
	}
	if _, err := s.Latest(context.Background(), 0); err == nil {
		t.Error("Latest(0) succeeded")
	}
}

func TestEntriesSince(t *testing.T) {
	c := newClock()
	s := openMem(t, c)
	var times []time.Time
	for i, id := range []string{"one", "two", "three"} {
		times = append(times, c.Now())
		// Published dates run the other way, to show the order is by first_seen.
		saveFetch(t, s, "a", item("urn:"+id, "a", "", id, time.Date(2025, 1, 10-i, 0, 0, 0, 0, time.UTC)))
		c.Add(time.Hour)
	}
	tests := []struct {
		name  string
		since time.Time
		want  []string
	}{
		{"zero time: everything", time.Time{}, []string{"urn:one", "urn:two", "urn:three"}},
		{"after the first", times[0], []string{"urn:two", "urn:three"}},
		{"just before the second", times[1].Add(-time.Nanosecond), []string{"urn:two", "urn:three"}},
		{"after the last", times[2], nil},
		{"non-UTC zone", times[1].In(time.FixedZone("PST", -8*3600)), []string{"urn:three"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.EntriesSince(context.Background(), tt.since)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, e := range got {
				ids = append(ids, e.ID)
				if !e.FirstSeen.After(tt.since) {
					t.Errorf("%s first seen %v, not after %v", e.ID, e.FirstSeen, tt.since)
				}
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("ids %v, want %v", ids, tt.want)
			}
		})
	}
}

func TestNilClockUsesTimeNow(t *testing.T) {
	s, err := Open(context.Background(), ":memory:", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before := time.Now()
	saveFetch(t, s, "a", item("urn:1", "a", "", "h", time.Time{}))
	got := all(t, s)["urn:1"]
	if got.FirstSeen.Before(before.Add(-time.Second)) || got.FirstSeen.After(time.Now()) {
		t.Errorf("first seen %v, want about %v", got.FirstSeen, before)
	}
}

// TestConcurrentUse runs writers and readers at once on a file database
// (under -race): nothing may fail with SQLITE_BUSY and nothing may be lost.
func TestConcurrentUse(t *testing.T) {
	c := newClock()
	s := openFile(t, filepath.Join(t.TempDir(), "n.db"), c)
	defer s.Close()
	ctx := context.Background()
	const sources, perSource = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, 2*sources)
	for i := range sources {
		name := fmt.Sprintf("src%d", i)
		wg.Go(func() {
			for j := range perSource {
				e := item(fmt.Sprintf("urn:%s:%d", name, j), name, fmt.Sprintf("https://%s.example/%d", name, j), "h", time.Time{})
				if _, err := s.SaveFetch(ctx, SourceState{Name: name, Failures: j}, []entry.Entry{e}); err != nil {
					errs <- err
					return
				}
			}
		})
		wg.Go(func() {
			for range perSource {
				if _, err := s.Latest(ctx, 20); err != nil {
					errs <- err
					return
				}
				if _, err := s.SourceState(ctx, name); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := count(t, s); n != sources*perSource {
		t.Errorf("%d entries, want %d", n, sources*perSource)
	}
	srcs, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range srcs {
		if st.Failures != perSource-1 {
			t.Errorf("%s: failures %d, want the last write %d", st.Name, st.Failures, perSource-1)
		}
	}
}

// TestSaveFetchReformattedByNewerRules: an entry stored by older normalize
// rules whose hash differs only because the rules changed is rewritten, not
// reported or dated as updated; once stored under the new rules, a change
// counts again.
func TestSaveFetchReformattedByNewerRules(t *testing.T) {
	pub := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		storedVersion int
		newVersion    int
		newHash       string
		itemUpdated   time.Time
		want          Counts
		wantUpdated   func(changeAt time.Time) time.Time
		wantContent   string
	}{
		{"older rules, other hash: rewritten silently", 1, 2, "h2", pub,
			Counts{Unchanged: 1}, func(time.Time) time.Time { return pub }, "<p>h2</p>"},
		{"older rules, other hash, item says newer: its date", 1, 2, "h2", pub.Add(time.Hour),
			Counts{Unchanged: 1}, func(time.Time) time.Time { return pub.Add(time.Hour) }, "<p>h2</p>"},
		{"older rules, same hash: left", 1, 2, "h1", pub,
			Counts{Unchanged: 1}, func(time.Time) time.Time { return pub }, "<p>h1</p>"},
		{"same rules, other hash: updated", 2, 2, "h2", pub,
			Counts{Updated: 1}, func(at time.Time) time.Time { return at }, "<p>h2</p>"},
		{"entry not made by normalize: updated", 0, 0, "h2", pub,
			Counts{Updated: 1}, func(at time.Time) time.Time { return at }, "<p>h2</p>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			s := openMem(t, c)
			orig := item("urn:a:1", "a", "https://a.example/1", "h1", pub)
			orig.NormVersion = tt.storedVersion
			saveFetch(t, s, "a", orig)

			changeAt := c.Add(72 * time.Hour)
			again := item("urn:a:1", "a", "https://a.example/1", tt.newHash, pub)
			again.Updated = tt.itemUpdated
			again.NormVersion = tt.newVersion
			if got := saveFetch(t, s, "a", again); got != tt.want {
				t.Errorf("counts %+v, want %+v", got, tt.want)
			}
			got := all(t, s)["urn:a:1"]
			if want := tt.wantUpdated(changeAt); !got.Updated.Equal(want) {
				t.Errorf("updated %v, want %v", got.Updated, want)
			}
			if got.Content != tt.wantContent || got.NormVersion != tt.newVersion {
				t.Errorf("stored content %q version %d, want %q version %d",
					got.Content, got.NormVersion, tt.wantContent, tt.newVersion)
			}

			// Under the new rules now: the next difference is a change.
			c.Add(time.Hour)
			changed := item("urn:a:1", "a", "https://a.example/1", "h3", pub)
			changed.NormVersion = tt.newVersion
			if got := saveFetch(t, s, "a", changed); got != (Counts{Updated: 1}) {
				t.Errorf("a later change counts %+v, want one update", got)
			}
		})
	}
}

// TestMigrationNumbersExistingEntriesVersion1: entries stored before the
// rules were numbered are taken as version 1.
func TestMigrationNumbersExistingEntriesVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "netdigest.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:2] {
		if _, err := raw.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	if _, err := raw.Exec(`PRAGMA user_version = 2;
		INSERT INTO sources (name) VALUES ('a');
		INSERT INTO entries (id, source, published, updated, first_seen, content_hash)
		VALUES ('urn:a:1', 'a', '2025-03-01T12:00:00.000000000Z', '2025-03-01T12:00:00.000000000Z',
			'2025-03-01T12:00:00.000000000Z', 'h1')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	s := openFile(t, path, newClock())
	defer s.Close()
	if got := all(t, s)["urn:a:1"].NormVersion; got != 1 {
		t.Errorf("norm_version of an entry stored at schema 2 = %d, want 1", got)
	}
}

// lastCheck is the recorded time of the last sound quick_check, zero when
// none is recorded.
func lastCheck(t *testing.T, s *Store) time.Time {
	t.Helper()
	var v sql.NullString
	err := s.r.QueryRow("SELECT value FROM store_meta WHERE key = ?", metaQuickCheck).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}
	}
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeTime(v)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestOpenRunsQuickCheckOnceADay: the full check runs at the first open of
// an existing file, then only when the recorded one is a day old, the clock
// went back, or the WAL shows a writer that did not close.
func TestOpenRunsQuickCheckOnceADay(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "netdigest.db")
	s := openFile(t, path, c)
	saveFetch(t, s, "a", item("urn:a:1", "a", "https://a.example/1", "h1", time.Time{}))
	if got := lastCheck(t, s); !got.IsZero() {
		t.Errorf("a new file records a check at %v: there was nothing to check", got)
	}
	s.Close()

	steps := []struct {
		name    string
		advance time.Duration
		keep    bool // leave the store open: the next open sees WAL frames
		checked bool // quick_check ran at this open
	}{
		{"first open of an existing file", time.Minute, false, true},
		{"an hour later", time.Hour, false, false},
		{"just under a day after the check", 22*time.Hour + 58*time.Minute, false, false},
		{"a day after the check", 2 * time.Minute, false, true},
		{"clock set back before the check", -48 * time.Hour, false, true},
		{"a minute later, the store left open", time.Minute, true, false},
		{"beside an open writer (WAL frames)", time.Minute, false, true},
	}
	var open *Store
	want := time.Time{}
	for _, st := range steps {
		now := c.Add(st.advance)
		s := openFile(t, path, c)
		if st.checked {
			want = now
		}
		if got := lastCheck(t, s); !got.Equal(want) {
			t.Errorf("%s: last check %v, want %v", st.name, got, want)
		}
		// A write, so an open store leaves frames in the WAL.
		saveFetch(t, s, "a", item("urn:a:1", "a", "https://a.example/1", st.name, time.Time{}))
		if open != nil {
			open.Close()
			open = nil
		}
		if st.keep {
			open = s
			continue
		}
		s.Close()
	}
	if open != nil {
		open.Close()
	}
}

// TestOpenFindsDamageBetweenChecks: a file checked minutes ago and damaged
// since is still refused when its length or a root page shows it; damage
// deeper in is found by the next daily check.
func TestOpenFindsDamageBetweenChecks(t *testing.T) {
	const page = 4096
	c := newClock()
	build := filepath.Join(t.TempDir(), "build.db")
	s := openFile(t, build, c)
	var es []entry.Entry
	for i := range 400 {
		es = append(es, item(fmt.Sprintf("urn:x:%d", i), "x", fmt.Sprintf("https://x.example/%d", i),
			strings.Repeat("content ", 40), time.Time{}))
	}
	saveFetch(t, s, "x", es...)
	s.Close()
	s = openFile(t, build, c) // the first open of the existing file checks and records it
	if lastCheck(t, s).IsZero() {
		t.Fatal("no check recorded")
	}
	var maxRoot int
	if err := s.r.QueryRow("SELECT max(rootpage) FROM sqlite_schema").Scan(&maxRoot); err != nil {
		t.Fatal(err)
	}
	s.Close()
	pristine, err := os.ReadFile(build)
	if err != nil {
		t.Fatal(err)
	}
	pages := len(pristine) / page
	if pages <= maxRoot+1 {
		t.Fatalf("%d pages, roots up to %d: no page to damage past the roots", pages, maxRoot)
	}

	tests := []struct {
		name    string
		damage  func([]byte) []byte
		later   time.Duration // open this long after the check
		refused string        // "" when Open accepts the file
	}{
		{"truncated mid-page", func(b []byte) []byte { return b[:len(b)-page/2] }, time.Minute, "truncated"},
		{"truncated at a page boundary", func(b []byte) []byte { return b[:len(b)-2*page] }, time.Minute, "truncated"},
		{"root page overwritten", func(b []byte) []byte {
			copy(b[2*page:3*page], bytes.Repeat([]byte{0xA5}, page))
			return b
		}, time.Minute, "not a b-tree page"},
		{"header overwritten", func(b []byte) []byte { copy(b, "not a database at all\n"); return b },
			time.Minute, "not a SQLite database"},
		{"last page overwritten, minutes after the check", func(b []byte) []byte {
			copy(b[len(b)-page:], bytes.Repeat([]byte{0xA5}, page))
			return b
		}, time.Minute, ""},
		{"last page overwritten, a day after the check", func(b []byte) []byte {
			copy(b[len(b)-page:], bytes.Repeat([]byte{0xA5}, page))
			return b
		}, checkEvery, "corrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "netdigest.db")
			b := tt.damage(append([]byte(nil), pristine...))
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			cl := &clock{t: c.Now().Add(tt.later)}
			s, err := Open(context.Background(), path, cl.Now)
			if tt.refused == "" {
				if err != nil {
					t.Fatalf("Open = %v, want the file accepted until its next full check", err)
				}
				defer s.Close()
				// A backup checks the whole file first.
				err := s.Backup(context.Background(), filepath.Join(t.TempDir(), "backup.db"))
				if !errors.Is(err, ErrBadDatabase) || !strings.Contains(err.Error(), path) {
					t.Errorf("Backup of the damaged file = %v, want ErrBadDatabase naming it", err)
				}
				return
			}
			if err == nil {
				s.Close()
				t.Fatal("Open accepted the file")
			}
			if !errors.Is(err, ErrBadDatabase) {
				t.Errorf("error %v is not ErrBadDatabase", err)
			}
			for _, want := range []string{path, "backup", "move it aside", tt.refused} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, b) {
				t.Error("Open changed the file")
			}
		})
	}
}

// TestSaveStates: several states in one transaction, all or none.
func TestSaveStates(t *testing.T) {
	tests := []struct {
		name   string
		states []SourceState
		ok     bool
	}{
		{"all saved", []SourceState{{Name: "a", ETag: "1"}, {Name: "b", ETag: "2"}, {Name: "c", Failures: 3}}, true},
		{"one refused, none saved", []SourceState{{Name: "a", ETag: "1"}, {Name: ""}, {Name: "c"}}, false},
		{"none", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openMem(t, newClock())
			err := s.SaveStates(context.Background(), tt.states)
			if (err == nil) != tt.ok {
				t.Fatalf("SaveStates = %v, want ok %v", err, tt.ok)
			}
			got, err := s.Sources(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			if tt.ok {
				want = len(tt.states)
			}
			if len(got) != want {
				t.Fatalf("%d states stored, want %d", len(got), want)
			}
			for i, st := range got {
				if st != tt.states[i] {
					t.Errorf("stored %+v, want %+v", st, tt.states[i])
				}
			}
		})
	}
}

// TestRawHashes: the raw hashes stored for one source, with their ids,
// kept current when an item's bytes change but not what a reader sees.
func TestRawHashes(t *testing.T) {
	s := openMem(t, newClock())
	withRaw := func(e entry.Entry, raw string) entry.Entry { e.RawHash = raw; return e }
	saveFetch(t, s, "a",
		withRaw(item("urn:a:1", "a", "https://a.example/1", "h1", time.Time{}), "r1"),
		withRaw(item("urn:a:2", "a", "https://a.example/2", "h2", time.Time{}), "r2"),
		item("urn:a:3", "a", "https://a.example/3", "h3", time.Time{})) // stored before raw hashes
	saveFetch(t, s, "b", withRaw(item("urn:b:1", "b", "https://b.example/1", "h1", time.Time{}), "rb"))

	tests := []struct {
		name  string
		save  []entry.Entry // a's next fetch, before reading
		count Counts
		want  map[string]string
	}{
		{"as stored", nil, Counts{}, map[string]string{"r1": "urn:a:1", "r2": "urn:a:2"}},
		{"new raw hash, same content", []entry.Entry{
			withRaw(item("urn:a:1", "a", "https://a.example/1", "h1", time.Time{}), "r1b"),
			withRaw(item("urn:a:3", "a", "https://a.example/3", "h3", time.Time{}), "r3"),
		}, Counts{Unchanged: 2}, map[string]string{"r1b": "urn:a:1", "r2": "urn:a:2", "r3": "urn:a:3"}},
		{"changed content", []entry.Entry{
			withRaw(item("urn:a:2", "a", "https://a.example/2", "h2b", time.Time{}), "r2b"),
		}, Counts{Updated: 1}, map[string]string{"r1b": "urn:a:1", "r2b": "urn:a:2", "r3": "urn:a:3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.save != nil {
				if got := saveFetch(t, s, "a", tt.save...); got != tt.count {
					t.Errorf("counts %+v, want %+v", got, tt.count)
				}
			}
			got, err := s.RawHashes(context.Background(), "a")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("RawHashes(a) = %v, want %v", got, tt.want)
			}
		})
	}
}
