package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// checkEvery is how old the last full integrity check may be before Open
// runs another. PRAGMA quick_check reads every page: 0.13 s for the store
// of 1,000 sources, 1 s for 10,000, at every start when it ran each time.
const checkEvery = 24 * time.Hour

// metaQuickCheck is the store_meta key of the last sound quick_check.
const metaQuickCheck = "quick_check"

// checkFile runs the checks of an existing file that cost a few reads
// whatever its size: the header's page size and count against the file's
// length (a truncated copy), and the page type of the root of every table
// and index (a torn or overwritten page where every query starts). With
// frames in the WAL the file alone is not the database (pages and the
// header may be newer there), so it reports dirty instead and checks none
// of that: Open then runs quick_check, which reads through the WAL.
func (s *Store) checkFile(ctx context.Context, db *sql.DB) (dirty bool, err error) {
	if fi, err := os.Stat(s.path + "-wal"); err == nil && fi.Size() > 0 {
		return true, nil
	}
	f, err := os.Open(s.path)
	if err != nil {
		return false, fmt.Errorf("store: open %q: %w", s.path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("store: open %q: %w", s.path, err)
	}
	var hdr [100]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return false, s.badFile("it is not a SQLite database file")
	}
	if string(hdr[:16]) != "SQLite format 3\x00" {
		return false, s.badFile("it is not a SQLite database file")
	}
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return false, s.badFile(fmt.Sprintf("it is corrupt: page size %d in its header", pageSize))
	}
	size := fi.Size()
	if size%pageSize != 0 {
		return false, s.badFile(fmt.Sprintf("it is corrupt: truncated, %d bytes are not a whole number of %d-byte pages",
			size, pageSize))
	}
	// The header's page count is valid when the change counter matches
	// the version it was written for (SQLite file format, 1.3.7).
	if pages := int64(binary.BigEndian.Uint32(hdr[28:32])); binary.BigEndian.Uint32(hdr[24:28]) ==
		binary.BigEndian.Uint32(hdr[92:96]) && size < pages*pageSize {
		return false, s.badFile(fmt.Sprintf("it is corrupt: truncated, %d of the %d pages its header lists",
			size/pageSize, pages))
	}

	rows, err := db.QueryContext(ctx, "SELECT type, name, rootpage FROM sqlite_schema WHERE rootpage > 0")
	if err != nil {
		return false, s.openErr(err)
	}
	type root struct {
		kind, name string
		page       int64
	}
	var roots []root
	for rows.Next() {
		var r root
		if err := rows.Scan(&r.kind, &r.name, &r.page); err != nil {
			rows.Close()
			return false, s.openErr(err)
		}
		roots = append(roots, r)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return false, s.openErr(err)
	}
	for _, r := range roots {
		off := (r.page - 1) * pageSize
		if r.page == 1 {
			off = 100 // page 1 starts with the file header
		}
		var kind [1]byte
		if _, err := f.ReadAt(kind[:], off); err != nil || off >= size {
			return false, s.badFile(fmt.Sprintf("it is corrupt: page %d, the root of %s %s, is past the end of the file",
				r.page, r.kind, r.name))
		}
		switch kind[0] {
		case 2, 5, 10, 13: // interior/leaf index, interior/leaf table
		default:
			return false, s.badFile(fmt.Sprintf("it is corrupt: page %d, the root of %s %s, is not a b-tree page",
				r.page, r.kind, r.name))
		}
	}
	return false, nil
}

// checkDue reports whether the last sound quick_check recorded in the file
// is older than checkEvery (or absent, unreadable, or in the future: a
// clock set back must not postpone it forever).
func (s *Store) checkDue(ctx context.Context, db *sql.DB) (bool, error) {
	var tables int
	err := db.QueryRowContext(ctx,
		"SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'store_meta'").Scan(&tables)
	if err != nil {
		return false, s.openErr(err)
	}
	if tables == 0 {
		return true, nil // a store from before migration 0004
	}
	var v sql.NullString
	err = db.QueryRowContext(ctx, "SELECT value FROM store_meta WHERE key = ?", metaQuickCheck).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return true, nil
	case err != nil:
		return false, s.openErr(err)
	}
	last, err := decodeTime(v)
	if err != nil {
		return true, nil
	}
	now := s.now()
	return last.IsZero() || last.After(now) || now.Sub(last) >= checkEvery, nil
}

// quickCheck runs PRAGMA quick_check on db, which reads every page, and
// returns ErrBadDatabase naming the first problems found.
func (s *Store) quickCheck(ctx context.Context, db *sql.DB) error {
	problems, err := quickCheckProblems(ctx, db)
	if err != nil {
		return s.openErr(err)
	}
	if len(problems) > 0 {
		return s.badFile("it is corrupt: " + strings.Join(problems, "; "))
	}
	return nil
}

// quickCheckProblems returns the first few problems PRAGMA quick_check
// reports, none when the file is sound.
func quickCheckProblems(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return nil, err
	}
	var problems []string
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			rows.Close()
			return nil, err
		}
		// One row per problem, possibly multi-line and headed by
		// "*** in database main ***"; keep the first few, on one line.
		for _, line := range strings.Split(msg, "\n") {
			if line != "ok" && !strings.HasPrefix(line, "***") && len(problems) < 3 {
				problems = append(problems, line)
			}
		}
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	return problems, nil
}

// recordCheck remembers that quick_check found the file sound at t.
func (s *Store) recordCheck(ctx context.Context, t time.Time) error {
	v, err := encodeTime(t)
	if err != nil {
		return err
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO store_meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, metaQuickCheck, v)
	return err
}
