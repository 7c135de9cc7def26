package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/netdigest/netdigest/entry"
)

// Digest is one entry of the digest log.
type Digest struct {
	ID          string
	PeriodStart time.Time // zero: from the beginning
	PeriodEnd   time.Time
	Created     time.Time
	MessageID   string
	Subject     string
	Message     []byte // the built email, resent verbatim on retry
	HTML, Text  string
	EntryIDs    []string
	SendStarted time.Time // a delivery began and has not ended (success or error)
	Sent        time.Time // the server accepted it, or it was written to a file
	Rejected    time.Time // the server refused it permanently (LastError has its reply)
	DeliveredTo string
	Attempts    int
	LastError   string
	// Owner prepared the digest or is delivering it, until OwnerUntil
	// (zero: nobody holds it now). Set by the store.
	Owner      Owner
	OwnerUntil time.Time
}

// InDoubt reports whether a delivery started and never reported back: the
// process died mid-send, so the server may or may not have accepted it.
func (d *Digest) InDoubt() bool { return !d.SendStarted.IsZero() && d.Sent.IsZero() }

// ErrNoDigest is returned when there is no digest of the kind asked for.
var ErrNoDigest = errors.New("no digest")

// ErrDigestIDTaken: a digest with this id or Message-ID exists (another
// one was prepared in the same second); choose the next id.
var ErrDigestIDTaken = errors.New("digest id or Message-ID already recorded")

// OwnerLease is how long a digest stays held by the process that prepared
// or is sending it without being renewed (RenewDigest). A crashed owner on
// this host is noticed at once (its pid is gone); on another host, when
// the lease lapses.
const OwnerLease = 2 * time.Minute

// BusyError: another live process holds the digest log: it is preparing or
// sending digest ID, or it already took the entries this digest would carry.
type BusyError struct {
	ID      string
	Owner   Owner
	Sending bool // a delivery has started
	Sent    bool // it was delivered meanwhile
}

func (e *BusyError) Error() string {
	what := "is being prepared"
	switch {
	case e.Sent:
		what = "was just sent"
	case e.Sending:
		what = "is being sent"
	}
	return fmt.Sprintf("another digest %s by %s (digest %s)", what, e.Owner, e.ID)
}

const digestColumns = `id, period_start, period_end, created, message_id, subject, message,
	html, text, send_started, sent, delivered_to, attempts, last_error, owner_pid, owner_host, owner_until, rejected`

// pendingDigest selects what is still to be delivered: neither sent nor
// refused for good.
const pendingDigest = ` WHERE sent IS NULL AND rejected IS NULL`

const selectDigest = `SELECT ` + digestColumns + ` FROM digests`

// selectDigestSummary reads digests without their message bytes and parts
// (lists, archive pages).
const selectDigestSummary = `SELECT id, period_start, period_end, created, message_id, subject,
	x'', '', '', send_started, sent, delivered_to, attempts, last_error, owner_pid, owner_host, owner_until,
	rejected FROM digests`

// SetOwner replaces the process identity recorded with what this store
// holds (default Self()): for tests that play two processes in one.
func (s *Store) SetOwner(o Owner) { s.owner = o }

// Held reports whether d is held by a live process (this one included):
// it is being prepared or sent, not abandoned.
func (s *Store) Held(d *Digest) bool {
	return d.Sent.IsZero() && d.Owner.holds(d.OwnerUntil, s.now())
}

// HeldElsewhere reports whether d is held by a live process other than
// this store's owner.
func (s *Store) HeldElsewhere(d *Digest) bool { return d.Owner != s.owner && s.Held(d) }

// PrepareDigest records d with its entries before any delivery, and
// claims the entries for it, in one write transaction: across processes,
// an entry is claimed by at most one digest. It fails with a *BusyError,
// recording nothing, when another digest is pending or has claimed one of
// d's entries meanwhile, and with ErrDigestIDTaken when d's id or
// Message-ID is recorded. d.Owner and d.OwnerUntil are set to this store's
// owner and lease.
func (s *Store) PrepareDigest(ctx context.Context, d *Digest) error {
	return s.prepareDigest(ctx, d, true)
}

// PrepareResend is PrepareDigest for an explicit re-send (-since): d may
// carry entries other digests carried; it claims only the unclaimed ones.
func (s *Store) PrepareResend(ctx context.Context, d *Digest) error {
	return s.prepareDigest(ctx, d, false)
}

