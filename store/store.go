// Package store keeps netdigest's state in one embedded SQLite file
// (modernc.org/sqlite, no cgo): source fetch state, entries, and the digest
// log. Schema migrations are embedded and applied at Open.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/netdigest/netdigest/entry"
)

// SourceState is what is remembered of a source between fetches.
type SourceState struct {
	Name         string
	URL          string // the configured URL this state was recorded for
	ETag         string
	LastModified string
	LastFetch    time.Time
	LastSuccess  time.Time
	LastError    string
	Failures     int       // consecutive failures
	NextTry      time.Time // not before (Retry-After, later backoff)
	PermanentURL string    // where a permanent redirect pointed
	Gone         bool      // the URL answered 410 Gone
	// Feed is what the source's document said of itself when last parsed.
	Feed FeedMeta
}

// FeedMeta is a fetched feed's own id, title and alternate link, each ""
// when the document had none.
type FeedMeta struct {
	ID, Title, Link string
}

// Counts tells what a fetch changed.
type Counts struct {
	New        int
	Updated    int
	Unchanged  int
	Duplicates int // same canonical link already stored from another source
}

// Errors Open returns for files it will not use; test with errors.Is. The
// message around them names the file and what to do.
var (
	// ErrBadDatabase: the file is not SQLite, is corrupt, or is another
	// program's SQLite database. Open never recreates or alters such a file.
	ErrBadDatabase = errors.New("not a usable netdigest database")
	// ErrSchemaTooNew: the file was migrated by a newer netdigest.
	ErrSchemaTooNew = errors.New("database schema is newer than this netdigest")
)

// Store is safe for concurrent use.
//
// Concurrency: every write goes through w, a pool of exactly one connection,
// so writes in this process queue in database/sql (honouring each caller's
// ctx) instead of failing with SQLITE_BUSY — yarr's single writer. Its
// transactions BEGIN IMMEDIATE (_txlock), so a second process (a CLI run next
// to the daemon) waits on busy_timeout for the write lock up front rather
// than failing when a read transaction tries to upgrade. Reads go through r,
// a pool of read-only connections that WAL lets run beside the writer. For
// ":memory:" r is w: each connection there would be a new, empty database.
type Store struct {
	now   func() time.Time
	path  string
	owner Owner // recorded with digests and leases this store takes
	w     *sql.DB
	r     *sql.DB

	// checkedAt is when inspect's quick_check found the file sound, to be
	// recorded once the schema has store_meta; zero when it did not run.
	checkedAt time.Time

	// afterEntry, when set (tests only), runs inside SaveFetch's
	// transaction after entry i was written.
	afterEntry func(i int)
}

const (
	// appID is PRAGMA application_id of netdigest's files ("ndig").
	appID = 0x6e646967
	// pragmas apply to every connection. synchronous=NORMAL is durable
	// enough in WAL mode (a power loss may drop the last commits, never
	// corrupts) and avoids an fsync per fetch.
	pragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	memoryPath = ":memory:"
	maxReaders = 4
)

