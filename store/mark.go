package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// checkMark decides from what inspect read, before anything is written,
// whether the file is netdigest's: marked with appID, or new (no version,
// no schema). A user_version alone proves nothing (other programs set it
// too), so a file without the mark is accepted only when its schema is
// exactly what netdigest's first user_version migrations make: a store that
// lost its mark (rebuilt from a dump) keeps opening, and migration 0007
// marks it again. Anything else is another program's database.
func (s *Store) checkMark(ctx context.Context, db *sql.DB, app, version, objects int, ms []migration) error {
	switch {
	case app == appID:
		return nil
	case app != 0:
		return s.badFile(fmt.Sprintf("it is a SQLite database of another program: application_id %#x", app))
	case version == 0 && objects == 0:
		return nil // a new database (or one whose first migration never committed)
	case version == 0 || version > len(ms):
		return s.badFile("it is a SQLite database of another program")
	}
	have, err := schemaObjects(ctx, db)
	if err != nil {
		return s.openErr(err)
	}
	want, err := migratedObjects(ctx, ms[:version])
	if err != nil {
		return fmt.Errorf("store: open %q: %w", s.path, err)
	}
	if !slices.Equal(have, want) {
		return s.badFile(fmt.Sprintf("it is a SQLite database of another program: "+
			"user_version %d, but not netdigest's tables of that version", version))
	}
	return nil
}

// schemaObjects lists a database's tables, indexes, views and triggers as
// "type name", sorted, leaving out SQLite's own (sqlite_*).
func schemaObjects(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx,
		`SELECT type || ' ' || name FROM sqlite_schema WHERE name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// migratedObjects is schemaObjects of an empty database after ms: what a
// netdigest store at that version holds. Names only: a comment edited in a
// migration since a store was made must not make it foreign.
func migratedObjects(ctx context.Context, ms []migration) ([]string, error) {
	db, err := sql.Open("sqlite", memoryPath)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: each is its own :memory: database
	for _, m := range ms {
		if _, err := db.ExecContext(ctx, m.sql); err != nil {
			return nil, fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return schemaObjects(ctx, db)
}

// ensureMark marks a store that checkMark accepted by its schema alone and
// that no migration marked: one rebuilt from a dump after 0007 had run, which
// would otherwise stay unmarked however many steps followed.
func (s *Store) ensureMark(ctx context.Context) error {
	var app int
	if err := s.w.QueryRowContext(ctx, "PRAGMA application_id").Scan(&app); err != nil {
		return fmt.Errorf("store: open %q: %w", s.path, err)
	}
	if app == appID {
		return nil
	}
	// PRAGMA takes no parameters; appID is a constant.
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", appID)); err != nil {
		return fmt.Errorf("store: open %q: mark as netdigest's: %w", s.path, err)
	}
	return nil
}
