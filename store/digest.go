package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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
	DeliveredTo string
	Attempts    int
	LastError   string
}

// InDoubt reports whether a delivery started and never reported back: the
// process died mid-send, so the server may or may not have accepted it.
func (d *Digest) InDoubt() bool { return !d.SendStarted.IsZero() && d.Sent.IsZero() }

// ErrNoDigest is returned when there is no digest of the kind asked for.
var ErrNoDigest = errors.New("no digest")

const selectDigest = `SELECT id, period_start, period_end, created, message_id, subject, message,
	html, text, send_started, sent, delivered_to, attempts, last_error FROM digests`

// PrepareDigest records d (with its entries) before any delivery.
func (s *Store) PrepareDigest(ctx context.Context, d *Digest) error {
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
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO digests (id, period_start, period_end, created,
			message_id, subject, message, html, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.ID, start, end, created, d.MessageID, d.Subject, d.Message, d.HTML, d.Text); err != nil {
			return err
		}
		for _, id := range d.EntryIDs {
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO digest_entries (digest_id, entry_id) VALUES (?, ?)`, d.ID, id); err != nil {
				return fmt.Errorf("entry %q: %w", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: prepare digest %q: %w", d.ID, err)
	}
	return nil
}

// MarkSending records that a delivery of digest id starts now.
func (s *Store) MarkSending(ctx context.Context, id string) error {
	return s.updateDigest(ctx, id, "sending",
		`UPDATE digests SET send_started = ?, attempts = attempts + 1, last_error = '' WHERE id = ?`, s.nowText(), id)
}

// MarkFailed records a delivery that failed with msg: safe to retry.
func (s *Store) MarkFailed(ctx context.Context, id, msg string) error {
	return s.updateDigest(ctx, id, "failed",
		`UPDATE digests SET send_started = NULL, last_error = ? WHERE id = ?`, msg, id)
}

// MarkSent records that digest id was accepted by deliveredTo.
func (s *Store) MarkSent(ctx context.Context, id, deliveredTo string) error {
	return s.updateDigest(ctx, id, "sent",
		`UPDATE digests SET sent = ?, send_started = NULL, delivered_to = ?, last_error = '' WHERE id = ?`,
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
	return s.oneDigest(ctx, "pending", selectDigest+" WHERE sent IS NULL ORDER BY created, id LIMIT 1")
}

// Digest returns the digest with the given id, or ErrNoDigest.
func (s *Store) Digest(ctx context.Context, id string) (*Digest, error) {
	return s.oneDigest(ctx, fmt.Sprintf("%q", id), selectDigest+" WHERE id = ?", id)
}

// Digests lists the newest limit digests, newest first, without their
// message bytes and parts (for an archive page).
func (s *Store) Digests(ctx context.Context, limit int) ([]Digest, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, period_start, period_end, created, message_id, subject,
		x'', '', '', send_started, sent, delivered_to, attempts, last_error FROM digests
		ORDER BY created DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: digests: %w", err)
	}
	defer rows.Close()
	var out []Digest
	for rows.Next() {
		d, err := scanDigest(rows)
		if err != nil {
			return nil, fmt.Errorf("store: digests: %w", err)
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
		d                                        Digest
		start, end, created, sendStarted, sentAt sql.NullString
	)
	err := row.Scan(&d.ID, &start, &end, &created, &d.MessageID, &d.Subject, &d.Message,
		&d.HTML, &d.Text, &sendStarted, &sentAt, &d.DeliveredTo, &d.Attempts, &d.LastError)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst *time.Time
		src sql.NullString
	}{{&d.PeriodStart, start}, {&d.PeriodEnd, end}, {&d.Created, created}, {&d.SendStarted, sendStarted}, {&d.Sent, sentAt}} {
		if *f.dst, err = decodeTime(f.src); err != nil {
			return nil, err
		}
	}
	return &d, nil
}

// Undigested returns the entries first seen after since (zero: all) that
// no digest has carried yet, oldest first. Membership, not a time cut, is
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
		AND NOT EXISTS (SELECT 1 FROM digest_entries de WHERE de.entry_id = entries.id)
		ORDER BY first_seen, published, id`, v)
	if err != nil {
		return nil, fmt.Errorf("store: undigested since %v: %w", since, err)
	}
	return es, nil
}
