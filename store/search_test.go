package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
)

func TestFTSQuery(t *testing.T) {
	tests := []struct {
		q, want string
	}{
		{"xdp", `(("xdp"))`},
		{"XDP  offload", `(("XDP") AND ("offload"))`},
		{`"page pool"`, `(("page pool"))`},
		{"offl*", `(("offl"*))`},
		{`"page po"*`, `(("page po"*))`},
		// FTS5 operators and separators stay inside strings.
		{"tc's IPv6-only eBPF/XDP", `(("tc's") AND ("IPv6-only") AND ("eBPF/XDP"))`},
		{`a"b`, `(("a""b"))`},
		{"NEAR(xdp", `(("NEAR(xdp"))`},
		{"xdp ebpf OR bpf", `(("xdp") AND ("ebpf" OR "bpf"))`},
		{"a OR b OR c", `(("a" OR "b" OR "c"))`},
		{"xdp -offload NOT tc", `(("xdp")) NOT "offload" NOT "tc"`},
		{"xdp AND tc", `(("xdp") AND ("tc"))`},
		{`author:brouer tag:"page pool" Source:lwn -title:x*`,
			`((authors : "brouer") AND (tags : "page pool") AND (source : "lwn")) NOT title : "x"*`},
		{"http://example.org", `(("http://example.org"))`}, // not a field
		{"xdp - … --", `(("xdp"))`},                        // no word in them
		{"xdp\x00 \xff tc", `(("xdp") AND ("tc"))`},
	}
	for _, tt := range tests {
		got, err := ftsQuery(tt.q)
		if err != nil || got != tt.want {
			t.Errorf("ftsQuery(%q) = %s, %v; want %s", tt.q, got, err, tt.want)
		}
	}
	for _, q := range []string{"", "   ", `"unclosed`, "OR xdp", "xdp OR", "a OR OR b", "a OR -b",
		"-xdp", "NOT xdp", "?!", strings.Repeat("a ", 33), strings.Repeat("x", MaxQueryBytes+1)} {
		got, err := ftsQuery(q)
		var qe *QueryError
		if !errors.As(err, &qe) || !strings.HasPrefix(err.Error(), "search: bad query: ") {
			t.Errorf("ftsQuery(%.40q) = %s, %v; want a *QueryError", q, got, err)
		}
	}
}

func TestFragments(t *testing.T) {
	got := fragments("a \x02XDP\x03 b \x02c\x03")
	want := []Fragment{{"a ", false}, {"XDP", true}, {" b ", false}, {"c", true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fragments = %+v, want %+v", got, want)
	}
	if got := fragments(""); got != nil {
		t.Errorf(`fragments("") = %+v, want nil`, got)
	}
	if got := FragmentsText(want); got != "a XDP b c" {
		t.Errorf("FragmentsText = %q", got)
	}
}

// searchIDs runs Search and returns the ids found, best first.
func searchIDs(t *testing.T, s *Store, q string) []string {
	t.Helper()
	hits, err := s.Search(context.Background(), q, 20)
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.Entry.ID)
	}
	return ids
}

// checkIndex runs FTS5's integrity check, which compares the index with
// the entries table: it fails when a write did not reach the index.
func checkIndex(t *testing.T, db *sql.DB) {
	t.Helper()
	if _, err := db.Exec("INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)"); err != nil {
		t.Errorf("the search index is out of step with the entries: %v", err)
	}
}