// Open opens (creating if needed) the SQLite file at path and migrates it.
// ":memory:" is accepted for tests. now is the clock (time.Now when nil).
//
// A file that is not SQLite, is corrupt or belongs to another program
// gives ErrBadDatabase; one from a newer netdigest gives ErrSchemaTooNew.
// Either way the file is left as it was. Corrupt means: the header, the
// file's length or the root page of a table or index is wrong (checked at
// every open, a few reads), or PRAGMA quick_check, which reads the whole
// file, finds a problem; that runs when the last sound check recorded in the
// file is a day old, and when the WAL holds frames (the last writer did not
// close). Damage elsewhere found between two checks surfaces as an error of
// the query that meets it.
func Open(ctx context.Context, path string, now func() time.Time) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: open: empty path")
	}
	if now == nil {
		now = time.Now
	}
	s := &Store{now: now, path: path, owner: Self()}
	if err := s.open(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) open(ctx context.Context) error {
	var err error
	if s.path == memoryPath {
		s.w, err = sql.Open("sqlite", memoryPath+"?"+pragmas+"&_txlock=immediate")
		if err != nil {
			return fmt.Errorf("store: open %q: %w", s.path, err)
		}
		// The one connection is the database: never let it be recycled.
		s.w.SetMaxOpenConns(1)
		s.w.SetConnMaxLifetime(0)
		s.w.SetConnMaxIdleTime(0)
		s.r = s.w
	} else {
		if err := s.inspect(ctx); err != nil {
			return err
		}
		s.w, err = sql.Open("sqlite", fileURI(s.path)+"?"+pragmas+"&_txlock=immediate")
		if err != nil {
			return fmt.Errorf("store: open %q: %w", s.path, err)
		}
		s.w.SetMaxOpenConns(1)
	}
	// The first connection runs the pragmas.
	if err := s.w.PingContext(ctx); err != nil {
		return s.openErr(err)
	}
	if err := s.migrate(ctx); err != nil {
		return err
	}
	if !s.checkedAt.IsZero() {
		// Best effort: on a full disk the store must still open for
		// reading, and a lost record only means checking again next time.
		_ = s.recordCheck(ctx, s.checkedAt)
	}
	if s.r == nil {
		// Opened only now: a read-only connection cannot switch a new
		// file to WAL, and the schema must exist before readers use it.
		s.r, err = sql.Open("sqlite", fileURI(s.path)+"?"+pragmas+"&_query_only=1")
		if err != nil {
			return fmt.Errorf("store: open %q: %w", s.path, err)
		}
		s.r.SetMaxOpenConns(maxReaders)
		if err := s.r.PingContext(ctx); err != nil {
			return s.openErr(err)
		}
	}
	return nil
}

// fileURI makes path a file: URI, escaping what SQLite's URI parser would
// otherwise take for the start of the parameters ('?', '#') or an escape.
func fileURI(path string) string {
	p := filepath.ToSlash(filepath.Clean(path))
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

// inspect checks an existing file before the writer touches it:
// journal_mode(WAL) alone rewrites the header of any SQLite file, and
// migrating would add tables to another program's database. Its connection
// sets no persistent pragma and is query_only. (mode=ro would do, but a
// read-only connection to a WAL file leaves -wal and -shm files behind;
// immutable=1 would read without locks beside a running daemon.)
func (s *Store) inspect(ctx context.Context) error {
	fi, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && fi.Mode().IsRegular() && fi.Size() == 0) {
		return nil // a new database
	}
	if err != nil {
		return fmt.Errorf("store: open %q: %w", s.path, err)
	}
	db, err := sql.Open("sqlite", fileURI(s.path)+"?_pragma=busy_timeout(5000)&_query_only=1")
	if err != nil {
		return fmt.Errorf("store: open %q: %w", s.path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	var version, app, objects int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return s.openErr(err)
	}
	if err := db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app); err != nil {
		return s.openErr(err)
	}
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema").Scan(&objects); err != nil {
		return s.openErr(err)
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	if err := s.checkMark(ctx, db, app, version, objects, ms); err != nil {
		return err
	}
	if err := s.tooNew(version, len(ms)); err != nil {
		return err
	}

	// The full check reads the whole file: once a day, and whenever the
	// WAL shows the last writer did not close (a crash, or a daemon
	// running beside this process).
	dirty, err := s.checkFile(ctx, db)
	if err != nil {
		return err
	}
	due := dirty
	if !due {
		if due, err = s.checkDue(ctx, db); err != nil {
			return err
		}
	}
	if !due {
		return nil
	}
	checkedAt := s.now()
	if err := s.quickCheck(ctx, db); err != nil {
		return err
	}
	s.checkedAt = checkedAt
	return nil
}

func (s *Store) tooNew(version, known int) error {
	if version > known {
		return fmt.Errorf("store: open %q: %w: schema version %d, this netdigest knows up to %d; "+
			"run a newer netdigest or restore a backup", s.path, ErrSchemaTooNew, version, known)
	}
	return nil
}

