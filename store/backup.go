package store

import (
	"context"
	"fmt"
	"os"
)

// Backup writes a consistent copy of the database to path with SQLite's
// VACUUM INTO, which reads one snapshot and so is safe while the daemon
// writes. path must not exist: a backup never overwrites.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: backup to %s: file exists", path)
	}
	if _, err := s.w.ExecContext(ctx, "VACUUM INTO ?", path); err != nil {
		return fmt.Errorf("store: backup to %s: %w", path, err)
	}
	return nil
}