func TestSearchRanking(t *testing.T) {
	c := newClock()
	s := openMem(t, c)
	d := func(day int) time.Time { return time.Date(2025, 3, day, 12, 0, 0, 0, time.UTC) }
	e := func(id, title, summary string, day int) entry.Entry {
		return entry.Entry{ID: id, Source: "lwn", Title: title, Summary: summary, Published: d(day), ContentHash: id}
	}
	byAuthor := e("urn:author", "Fast packets", "A talk.", 1)
	byAuthor.Authors = []string{"Jesper Dangaard Brouer"}
	tagged := e("urn:tagged", "Queues", "A talk.", 1)
	tagged.Tags = []string{"XDP"}
	tagged.Conference = "Netdev 0x19"
	saveFetch(t, s, "lwn",
		e("urn:title", "XDP redirect", "How packets move between devices.", 2),
		e("urn:summary", "Packet steering", "Covers XDP briefly among many other subjects of the kernel's network stack.", 3),
		// Equal scores: the same text, the newest first, then by id.
		e("urn:tie-old", "Page pool recycling", "Buffers.", 4),
		e("urn:tie-new", "Page pool recycling", "Buffers.", 6),
		e("urn:tie-new-b", "Page pool recycling", "Buffers.", 6),
		e("urn:phrase-apart", "The page of a pool", "Buffers.", 5),
		e("urn:ops", "tc's flower on IPv6-only hosts", "Offloads with eBPF/XDP.", 5),
		byAuthor, tagged)
	saveFetch(t, s, "netdev", entry.Entry{ID: "urn:other", Source: "netdev", Title: "Busy polling",
		Summary: "Latency.", Published: d(7), ContentHash: "o"})

	tests := []struct {
		q    string
		want []string
	}{
		// In the title outweighs in the summary; the tag, weighted below the title, comes between.
		{"xdp", []string{"urn:title", "urn:tagged", "urn:ops", "urn:summary"}},
		{`"page pool"`, []string{"urn:tie-new-b", "urn:tie-new", "urn:tie-old"}},
		{"page pool", []string{"urn:tie-new-b", "urn:tie-new", "urn:tie-old", "urn:phrase-apart"}},
		{"recycl*", []string{"urn:tie-new-b", "urn:tie-new", "urn:tie-old"}},
		{"offload", []string{"urn:ops"}}, // the stem of "Offloads"
		{"tc's", []string{"urn:ops"}},
		{"IPv6-only", []string{"urn:ops"}},
		{"eBPF/XDP", []string{"urn:ops"}},
		{"brouer", []string{"urn:author"}},
		{"author:brouer", []string{"urn:author"}},
		{"title:xdp", []string{"urn:title"}},
		{`conference:"netdev 0x19"`, []string{"urn:tagged"}},
		{"source:netdev", []string{"urn:other"}},
		{"xdp -redirect", []string{"urn:tagged", "urn:ops", "urn:summary"}},
		{"busy OR flower", []string{"urn:other", "urn:ops"}},
		{"nothing-like-this", nil},
	}
	for _, tt := range tests {
		if got := searchIDs(t, s, tt.q); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Search(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}

	// The limit keeps the newest of equal scores.
	tied, err := s.Search(context.Background(), `"page pool"`, 2)
	if err != nil || len(tied) != 2 || tied[0].Entry.ID != "urn:tie-new-b" || tied[1].Entry.ID != "urn:tie-new" {
		t.Errorf("Search(\"page pool\", 2) = %v, %v; want the two newest", tied, err)
	}

	hits, err := s.Search(context.Background(), "xdp", 1)
	if err != nil || len(hits) != 1 {
		t.Fatalf("Search(xdp, 1) = %v, %v", hits, err)
	}
	h := hits[0]
	if h.Entry.Title != "XDP redirect" || h.Entry.Summary != "How packets move between devices." || !h.Entry.Published.Equal(d(2)) {
		t.Errorf("hit's entry %+v, want the stored one", h.Entry)
	}
	if want := []Fragment{{"XDP", true}, {" redirect", false}}; !reflect.DeepEqual(h.Title, want) {
		t.Errorf("hit's title %+v, want %+v", h.Title, want)
	}
	if h.Rank >= 0 {
		t.Errorf("rank %v, want bm25's negative score", h.Rank)
	}
	hits, err = s.Search(context.Background(), "steering", 1)
	if err != nil || len(hits) != 1 {
		t.Fatalf("Search(steering) = %v, %v", hits, err)
	}
	if got := FragmentsText(hits[0].Snippet); got != hits[0].Entry.Summary {
		t.Errorf("snippet %q, want the whole short summary", got)
	}

	for _, q := range []string{`"xdp`, "OR", "-xdp"} {
		_, err := s.Search(context.Background(), q, 10)
		var qe *QueryError
		if !errors.As(err, &qe) {
			t.Errorf("Search(%q): %v, want a *QueryError", q, err)
		}
	}
	for _, n := range []int{0, MaxSearchResults + 1} {
		if _, err := s.Search(context.Background(), "xdp", n); err == nil {
			t.Errorf("Search with limit %d succeeded", n)
		}
	}
}

// A query FTS5 refuses is still a *QueryError, not the SQL error: the
// backstop behind ftsQuery.
func TestSearchFTSErrorIsQueryError(t *testing.T) {
	s := openMem(t, newClock())
	_, err := s.search(context.Background(), `"unclosed`, 10)
	if err == nil {
		t.Fatal("FTS5 ran an unclosed string")
	}
	err = searchError(`"unclosed`, err)
	var qe *QueryError
	if !errors.As(err, &qe) || strings.Contains(err.Error(), "SQL") {
		t.Errorf("mapped to %v, want a *QueryError without SQL", err)
	}
	if err := searchError("x", sql.ErrConnDone); errors.As(err, &qe) || !errors.Is(err, sql.ErrConnDone) {
		t.Errorf("a store error mapped to %v, want it wrapped", err)
	}
}

func TestSearchIndexKeptInStep(t *testing.T) {
	c := newClock()
	s := openMem(t, c)
	day := c.Now().Add(-time.Hour)
	saveFetch(t, s, "a", item("urn:1", "a", "https://a.example/1", "kernel bypass", day))
	checkIndex(t, s.w)
	if got := searchIDs(t, s, "bypass"); !reflect.DeepEqual(got, []string{"urn:1"}) {
		t.Fatalf("after insert: %v", got)
	}

	// Updated in place: the old words are gone from the index, the new ones in.
	changed := item("urn:1", "a", "https://a.example/1", "busy polling", day)
	changed.Title = "Polling"
	if n := saveFetch(t, s, "a", changed); n.Updated != 1 {
		t.Fatalf("counts %+v, want 1 updated", n)
	}
	checkIndex(t, s.w)
	if got := searchIDs(t, s, "bypass"); got != nil {
		t.Errorf("the old summary still matches: %v", got)
	}
	if got := searchIDs(t, s, "title:polling"); !reflect.DeepEqual(got, []string{"urn:1"}) {
		t.Errorf("the new title does not match: %v", got)
	}

	// A new raw hash only (no indexed column written): still found.
	changed.RawHash = "r2"
	saveFetch(t, s, "a", changed)
	checkIndex(t, s.w)
	if got := searchIDs(t, s, "busy"); !reflect.DeepEqual(got, []string{"urn:1"}) {
		t.Errorf("after a bookkeeping update: %v", got)
	}

	// The store deletes no entry today; the trigger covers whoever will.
	if _, err := s.w.Exec("DELETE FROM entries WHERE id = 'urn:1'"); err != nil {
		t.Fatal(err)
	}
	checkIndex(t, s.w)
	if got := searchIDs(t, s, "busy"); got != nil {
		t.Errorf("a deleted entry is found: %v", got)
	}

	// One batch carrying an id twice: inserted, then updated in place.
	first, second := item("urn:3", "a", "", "offload early", day), item("urn:3", "a", "", "offload later", day)
	if n := saveFetch(t, s, "a", first, item("urn:4", "a", "", "other", day), second); n.New != 2 || n.Updated != 1 {
		t.Fatalf("counts %+v, want 2 new, 1 updated", n)
	}
	checkIndex(t, s.w)
	if got := searchIDs(t, s, "offload later"); !reflect.DeepEqual(got, []string{"urn:3"}) {
		t.Errorf("an entry updated in its own batch: %v", got)
	}
	if got := searchIDs(t, s, "early"); got != nil {
		t.Errorf("the text it replaced in its own batch still matches: %v", got)
	}

	// A failed SaveFetch rolls the index back with the entries.
	s.afterEntry = func(int) { panic("stop") }
	func() {
		defer func() { recover() }()
		s.SaveFetch(context.Background(), SourceState{Name: "a"}, []entry.Entry{item("urn:2", "a", "", "rolled back", day)})
	}()
	s.afterEntry = nil
	checkIndex(t, s.w)
	if got := searchIDs(t, s, "rolled"); got != nil {
		t.Errorf("an entry rolled back is found: %v", got)
	}
}

// The migration indexes what a store from before it holds.
func TestSearchMigrationIndexesExistingEntries(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	before := -1
	for i, m := range ms {
		if strings.HasSuffix(m.name, "_search.sql") {
			before = i
		}
	}
	if before < 0 {
		t.Fatal("no *_search.sql migration")
	}
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
	const at = "2025-03-01T12:00:00.000000000Z"
	if _, err := raw.Exec(fmt.Sprintf(`PRAGMA user_version = %d;
		INSERT INTO sources (name) VALUES ('a');
		INSERT INTO entries (id, source, title, summary, authors, published, updated, first_seen, content_hash)
		VALUES ('urn:a:1', 'a', 'XDP redirect', 'Packets.', '["Ann Author"]', ?1, ?1, ?1, 'h1'),
			('urn:a:2', 'a', 'Page pool', 'Buffers and XDP.', '[]', ?1, ?1, ?1, 'h2')`, before), at); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	s := openFile(t, path, newClock())
	defer s.Close()
	checkIndex(t, s.w)
	if got := searchIDs(t, s, "xdp"); !reflect.DeepEqual(got, []string{"urn:a:1", "urn:a:2"}) {
		t.Errorf("Search(xdp) after the migration = %v", got)
	}
	if got := searchIDs(t, s, "author:ann"); !reflect.DeepEqual(got, []string{"urn:a:1"}) {
		t.Errorf("Search(author:ann) after the migration = %v", got)
	}
}

// A backup (VACUUM INTO) keeps the rowids the index points at.
func TestSearchBackupKeepsIndex(t *testing.T) {
	c := newClock()
	dir := t.TempDir()
	s := openFile(t, filepath.Join(dir, "live.db"), c)
	defer s.Close()
	day := c.Now().Add(-time.Hour)
	saveFetch(t, s, "a", item("urn:1", "a", "", "first", day), item("urn:2", "a", "", "second", day),
		item("urn:3", "a", "", "third", day))
	// A gap in the rowids, which a copy renumbering rows would close.
	if _, err := s.w.Exec("DELETE FROM entries WHERE id = 'urn:1'"); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup.db")
	if err := s.Backup(context.Background(), backup); err != nil {
		t.Fatal(err)
	}
	b := openFile(t, backup, c)
	defer b.Close()
	checkIndex(t, b.w)
	if got := searchIDs(t, b, "third"); !reflect.DeepEqual(got, []string{"urn:3"}) {
		t.Errorf("Search(third) in the backup = %v", got)
	}
}