// openErr wraps an error met while opening, turning SQLite's "not a
// database" and "corrupt" codes into ErrBadDatabase with advice.
func (s *Store) openErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return s.badFile("it is not a SQLite database file")
		case sqlite3.SQLITE_CORRUPT:
			return s.badFile("it is corrupt: " + err.Error())
		}
	}
	return fmt.Errorf("store: open %q: %w", s.path, err)
}

// isCorrupt reports whether err is SQLite's "database disk image is
// malformed".
func isCorrupt(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CORRUPT
}

func (s *Store) badFile(why string) error {
	return fmt.Errorf("store: open %q: %w (%s); restore it from a backup, "+
		"or move it aside to let netdigest start an empty database", s.path, ErrBadDatabase, why)
}

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil && s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close %q: %w", s.path, err)
	}
	return nil
}

// SourceState returns the stored state of a source, or a zero state with
// Name set when the source has never been fetched.
func (s *Store) SourceState(ctx context.Context, name string) (SourceState, error) {
	st, err := scanSource(s.r.QueryRowContext(ctx, selectSource+" WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return SourceState{Name: name}, nil
	}
	if err != nil {
		return SourceState{}, fmt.Errorf("store: source %q: %w", name, err)
	}
	return st, nil
}

// Sources returns the state of every source ever saved, by name.
func (s *Store) Sources(ctx context.Context) ([]SourceState, error) {
	rows, err := s.r.QueryContext(ctx, selectSource+" ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("store: sources: %w", err)
	}
	defer rows.Close()
	var out []SourceState
	for rows.Next() {
		st, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("store: sources: %w", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sources: %w", err)
	}
	return out, nil
}

// SaveState records a fetch that brought no entries (304, failure, gone).
func (s *Store) SaveState(ctx context.Context, st SourceState) error {
	if err := upsertSource(ctx, s.w, st); err != nil {
		return fmt.Errorf("store: save source %q: %w", st.Name, err)
	}
	return nil
}

// SaveStates records several fetches that brought no entries in one
// transaction, all or none: one commit instead of one per source when many
// answer 304 at once. The states are independent; batching them only
// shares the commit.
func (s *Store) SaveStates(ctx context.Context, states []SourceState) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// Prepared once: preparing per state was most of a batch's cost.
		stmt, err := tx.PrepareContext(ctx, upsertSourceSQL)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, st := range states {
			args, err := upsertSourceArgs(st)
			if err == nil {
				_, err = stmt.ExecContext(ctx, args...)
			}
			if err != nil {
				return fmt.Errorf("source %q: %w", st.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save %d source states: %w", len(states), err)
	}
	return nil
}

// SaveFetch writes a source's entries and its new state in one transaction:
// a crash leaves the source either fully updated or untouched.
//
// Per entry (an empty Source is taken as st.Name; another name is an error):
//   - ID stored before by the same source: a different ContentHash updates
//     it in place (Updated), the same hash leaves it (Unchanged). first_seen
//     stays; published stays unless the item carries its own date; updated
//     takes the item's date when newer, else the time of the change, so it
//     never goes backwards.
//   - The same, but stored with an older NormVersion than e's: the hash may
//     differ only because netdigest now renders the item differently, so the
//     entry is rewritten in place and counted Unchanged, its updated date
//     moving only to a newer date the item carries. This happens once per
//     entry after an upgrade; a real change made at the source in between is
//     stored but not marked.
//   - ID stored by another source, or a new ID whose non-empty Link is
//     already stored (any source, including this one under another GUID):
//     not stored; the first entry is kept and this source is recorded in
//     entry_duplicates (Duplicates).
//   - Otherwise inserted (New) with first_seen = now, published = now when
//     the item has no date, updated = published when it has no update date.
func (s *Store) SaveFetch(ctx context.Context, st SourceState, entries []entry.Entry) (Counts, error) {
	var c Counts
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := upsertSource(ctx, tx, st); err != nil {
			return err
		}
		w, err := prepareWriter(ctx, tx, s.now().UTC())
		if err != nil {
			return err
		}
		defer w.close()
		for i := range entries {
			// Stop a long batch promptly; the deferred rollback undoes it.
			if err := ctx.Err(); err != nil {
				return err
			}
			e := entries[i]
			if e.Source == "" {
				e.Source = st.Name
			}
			if e.Source != st.Name {
				return fmt.Errorf("entry %q: source %q differs from the fetched source", e.ID, e.Source)
			}
			if err := w.save(ctx, &e, &c); err != nil {
				return fmt.Errorf("entry %q: %w", e.ID, err)
			}
			if s.afterEntry != nil {
				s.afterEntry(i)
			}
		}
		return w.index(ctx)
	})
	if err != nil {
		return Counts{}, fmt.Errorf("store: save fetch of source %q: %w", st.Name, err)
	}
	return c, nil
}

// Latest returns the newest limit entries of all sources, newest first:
// by published (the item's date or first sighting), then first_seen, then
// id, all descending. limit must be positive.
func (s *Store) Latest(ctx context.Context, limit int) ([]entry.Entry, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("store: latest: limit %d, want > 0", limit)
	}
	es, err := s.queryEntries(ctx,
		selectEntry+" ORDER BY published DESC, first_seen DESC, id DESC LIMIT ?", limit)
	if err != nil {
		return nil, fmt.Errorf("store: latest %d: %w", limit, err)
	}
	return es, nil
}

