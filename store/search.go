package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/netdigest/netdigest/entry"
)

// MaxSearchResults caps Search's limit.
const MaxSearchResults = 1000

// Hit is one entry Search found.
type Hit struct {
	Entry entry.Entry
	// Rank is the entry's bm25 score for the query with the column weights
	// of searchWeights; lower is better (FTS5 scores are negative).
	Rank float64
	// Title is the entry's title, Snippet the part of its summary around
	// the first matches ("…" where cut; nil for an empty summary), both with
	// the matched words marked.
	Title, Snippet []Fragment
}

// Fragment is a piece of text, Match when it is a word the query found.
type Fragment struct {
	Text  string
	Match bool
}

// searchWeights are bm25's weights of the columns, in the index's order
// (title, summary, authors, tags, conference, source): a word in the
// title says more of what an entry is about than one in its summary.
const searchWeights = "10.0, 4.0, 3.0, 3.0, 2.0, 1.0"

// Marks around matches in highlight() and snippet(): control characters,
// which normalize never leaves in a title or summary (they are not XML).
const (
	markOpen  = "\x02"
	markClose = "\x03"
)

// indexNewSQL adds entries, given by a JSON array of ids, to the search
// index: the columns of entries_fts (migration 0011), from the rows.
const indexNewSQL = `INSERT INTO entries_fts (rowid, title, summary, authors, tags, conference, source)
	SELECT rowid, title, summary, authors, tags, conference, source FROM entries
	WHERE id IN (SELECT value FROM json_each(?))`

// snippetTokens is how many words a snippet holds at most.
const snippetTokens = 32

// Search returns the limit entries that best match query (see ftsQuery for
// its syntax), best first by bm25, newest first (by published, then
// first_seen, then id) among equal scores. A query it cannot run is a
// *QueryError; other errors are the store's.
func (s *Store) Search(ctx context.Context, query string, limit int) ([]Hit, error) {
	if limit <= 0 || limit > MaxSearchResults {
		return nil, fmt.Errorf("store: search: limit %d, want 1 to %d", limit, MaxSearchResults)
	}
	match, err := ftsQuery(query)
	if err != nil {
		return nil, err
	}
	hits, err := s.search(ctx, match, limit)
	if err != nil {
		return nil, searchError(query, err)
	}
	return hits, nil
}

// searchError wraps an error of the search query. ftsQuery's output should
// always parse; one FTS5 refuses all the same is the user's error (a
// *QueryError), not a server's. The SQL around the MATCH argument is fixed,
// so a plain SQLITE_ERROR ("fts5: syntax error near …", "unterminated
// string") is that argument's; busy, I/O and corruption have codes of their own.
func searchError(query string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_ERROR {
		return badQuery("the search index could not read it")
	}
	return fmt.Errorf("store: search %q: %w", query, err)
}

// search runs match and reads the entries found. The entries are read by
// queryEntries, the one reader of entry rows, rather than by a join here.
func (s *Store) search(ctx context.Context, match string, limit int) ([]Hit, error) {
	// The best rows first, then the marked title and snippet of those
	// only (CROSS JOIN keeps them the outer loop, each a rowid lookup in
	// the index): SQLite computes a sorted query's columns for every row it
	// sorts, and a query matching all of 67,000 entries took 0.47 s with
	// snippet() in the sort, 0.16 s so.
	rows, err := s.r.QueryContext(ctx, `
		WITH best AS (
			SELECT f.rowid AS rid, e.id, bm25(entries_fts, `+searchWeights+`) AS score,
				e.published, e.first_seen
			FROM entries_fts f JOIN entries e ON e.rowid = f.rowid
			WHERE entries_fts MATCH ?1
			ORDER BY score, e.published DESC, e.first_seen DESC, e.id DESC
			LIMIT ?2)
		SELECT best.id, best.score, highlight(entries_fts, 0, ?3, ?4),
			snippet(entries_fts, 1, ?3, ?4, '…', ?5)
		FROM best CROSS JOIN entries_fts ON entries_fts.rowid = best.rid
		WHERE entries_fts MATCH ?1
		ORDER BY best.score, best.published DESC, best.first_seen DESC, best.id DESC`,
		match, limit, markOpen, markClose, snippetTokens)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var (
		hits []Hit
		ids  []any
	)
	for rows.Next() {
		var (
			h              Hit
			title, snippet string
		)
		if err := rows.Scan(&h.Entry.ID, &h.Rank, &title, &snippet); err != nil {
			return nil, err
		}
		h.Title, h.Snippet = fragments(title), fragments(snippet)
		hits = append(hits, h)
		ids = append(ids, h.Entry.ID)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	if len(hits) == 0 {
		return nil, nil
	}
	es, err := s.queryEntries(ctx, selectEntry+" WHERE id IN (?"+strings.Repeat(", ?", len(ids)-1)+")", ids...)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]entry.Entry, len(es))
	for _, e := range es {
		byID[e.ID] = e
	}
	out := hits[:0]
	for _, h := range hits {
		// An entry gone between the two reads (none is deleted today) is
		// left out rather than shown empty.
		if e, ok := byID[h.Entry.ID]; ok {
			h.Entry = e
			out = append(out, h)
		}
	}
	return out, nil
}

// fragments splits text marked by highlight() or snippet() into pieces.
func fragments(marked string) []Fragment {
	var out []Fragment
	for marked != "" {
		before, rest, found := strings.Cut(marked, markOpen)
		if before != "" {
			out = append(out, Fragment{Text: before})
		}
		if !found {
			break
		}
		match, after, _ := strings.Cut(rest, markClose)
		if match != "" {
			out = append(out, Fragment{Text: match, Match: true})
		}
		marked = after
	}
	return out
}

// FragmentsText is the fragments' text without marks.
func FragmentsText(fs []Fragment) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Text)
	}
	return b.String()
}
