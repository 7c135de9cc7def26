package store

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// Backup writes a consistent copy of the database to path with SQLite's
// VACUUM INTO, which reads one snapshot and so is safe while the daemon
// writes. path must not exist: a backup never overwrites. It first runs
// PRAGMA quick_check (Open runs it only once a day): a copy of a corrupt
// store would be no backup, and it is refused with ErrBadDatabase.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: backup to %s: file exists", path)
	}
	checkedAt := s.now()
	problems, err := quickCheckProblems(ctx, s.r)
	if isCorrupt(err) {
		problems, err = []string{err.Error()}, nil // damage the check could not read past
	}
	if err != nil {
		return fmt.Errorf("store: backup to %s: check %q: %w", path, s.path, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("store: backup to %s: %w: %q is corrupt (%s); restore an earlier backup instead",
			path, ErrBadDatabase, s.path, strings.Join(problems, "; "))
	}
	if _, err := s.w.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	// Best effort, as at Open: the backup is made, and a lost record only
	// means Open checks again.
	_ = s.recordCheck(ctx, checkedAt)
	return nil
}