// EntriesSince returns the entries first stored after t, oldest first (by
// first_seen, then published, then id): what a digest has not shown yet.
func (s *Store) EntriesSince(ctx context.Context, t time.Time) ([]entry.Entry, error) {
	since := ""
	if !t.IsZero() {
		v, err := encodeTime(t)
		if err != nil {
			return nil, fmt.Errorf("store: entries since %v: %w", t, err)
		}
		since = v.(string)
	}
	// '' sorts before every stored time, so a zero t returns everything.
	es, err := s.queryEntries(ctx,
		selectEntry+" WHERE first_seen > ? ORDER BY first_seen, published, id", since)
	if err != nil {
		return nil, fmt.Errorf("store: entries since %v: %w", t, err)
	}
	return es, nil
}

// RawHashes returns the raw hashes of the entries stored for source, each
// with its entry's id (normalize.EntriesSkipping's known). Entries stored
// before raw hashes were recorded have none.
func (s *Store) RawHashes(ctx context.Context, source string) (map[string]string, error) {
	rows, err := s.r.QueryContext(ctx,
		"SELECT raw_hash, id FROM entries WHERE source = ? AND raw_hash <> ''", source)
	if err != nil {
		return nil, fmt.Errorf("store: raw hashes of source %q: %w", source, err)
	}
	defer rows.Close()
	known := make(map[string]string)
	for rows.Next() {
		var raw, id string
		if err := rows.Scan(&raw, &id); err != nil {
			return nil, fmt.Errorf("store: raw hashes of source %q: %w", source, err)
		}
		known[raw] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: raw hashes of source %q: %w", source, err)
	}
	return known, nil
}

// CountEntries returns how many entries are stored (duplicates not counted).
func (s *Store) CountEntries(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM entries").Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count entries: %w", err)
	}
	return n, nil
}

// inTx runs fn in a write transaction, committing when fn succeeds.
func (s *Store) inTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func upsertSource(ctx context.Context, db execer, st SourceState) error {
	args, err := upsertSourceArgs(st)
	if err != nil {
		return err
	}
	_, err = db.ExecContext(ctx, upsertSourceSQL, args...)
	return err
}

const upsertSourceSQL = `
INSERT INTO sources (name, url, etag, last_modified, last_fetch, last_success,
	last_error, failures, next_try, permanent_url, gone, feed_id, feed_title, feed_link)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET
	url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
	last_fetch = excluded.last_fetch, last_success = excluded.last_success,
	last_error = excluded.last_error, failures = excluded.failures,
	next_try = excluded.next_try, permanent_url = excluded.permanent_url,
	gone = excluded.gone, feed_id = excluded.feed_id, feed_title = excluded.feed_title,
	feed_link = excluded.feed_link`