func (s *Store) prepareDigest(ctx context.Context, d *Digest, exclusive bool) error {
	if d.ID == "" || d.MessageID == "" || len(d.Message) == 0 {
		return fmt.Errorf("store: prepare digest %q: id, message id and message are required", d.ID)
	}
	start, err := encodeTime(d.PeriodStart)
	if err != nil {
		return fmt.Errorf("store: prepare digest %q: %w", d.ID, err)
	}
	end, created, err := encodeTimes(d.PeriodEnd, d.Created)
	if err != nil {
		return fmt.Errorf("store: prepare digest %q: %w", d.ID, err)
	}
	owner, until := s.owner, s.now().Add(OwnerLease)
	claim := `INSERT INTO digest_claims (entry_id, digest_id) VALUES (?, ?)`
	if !exclusive {
		claim = `INSERT OR IGNORE INTO digest_claims (entry_id, digest_id) VALUES (?, ?)`
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		// Read inside the (immediate) transaction: what another process
		// committed before it is seen, and nothing commits during it.
		if other, err := scanDigest(tx.QueryRowContext(ctx, selectDigest+pendingDigest+` ORDER BY created, id LIMIT 1`)); err == nil {
			return &BusyError{ID: other.ID, Owner: other.Owner, Sending: !other.SendStarted.IsZero()}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var taken int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM digests WHERE id = ? OR message_id = ?`, d.ID, d.MessageID).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return ErrDigestIDTaken
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO digests (id, period_start, period_end, created,
			message_id, subject, message, html, text, owner_pid, owner_host, owner_until)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, start, end, created, d.MessageID, d.Subject, d.Message, d.HTML, d.Text,
			owner.PID, owner.Host, until.UTC().Format(timeLayout)); err != nil {
			return err
		}
		for _, id := range d.EntryIDs {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO digest_entries (digest_id, entry_id) VALUES (?, ?)`, d.ID, id); err != nil {
				return fmt.Errorf("entry %q: %w", id, err)
			}
			if _, err := tx.ExecContext(ctx, claim, id, d.ID); err != nil {
				if isConstraint(err) {
					return claimedBy(ctx, tx, id)
				}
				return fmt.Errorf("entry %q: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: prepare digest %q: %w", d.ID, err)
	}
	d.Owner, d.OwnerUntil = owner, until
	return nil
}

// claimedBy is the BusyError naming the digest that claimed entry id.
func claimedBy(ctx context.Context, tx *sql.Tx, id string) error {
	other, err := scanDigest(tx.QueryRowContext(ctx, selectDigest+
		` WHERE id = (SELECT digest_id FROM digest_claims WHERE entry_id = ?)`, id))
	if err != nil {
		return fmt.Errorf("entry %q: claimed by another digest: %w", id, err)
	}
	return &BusyError{ID: other.ID, Owner: other.Owner, Sending: !other.SendStarted.IsZero(), Sent: !other.Sent.IsZero()}
}

func isConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// MarkSending records that a delivery of digest id by this store's owner
// starts now. It fails with a *BusyError, changing nothing, when another
// live process holds the digest (it is preparing or sending it): the check
// and the mark are one transaction, so two processes retrying the same
// pending digest cannot both send it.
func (s *Store) MarkSending(ctx context.Context, id string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		d, err := scanDigest(tx.QueryRowContext(ctx, selectDigest+` WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNoDigest
		}
		if err != nil {
			return err
		}
		if s.HeldElsewhere(d) {
			return &BusyError{ID: d.ID, Owner: d.Owner, Sending: !d.SendStarted.IsZero()}
		}
		_, err = tx.ExecContext(ctx, `UPDATE digests SET send_started = ?, attempts = attempts + 1, last_error = '',
			owner_pid = ?, owner_host = ?, owner_until = ? WHERE id = ?`,
			s.nowText(), s.owner.PID, s.owner.Host, s.now().Add(OwnerLease).UTC().Format(timeLayout), id)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: mark digest %q sending: %w", id, err)
	}
	return nil
}

// RenewDigest extends this store's owner's hold on digest id by
// OwnerLease, while a long delivery runs.
func (s *Store) RenewDigest(ctx context.Context, id string) error {
	return s.updateDigest(ctx, id, "renewed",
		`UPDATE digests SET owner_until = ? WHERE id = ? AND owner_pid = ? AND owner_host = ? AND sent IS NULL`,
		s.now().Add(OwnerLease).UTC().Format(timeLayout), id, s.owner.PID, s.owner.Host)
}

// MarkFailed records a delivery that failed with msg: safe to retry.
func (s *Store) MarkFailed(ctx context.Context, id, msg string) error {
	return s.updateDigest(ctx, id, "failed",
		`UPDATE digests SET send_started = NULL, last_error = ?, owner_until = NULL WHERE id = ?`, msg, id)
}

// MarkInDoubt records a delivery that ended without an answer after the
// whole message was sent (msg says how): the server may have accepted it,
// so it stays in doubt, as after a crash, and is resent only when forced.
func (s *Store) MarkInDoubt(ctx context.Context, id, msg string) error {
	return s.updateDigest(ctx, id, "in doubt",
		`UPDATE digests SET last_error = ?, owner_until = NULL WHERE id = ? AND send_started IS NOT NULL`, msg, id)
}

// MarkRejected records that the server refused digest id for good with
// reply: it is no longer pending, and never retried.
func (s *Store) MarkRejected(ctx context.Context, id, reply string) error {
	return s.updateDigest(ctx, id, "rejected",
		`UPDATE digests SET rejected = ?, send_started = NULL, last_error = ?, owner_until = NULL WHERE id = ?`,
		s.nowText(), reply, id)
}

// RejectedSince lists the digests refused for good that were prepared
// after t, oldest first, without their message bytes and parts.
func (s *Store) RejectedSince(ctx context.Context, t time.Time) ([]Digest, error) {
	v, err := encodeTime(t)
	if err != nil {
		return nil, fmt.Errorf("store: rejected digests since %v: %w", t, err)
	}
	if v == nil {
		v = ""
	}
	out, err := s.listDigests(ctx, selectDigestSummary+` WHERE rejected IS NOT NULL AND created > ? ORDER BY created, id`, v)
	if err != nil {
		return nil, fmt.Errorf("store: rejected digests since %v: %w", t, err)
	}
	return out, nil
}

// MarkSent records that digest id was accepted by deliveredTo.
func (s *Store) MarkSent(ctx context.Context, id, deliveredTo string) error {
	return s.updateDigest(ctx, id, "sent",
		`UPDATE digests SET sent = ?, send_started = NULL, delivered_to = ?, last_error = '', owner_until = NULL WHERE id = ?`,
		s.nowText(), deliveredTo, id)
}

func (s *Store) nowText() string { return s.now().UTC().Format(timeLayout) }

func (s *Store) updateDigest(ctx context.Context, id, what, query string, args ...any) error {
	res, err := s.w.ExecContext(ctx, query, args...)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = ErrNoDigest
		}
	}
	if err != nil {
		return fmt.Errorf("store: mark digest %q %s: %w", id, what, err)
	}
	return nil
}

// LastSent returns the newest digest that was delivered, or ErrNoDigest.
func (s *Store) LastSent(ctx context.Context) (*Digest, error) {
	return s.oneDigest(ctx, "last sent", selectDigest+" WHERE sent IS NOT NULL ORDER BY period_end DESC, created DESC LIMIT 1")
}

// Pending returns the oldest digest prepared and not delivered, or ErrNoDigest.
func (s *Store) Pending(ctx context.Context) (*Digest, error) {
	return s.oneDigest(ctx, "pending", selectDigest+pendingDigest+" ORDER BY created, id LIMIT 1")
}

// Digest returns the digest with the given id, or ErrNoDigest.
func (s *Store) Digest(ctx context.Context, id string) (*Digest, error) {
	return s.oneDigest(ctx, fmt.Sprintf("%q", id), selectDigest+" WHERE id = ?", id)
}

// Digests lists the newest limit digests, newest first, without their
// message bytes and parts (for an archive page).
func (s *Store) Digests(ctx context.Context, limit int) ([]Digest, error) {
	out, err := s.listDigests(ctx, selectDigestSummary+` ORDER BY created DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: digests: %w", err)
	}
	return out, nil
}

func (s *Store) listDigests(ctx context.Context, query string, args ...any) ([]Digest, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Digest
	for rows.Next() {
		d, err := scanDigest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

func (s *Store) oneDigest(ctx context.Context, what, query string, args ...any) (*Digest, error) {
	d, err := scanDigest(s.r.QueryRowContext(ctx, query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoDigest
	}
	if err == nil {
		d.EntryIDs, err = s.digestEntryIDs(ctx, d.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: digest %s: %w", what, err)
	}
	return d, nil
}

func (s *Store) digestEntryIDs(ctx context.Context, id string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT entry_id FROM digest_entries WHERE digest_id = ? ORDER BY entry_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		ids = append(ids, e)
	}
	return ids, rows.Err()
}

func scanDigest(row interface{ Scan(...any) error }) (*Digest, error) {
	var (
		d                                                         Digest
		start, end, created, sendStarted, sentAt, until, rejected sql.NullString
	)
	err := row.Scan(&d.ID, &start, &end, &created, &d.MessageID, &d.Subject, &d.Message,
		&d.HTML, &d.Text, &sendStarted, &sentAt, &d.DeliveredTo, &d.Attempts, &d.LastError,
		&d.Owner.PID, &d.Owner.Host, &until, &rejected)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&d.PeriodStart, start}, {&d.PeriodEnd, end}, {&d.Created, created}, {&d.SendStarted, sendStarted}, {&d.Sent, sentAt}, {&d.OwnerUntil, until}, {&d.Rejected, rejected}} {
		if *f.dst, err = decodeTime(f.src); err != nil {
			return nil, err
		}
	}
	return &d, nil
}

// Undigested returns the entries first seen after since (zero: all) that
// no digest has claimed yet, oldest first. Membership, not a time cut, is
// what decides, so an entry committed while a digest was being prepared is
// carried by the next one.
func (s *Store) Undigested(ctx context.Context, since time.Time) ([]entry.Entry, error) {
	v, err := encodeTime(since)
	if err != nil {
		return nil, fmt.Errorf("store: undigested since %v: %w", since, err)
	}
	if v == nil {
		v = ""
	}
	es, err := s.queryEntries(ctx, selectEntry+` WHERE first_seen > ?
		AND NOT EXISTS (SELECT 1 FROM digest_claims c WHERE c.entry_id = entries.id)
		ORDER BY first_seen, published, id`, v)
	if err != nil {
		return nil, fmt.Errorf("store: undigested since %v: %w", since, err)
	}
	return es, nil
}
