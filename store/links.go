package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/netdigest/netdigest/entry"
)

// Link is a stored pair of entries about one talk (normalize/talks.Pair,
// which the store does not import).
type Link struct {
	A, B     string
	Score    float64
	Evidence string
}

// RelinkConference recomputes the links of conference: link gets every
// stored entry of the conference (by id, without Related) and returns their
// pairs, which replace the stored ones. Reading and writing are one
// (immediate) transaction, so two recomputations of a conference, from two
// processes or two sources' fetches, never leave the links of an older
// reading.
func (s *Store) RelinkConference(ctx context.Context, conference string, link func([]entry.Entry) []Link) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		es, err := scanEntries(ctx, tx, selectEntry+" WHERE conference = ? ORDER BY id", conference)
		if err != nil {
			return fmt.Errorf("entries: %w", err)
		}
		links := link(es)
		n = len(links)
		return replaceLinks(ctx, tx, conference, links)
	})
	if err != nil {
		return 0, fmt.Errorf("store: relink conference %q: %w", conference, err)
	}
	return n, nil
}

// replaceLinks makes links the conference's pairs, each stored with its
// ids in order (A < B), in place of every link of the conference or of its
// entries.
func replaceLinks(ctx context.Context, tx *sql.Tx, conference string, links []Link) error {
	// Also the links its entries had under another conference name (a
	// source's conference: renamed in the config): not stale beside the new.
	if _, err := tx.ExecContext(ctx, `DELETE FROM entry_links WHERE conference = ?1
		OR a IN (SELECT id FROM entries WHERE conference = ?1) OR b IN (SELECT id FROM entries WHERE conference = ?1)`,
		conference); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO entry_links (conference, a, b, score, evidence)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (a, b) DO UPDATE SET conference = excluded.conference,
		score = excluded.score, evidence = excluded.evidence`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, l := range links {
		a, b := min(l.A, l.B), max(l.A, l.B)
		if a == b {
			return fmt.Errorf("link %q to itself", a)
		}
		if _, err := stmt.ExecContext(ctx, conference, a, b, l.Score, l.Evidence); err != nil {
			return fmt.Errorf("link %q ~ %q: %w", a, b, err)
		}
	}
	return nil
}

// Links returns the stored pairs of conference, ordered by A then B.
func (s *Store) Links(ctx context.Context, conference string) ([]Link, error) {
	rows, err := s.r.QueryContext(ctx,
		`SELECT a, b, score, evidence FROM entry_links WHERE conference = ? ORDER BY a, b`, conference)
	if err != nil {
		return nil, fmt.Errorf("store: links of conference %q: %w", conference, err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		var l Link
		if err := rows.Scan(&l.A, &l.B, &l.Score, &l.Evidence); err != nil {
			return nil, fmt.Errorf("store: links of conference %q: %w", conference, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// relatedOrder sorts a talk's traces: the schedule first, then what was
// written after it.
const relatedOrder = `CASE role WHEN 'abstract' THEN 0 WHEN 'notes' THEN 1 WHEN 'report' THEN 2
	WHEN 'slides' THEN 3 WHEN 'video' THEN 4 ELSE 5 END`

// fillRelated sets the Related of each entry of es from entry_links, with
// one query for all of them.
func (s *Store) fillRelated(ctx context.Context, es []entry.Entry) error {
	if len(es) == 0 {
		return nil
	}
	ids := make([]string, len(es))
	at := make(map[string]int, len(es))
	for i, e := range es {
		ids[i] = e.ID
		at[e.ID] = i
	}
	js, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	rows, err := s.r.QueryContext(ctx, `
		SELECT self, id, link, source, role, title FROM (
			SELECT l.a AS self, e.id, e.link, e.source, e.role, e.title FROM entry_links l
				JOIN entries e ON e.id = l.b WHERE l.a IN (SELECT value FROM json_each(?1))
			UNION ALL
			SELECT l.b, e.id, e.link, e.source, e.role, e.title FROM entry_links l
				JOIN entries e ON e.id = l.a WHERE l.b IN (SELECT value FROM json_each(?1)))
		ORDER BY self, `+relatedOrder+`, source, id`, string(js))
	if err != nil {
		return fmt.Errorf("related entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var self string
		var r entry.Related
		if err := rows.Scan(&self, &r.ID, &r.Link, &r.Source, &r.Role, &r.Title); err != nil {
			return fmt.Errorf("related entries: %w", err)
		}
		if i, ok := at[self]; ok {
			es[i].Related = append(es[i].Related, r)
		}
	}
	return rows.Err()
}