// upsertSourceArgs are upsertSourceSQL's arguments for st.
func upsertSourceArgs(st SourceState) ([]any, error) {
	if st.Name == "" {
		return nil, errors.New("empty source name")
	}
	var times [3]any
	for i, t := range []time.Time{st.LastFetch, st.LastSuccess, st.NextTry} {
		v, err := encodeTime(t)
		if err != nil {
			return nil, err
		}
		times[i] = v
	}
	return []any{st.Name, st.URL, st.ETag, st.LastModified, times[0], times[1],
		st.LastError, st.Failures, times[2], st.PermanentURL, st.Gone,
		st.Feed.ID, st.Feed.Title, st.Feed.Link}, nil
}

const selectSource = `SELECT name, url, etag, last_modified, last_fetch, last_success,
	last_error, failures, next_try, permanent_url, gone, feed_id, feed_title, feed_link FROM sources`

func scanSource(row interface{ Scan(...any) error }) (SourceState, error) {
	var st SourceState
	var fetch, success, next sql.NullString
	err := row.Scan(&st.Name, &st.URL, &st.ETag, &st.LastModified, &fetch, &success,
		&st.LastError, &st.Failures, &next, &st.PermanentURL, &st.Gone,
		&st.Feed.ID, &st.Feed.Title, &st.Feed.Link)
	if err != nil {
		return SourceState{}, err
	}
	for _, f := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&st.LastFetch, fetch}, {&st.LastSuccess, success}, {&st.NextTry, next}} {
		if *f.dst, err = decodeTime(f.src); err != nil {
			return SourceState{}, err
		}
	}
	return st, nil
}

// entryWriter holds SaveFetch's prepared statements and its one "now".
type entryWriter struct {
	now                                                         time.Time
	zones                                                       zones
	byID, byLink, insert, update, setVersion, recDupe, indexNew *sql.Stmt
	// unindexed are the ids inserted and not yet in the search index.
	unindexed []string
}

