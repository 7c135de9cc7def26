package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// FetchLease is the lease a fetch cycle (fetch, run, serve) holds, so two
// cycles never fetch the same store at once.
const FetchLease = "fetch"

// LeaseHeldError: another live process holds the lease.
type LeaseHeldError struct {
	Name     string
	Owner    Owner
	Acquired time.Time
	Expires  time.Time
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("the %s lease on this store is held by %s (since %s, until %s unless renewed)",
		e.Name, e.Owner, e.Acquired.UTC().Format(time.RFC3339), e.Expires.UTC().Format(time.RFC3339))
}

// AcquireLease takes lease name for this store's owner until now+ttl, or
// extends it when the owner already holds it. It fails with a
// *LeaseHeldError when another process holds it: its expiry has not
// passed and, on this host, its process exists.
func (s *Store) AcquireLease(ctx context.Context, name string, ttl time.Duration) error {
	now := s.now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var (
			held              Owner
			acquired, expires sql.NullString
		)
		err := tx.QueryRowContext(ctx, `SELECT owner_pid, owner_host, acquired, expires FROM leases WHERE name = ?`, name).
			Scan(&held.PID, &held.Host, &acquired, &expires)
		since := now
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		default:
			a, err := decodeTime(acquired)
			if err != nil {
				return err
			}
			e, err := decodeTime(expires)
			if err != nil {
				return err
			}
			if held == s.owner {
				since = a // a renewal
			} else if held.holds(e, now) {
				return &LeaseHeldError{Name: name, Owner: held, Acquired: a, Expires: e}
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO leases (name, owner_pid, owner_host, acquired, expires) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET owner_pid = excluded.owner_pid, owner_host = excluded.owner_host,
			acquired = excluded.acquired, expires = excluded.expires`,
			name, s.owner.PID, s.owner.Host, since.UTC().Format(timeLayout), now.Add(ttl).UTC().Format(timeLayout))
		return err
	})
	if err != nil {
		return fmt.Errorf("store: lease %q: %w", name, err)
	}
	return nil
}

// ReleaseLease gives up lease name if this store's owner holds it.
func (s *Store) ReleaseLease(ctx context.Context, name string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND owner_pid = ? AND owner_host = ?`,
		name, s.owner.PID, s.owner.Host); err != nil {
		return fmt.Errorf("store: release lease %q: %w", name, err)
	}
	return nil
}