func prepareWriter(ctx context.Context, tx *sql.Tx, now time.Time) (*entryWriter, error) {
	w := &entryWriter{now: now, zones: make(zones)}
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&w.byID, `SELECT source, published, updated, content_hash, norm_version, raw_hash FROM entries WHERE id = ?`},
		{&w.byLink, `SELECT id FROM entries WHERE link = ? AND source <> ? ORDER BY first_seen, id LIMIT 1`},
		{&w.insert, `INSERT INTO entries (id, guid, source, link, title, authors, published,
			updated, first_seen, content, summary, tags, conference, content_hash, norm_version, raw_hash,
			` + talkColumns + `)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&w.update, `UPDATE entries SET guid = ?, link = ?, title = ?, authors = ?,
			published = ?, updated = ?, content = ?, summary = ?, tags = ?,
			conference = ?, content_hash = ?, norm_version = ?, raw_hash = ?,
			(` + talkColumns + `) = (?, ?, ?, ?, ?, ?, ?) WHERE id = ?`},
		{&w.setVersion, `UPDATE entries SET norm_version = ?, raw_hash = ? WHERE id = ?`},
		{&w.recDupe, `INSERT INTO entry_duplicates (entry_id, source, link, first_seen)
			VALUES (?, ?, ?, ?) ON CONFLICT (entry_id, source) DO NOTHING`},
		{&w.indexNew, indexNewSQL},
	} {
		st, err := tx.PrepareContext(ctx, p.sql)
		if err != nil {
			w.close()
			return nil, err
		}
		*p.dst = st
	}
	return w, nil
}

func (w *entryWriter) close() {
	for _, st := range []*sql.Stmt{w.byID, w.byLink, w.insert, w.update, w.setVersion, w.recDupe, w.indexNew} {
		if st != nil {
			st.Close()
		}
	}
}

func (w *entryWriter) save(ctx context.Context, e *entry.Entry, c *Counts) error {
	if e.ID == "" {
		return errors.New("empty id")
	}
	authors, err := encodeList(e.Authors)
	if err != nil {
		return err
	}
	tags, err := encodeList(e.Tags)
	if err != nil {
		return err
	}
	talk, err := w.zones.talkArgs(e)
	if err != nil {
		return err
	}

	var (
		source, hash, raw   string
		version             int
		published, updated  sql.NullString
		storedPub, storedUp time.Time
	)
	err = w.byID.QueryRowContext(ctx, e.ID).Scan(&source, &published, &updated, &hash, &version, &raw)
	switch {
	case err == nil && source != e.Source:
		// Same item id from two sources (an absolute GUID both carry):
		// the first source keeps it, as with a shared link.
		return w.duplicate(ctx, e.ID, e, c)
	case err == nil:
		reformatted := e.NormVersion > version
		if hash == e.ContentHash {
			// A newer version, recorded so that a later difference counts
			// as a change; a new raw hash (the item's bytes changed, not
			// what a reader sees), so that the next fetch skips it.
			if reformatted || raw != e.RawHash {
				if _, err := w.setVersion.ExecContext(ctx, e.NormVersion, e.RawHash, e.ID); err != nil {
					return err
				}
			}
			c.Unchanged++
			return nil
		}
		if storedPub, err = decodeTime(published); err != nil {
			return err
		}
		if storedUp, err = decodeTime(updated); err != nil {
			return err
		}
		pub := storedPub
		if !e.Published.IsZero() {
			pub = e.Published
		}
		up := e.Updated
		switch {
		case up.After(storedUp):
		case reformatted:
			up = storedUp // netdigest's rendering changed, not the item
		default:
			// No newer date from the item: the change happened about now.
			up = later(storedUp, w.now)
		}
		pubV, upV, err := encodeTimes(pub, up)
		if err != nil {
			return err
		}
		// The update trigger takes the stored text out of the index: it
		// must be there (an id given twice in one batch).
		if err := w.index(ctx); err != nil {
			return err
		}
		args := append([]any{e.GUID, e.Link, e.Title, authors, pubV, upV,
			e.Content, e.Summary, tags, e.Conference, e.ContentHash, e.NormVersion, e.RawHash}, talk...)
		if _, err := w.update.ExecContext(ctx, append(args, e.ID)...); err != nil {
			return err
		}
		if reformatted {
			c.Unchanged++
		} else {
			c.Updated++
		}
		return nil
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}

	// A shared link merges entries across sources only: within one source,
	// distinct GUIDs are distinct posts even when their links differ only by
	// a fragment (one page of dated posts), and dropping one would lose it.
	if e.Link != "" {
		var first string
		err := w.byLink.QueryRowContext(ctx, e.Link, e.Source).Scan(&first)
		if err == nil {
			return w.duplicate(ctx, first, e, c)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}

	pub := e.Published
	if pub.IsZero() {
		pub = w.now // first seen: never moves later on the next fetch
	}
	up := e.Updated
	if up.IsZero() {
		up = pub
	}
	pubV, upV, err := encodeTimes(pub, up)
	if err != nil {
		return err
	}
	seenV, err := encodeTime(w.now)
	if err != nil {
		return err
	}
	args := append([]any{e.ID, e.GUID, e.Source, e.Link, e.Title, authors,
		pubV, upV, seenV, e.Content, e.Summary, tags, e.Conference, e.ContentHash, e.NormVersion, e.RawHash}, talk...)
	if _, err := w.insert.ExecContext(ctx, args...); err != nil {
		return err
	}
	w.unindexed = append(w.unindexed, e.ID)
	c.New++
	return nil
}

// index adds the entries inserted since its last call to the search index,
// in one statement (see migration 0011 for why not a trigger).
func (w *entryWriter) index(ctx context.Context) error {
	if len(w.unindexed) == 0 {
		return nil
	}
	ids, err := json.Marshal(w.unindexed)
	if err != nil {
		return err
	}
	if _, err := w.indexNew.ExecContext(ctx, string(ids)); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	w.unindexed = w.unindexed[:0]
	return nil
}

// duplicate records that e's source also carried the stored entry keptID.
func (w *entryWriter) duplicate(ctx context.Context, keptID string, e *entry.Entry, c *Counts) error {
	seen, err := encodeTime(w.now)
	if err != nil {
		return err
	}
	if _, err := w.recDupe.ExecContext(ctx, keptID, e.Source, e.Link, seen); err != nil {
		return fmt.Errorf("record duplicate of %q: %w", keptID, err)
	}
	c.Duplicates++
	return nil
}

const selectEntry = `SELECT id, guid, source, link, title, authors, published, updated,
	first_seen, content, summary, tags, conference, content_hash, norm_version, raw_hash,
	` + talkColumns + ` FROM entries`

func (s *Store) queryEntries(ctx context.Context, query string, args ...any) ([]entry.Entry, error) {
	out, err := scanEntries(ctx, s.r, query, args...)
	if err != nil {
		return nil, err
	}
	if err := s.fillRelated(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// scanEntries runs an entry query (selectEntry) on q: the store's readers,
// or a transaction that must see what it reads unchanged until it commits.
func scanEntries(ctx context.Context, q queryer, query string, args ...any) ([]entry.Entry, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []entry.Entry
	zs := make(zones)
	for rows.Next() {
		var (
			e                        entry.Entry
			authors, tags            string
			published, updated, seen sql.NullString
			talk                     talkScan
		)
		if err := rows.Scan(append([]any{&e.ID, &e.GUID, &e.Source, &e.Link, &e.Title, &authors,
			&published, &updated, &seen, &e.Content, &e.Summary, &tags,
			&e.Conference, &e.ContentHash, &e.NormVersion, &e.RawHash}, talk.dests(&e)...)...); err != nil {
			return nil, err
		}
		if err := zs.fill(&talk, &e); err != nil {
			return nil, fmt.Errorf("entry %q: %w", e.ID, err)
		}
		if e.Authors, err = decodeList(authors); err != nil {
			return nil, fmt.Errorf("entry %q: authors: %w", e.ID, err)
		}
		if e.Tags, err = decodeList(tags); err != nil {
			return nil, fmt.Errorf("entry %q: tags: %w", e.ID, err)
		}
		if e.Published, err = decodeTime(published); err != nil {
			return nil, fmt.Errorf("entry %q: %w", e.ID, err)
		}
		if e.Updated, err = decodeTime(updated); err != nil {
			return nil, fmt.Errorf("entry %q: %w", e.ID, err)
		}
		if e.FirstSeen, err = decodeTime(seen); err != nil {
			return nil, fmt.Errorf("entry %q: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// timeLayout is RFC 3339 at a fixed width, so stored text sorts as time.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// encodeTime gives the column value of t: NULL for the zero time, else UTC
// text. Years outside 0000-9999 are refused: they would not sort.
func encodeTime(t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	u := t.UTC()
	if y := u.Year(); y < 0 || y > 9999 {
		return nil, fmt.Errorf("time %v: year outside 0000-9999", t)
	}
	return u.Format(timeLayout), nil
}

func encodeTimes(a, b time.Time) (any, any, error) {
	av, err := encodeTime(a)
	if err != nil {
		return nil, nil, err
	}
	bv, err := encodeTime(b)
	return av, bv, err
}

func decodeTime(v sql.NullString) (time.Time, error) {
	if !v.Valid {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v.String)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", v.String, err)
	}
	return t.UTC(), nil
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// encodeList stores a list as a JSON array ("[]" for none).
func encodeList(l []string) (string, error) {
	if len(l) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(l)
	return string(b), err
}

// decodeList returns nil for an empty list, as normalize leaves it.
func decodeList(s string) ([]string, error) {
	var l []string
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, nil
	}
	return l, nil
}
