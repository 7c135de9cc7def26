package pipeline

import (
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/netdigest/netdigest/atomicfile"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/mail"
	"github.com/netdigest/netdigest/render"
	"github.com/netdigest/netdigest/store"
)

// DigestOptions select what Digest does.
type DigestOptions struct {
	// Since, when set, takes every entry first seen after it, even those
	// an earlier digest carried. Zero: what no digest has carried yet.
	Since time.Time
	// DryRun renders and reports what would be included, recording nothing.
	DryRun bool
	// Force resends a digest whose last delivery was interrupted (it may
	// have been accepted already).
	Force bool
	// Send delivers with Runner.Sender; otherwise the digest is written to
	// files under Dir, which counts as its delivery.
	Send bool
	Dir  string
}

// DigestAction says what Digest did.
type DigestAction string

const (
	DigestNothingNew DigestAction = "nothing new" // no entries and send_empty is off: nothing recorded
	DigestDryRun     DigestAction = "dry run"
	DigestSent       DigestAction = "sent"
	DigestWritten    DigestAction = "written"
	// DigestBusy: another live process is preparing or sending a digest
	// (the error is a *store.BusyError naming it); nothing was sent.
	DigestBusy DigestAction = "busy"
)

// DigestActions lists every DigestAction, as Outcomes does for refreshes.
func DigestActions() []DigestAction {
	return []DigestAction{DigestNothingNew, DigestDryRun, DigestSent, DigestWritten, DigestBusy}
}

// DigestResult describes a digest run.
type DigestResult struct {
	Action   DigestAction
	Retried  bool // an earlier prepared digest was delivered instead of a new one
	Digest   *store.Digest
	Rendered *render.Digest // nil for a retried digest
	Entries  []entry.Entry
	Since    time.Time // the start of the period considered
	Files    []string  // files written
}

// ErrInDoubt means a delivery was interrupted after it started: the server
// may have accepted it. Check the recipients' mail for the Message-ID, then
// resend with Force if it never arrived.
var ErrInDoubt = errors.New("an earlier delivery of this digest was interrupted and may have been accepted")

// inDoubt marks err as ErrInDoubt without repeating ErrInDoubt's text.
type inDoubt struct{ error }

func (e inDoubt) Unwrap() error      { return e.error }
func (inDoubt) Is(target error) bool { return target == ErrInDoubt }

// ErrRejected means the mail server refused the digest for good (a 5xx
// reply): it is recorded as rejected and never retried, and the next
// digest carries what arrived since with a line linking to it.
var ErrRejected = errors.New("the mail server refused the digest for good")

// Digest prepares the digest of what is new and delivers it. A digest that
// was prepared and never delivered is delivered first, byte for byte, so a
// failure is retried and never skipped; a digest is marked sent only after
// the server accepted it.
func (r *Runner) Digest(ctx context.Context, opts DigestOptions) (*DigestResult, error) {
	if !opts.DryRun {
		pending, err := r.Store.Pending(ctx)
		switch {
		case err == nil:
			if r.Store.HeldElsewhere(pending) {
				return busyWith(pending)
			}
			if pending.InDoubt() && !opts.Force {
				return &DigestResult{Digest: pending}, fmt.Errorf("digest %s (Message-ID <%s>): %w; if it never arrived, run again with -force",
					pending.ID, pending.MessageID, ErrInDoubt)
			}
			res := &DigestResult{Retried: true, Digest: pending}
			return res, r.deliver(ctx, res, opts)
		case !errors.Is(err, store.ErrNoDigest):
			return nil, fmt.Errorf("digest: %w", err)
		}
	}

	now := r.now()
	since, entries, err := r.digestEntries(ctx, opts.Since, now)
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	res := &DigestResult{Entries: entries, Since: since}
	if len(entries) == 0 && !r.Config.Digest.SendEmpty && !opts.DryRun {
		// Another process may have claimed the entries since Pending was
		// read: it is at work, which is not "nothing new".
		if pending, err := r.Store.Pending(ctx); err == nil && r.Store.HeldElsewhere(pending) {
			return busyWith(pending)
		}
		res.Action = DigestNothingNew
		return res, nil
	}
	rejected, err := r.rejectedSinceLastSent(ctx)
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	// Rendered for the digest's id, which its footer links (the archive page).
	renderFor := func(id string) (*render.Digest, error) {
		return r.renderDigest(since, now, entries, rejected, id)
	}
	rendered, err := renderFor(digestID(now, 1))
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	res.Rendered = rendered
	if opts.DryRun {
		res.Action = DigestDryRun
		return res, nil
	}

	d, rendered, err := r.prepare(ctx, since, now, entries, rendered, renderFor, !opts.Since.IsZero())
	res.Rendered = rendered
	var be *store.BusyError
	if errors.As(err, &be) {
		return busy(res, err)
	}
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	res.Digest = d
	return res, r.deliver(ctx, res, opts)
}

// busyWith is busy for pending, a digest another live process holds.
func busyWith(pending *store.Digest) (*DigestResult, error) {
	return busy(&DigestResult{Digest: pending}, &store.BusyError{ID: pending.ID, Owner: pending.Owner, Sending: !pending.SendStarted.IsZero()})
}

// busy is the result of a run that found another process at work: not a
// failure of this one, so the caller reports it and stops (exit 0).
func busy(res *DigestResult, err error) (*DigestResult, error) {
	res.Action = DigestBusy
	return res, fmt.Errorf("digest: %w; nothing was sent", err)
}

// prepare builds the message and records the digest, claiming its entries.
// Its id is the preparation time to the second, which sorts and reads well
// in file names; a second digest in the same second (a digest, then one
// with -since; or two processes) gets a "-2" suffix, and so on. The store
// checks the id in the transaction that records it, so this holds across
// processes.
//
// rendered is the digest rendered for the first id; renderFor renders it
// again for another (its footer links its own archive page). The digest
// rendered for the id recorded is returned with it.
func (r *Runner) prepare(ctx context.Context, since, now time.Time, entries []entry.Entry, rendered *render.Digest,
	renderFor func(id string) (*render.Digest, error), resend bool) (*store.Digest, *render.Digest, error) {
	for n := 1; ; n++ {
		id := digestID(now, n)
		if n > 1 {
			var err error
			if rendered, err = renderFor(id); err != nil {
				return nil, rendered, err
			}
		}
		msgID := "digest-" + id + "@" + r.mailDomain()
		from, to, listID := r.addresses()
		raw, err := mail.Build(mail.Message{
			From:            from,
			To:              to,
			Subject:         rendered.Subject,
			Date:            now,
			MessageID:       msgID,
			ListID:          listID,
			ListUnsubscribe: r.Config.Digest.Unsubscribe,
			Text:            rendered.Text,
			HTML:            rendered.HTML,
		})
		if err != nil {
			return nil, rendered, fmt.Errorf("build message: %w", err)
		}
		d := &store.Digest{
			ID:          id,
			PeriodStart: since,
			PeriodEnd:   now,
			Created:     now,
			MessageID:   msgID,
			Subject:     rendered.Subject,
			Message:     raw,
			HTML:        string(rendered.HTML),
			Text:        string(rendered.Text),
		}
		for _, e := range entries {
			d.EntryIDs = append(d.EntryIDs, e.ID)
		}
		if resend {
			err = r.Store.PrepareResend(ctx, d)
		} else {
			err = r.Store.PrepareDigest(ctx, d)
		}
		if !errors.Is(err, store.ErrDigestIDTaken) {
			return d, rendered, err
		}
	}
}

// digestID is the n-th (from 1) id a digest prepared at now may take.
func digestID(now time.Time, n int) string {
	base := now.UTC().Format("20060102T150405Z")
	if n > 1 {
		return fmt.Sprintf("%s-%d", base, n)
	}
	return base
}

// digestEntries picks the entries of the next digest and the period start.
func (r *Runner) digestEntries(ctx context.Context, since, now time.Time) (time.Time, []entry.Entry, error) {
	if !since.IsZero() {
		es, err := r.Store.EntriesSince(ctx, since)
		return since, es, err
	}
	// By membership: whatever no digest carried, back to the previous
	// digest's own start (so an entry committed while it was prepared is
	// not lost), or FirstDays back for the very first digest.
	floor := now.AddDate(0, 0, -r.Config.Digest.FirstDays)
	start := floor
	last, err := r.Store.LastSent(ctx)
	switch {
	case err == nil:
		floor, start = last.PeriodStart, last.PeriodEnd
	case !errors.Is(err, store.ErrNoDigest):
		return time.Time{}, nil, err
	}
	es, err := r.Store.Undigested(ctx, floor)
	return start, es, err
}

// rejectedSinceLastSent are the digests refused for good since the last
// one delivered: the next digest tells its readers about them.
func (r *Runner) rejectedSinceLastSent(ctx context.Context) ([]render.RejectedDigest, error) {
	var after time.Time
	last, err := r.Store.LastSent(ctx)
	switch {
	case err == nil:
		after = last.Created
	case !errors.Is(err, store.ErrNoDigest):
		return nil, err
	}
	ds, err := r.Store.RejectedSince(ctx, after)
	if err != nil {
		return nil, err
	}
	out := make([]render.RejectedDigest, len(ds))
	for i, d := range ds {
		out[i] = render.RejectedDigest{Subject: d.Subject, Created: d.Created, Reason: d.LastError, URL: r.archiveURL(d.ID)}
	}
	return out, nil
}

// archiveURL is where the daemon's web page serves digest id
// (<link>digests/<id>), "" when link is not an http(s) URL.
func (r *Runner) archiveURL(id string) string {
	u, err := url.Parse(r.Config.Link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.JoinPath("digests", id).String()
}

func (r *Runner) renderDigest(since, now time.Time, entries []entry.Entry, rejected []render.RejectedDigest, id string) (*render.Digest, error) {
	if r.DigestRenderer == nil {
		return nil, errors.New("no digest renderer configured")
	}
	topics := make([]string, len(r.Config.Topics))
	for i, t := range r.Config.Topics {
		topics[i] = t.Name
	}
	return r.DigestRenderer.Render(render.DigestInfo{
		Title:           r.Config.Title,
		FeedURL:         selfLink(r.Config.Link),
		PageURL:         r.Config.Digest.PageURL,
		ArchiveURL:      r.archiveURL(id),
		Unsubscribe:     r.Config.Digest.Unsubscribe,
		Start:           since,
		End:             now,
		Location:        r.Config.Digest.Location,
		Topics:          topics,
		SubjectTemplate: r.Config.Digest.Subject,
		Rejected:        rejected,
	}, entries)
}

// deliver sends or writes res.Digest and records the outcome.
func (r *Runner) deliver(ctx context.Context, res *DigestResult, opts DigestOptions) error {
	d := res.Digest
	if !opts.Send {
		files, err := writeDigestFiles(opts.Dir, d)
		if err != nil {
			return fmt.Errorf("digest %s: %w", d.ID, err)
		}
		res.Files = files
		if err := r.Store.MarkSent(ctx, d.ID, files[0]); err != nil {
			return fmt.Errorf("digest %s: %w", d.ID, err)
		}
		res.Action = DigestWritten
		return nil
	}
	if r.Sender == nil || r.Config.Mail == nil {
		return fmt.Errorf("digest %s: no mail server configured (add mail: to the config)", d.ID)
	}
	if err := r.Store.MarkSending(ctx, d.ID); err != nil {
		var be *store.BusyError
		if errors.As(err, &be) {
			_, err = busy(res, err)
			return err
		}
		return fmt.Errorf("digest %s: %w", d.ID, err)
	}
	d.Attempts++ // as recorded by MarkSending
	from, to, _ := r.addresses()
	// Renewed while the server takes its time, so that nobody takes the
	// digest for abandoned.
	stopRenewing := keepRenewed(ctx, store.OwnerLease/4, func(ctx context.Context) error {
		return r.Store.RenewDigest(ctx, d.ID)
	}, func(err error) { r.log().Warn("digest hold not renewed", "digest", d.ID, "error", err) })
	err := r.Sender.Send(ctx, envelopeAddress(from), envelopeList(to), d.Message)
	stopRenewing()
	if err != nil {
		return r.sendFailed(ctx, d, err)
	}
	dest := fmt.Sprintf("smtp %s:%d", r.Config.Mail.Host, r.Config.Mail.Port)
	if err := r.Store.MarkSent(context.WithoutCancel(ctx), d.ID, dest); err != nil {
		return fmt.Errorf("digest %s: sent, but recording it failed: %w", d.ID, err)
	}
	r.log().Info("digest sent", "digest", d.ID, "message_id", d.MessageID, "to", len(to))
	res.Action = DigestSent
	return nil
}

// sendFailed records a failed delivery by what the failure means. Recorded
// with a fresh context: an interrupted send must still be marked as what
// we know of it.
func (r *Runner) sendFailed(ctx context.Context, d *store.Digest, err error) error {
	bg := context.WithoutCancel(ctx)
	switch {
	case errors.Is(err, mail.ErrMaybeDelivered):
		// Sent in full, then no answer: it may be in the inboxes already.
		if merr := r.Store.MarkInDoubt(bg, d.ID, err.Error()); merr != nil {
			err = errors.Join(err, merr)
		}
		r.log().Error("digest delivery in doubt", "digest", d.ID, "message_id", d.MessageID, "error", err)
		return inDoubt{fmt.Errorf("digest %s (Message-ID <%s>): send: %w; not resent automatically: if it never arrived, run again with -force",
			d.ID, d.MessageID, err)}
	case errors.Is(err, mail.ErrMessageRejected):
		if merr := r.Store.MarkRejected(bg, d.ID, err.Error()); merr != nil {
			err = errors.Join(err, merr)
		}
		r.log().Error("digest rejected by the mail server", "digest", d.ID, "message_id", d.MessageID, "error", err)
		return fmt.Errorf("digest %s: send: %w: %w; it is not retried: the next digest carries what is new since and links to it",
			d.ID, err, ErrRejected)
	}
	if merr := r.Store.MarkFailed(bg, d.ID, err.Error()); merr != nil {
		err = errors.Join(err, merr)
	}
	r.log().Warn("digest send failed", "digest", d.ID, "error", err)
	return fmt.Errorf("digest %s: send: %w (it will be retried on the next run)", d.ID, err)
}

// writeDigestFiles writes the message and its parts as <dir>/digest-<id>.*;
// the .eml comes first.
func writeDigestFiles(dir string, d *store.Digest) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	base := filepath.Join(dir, "digest-"+d.ID)
	files := []struct {
		path string
		data []byte
	}{
		{base + ".eml", d.Message},
		{base + ".html", []byte(d.HTML)},
		{base + ".txt", []byte(d.Text)},
	}
	var written []string
	for _, f := range files {
		if err := atomicfile.Write(f.path, f.data, 0o644); err != nil {
			return written, err
		}
		written = append(written, f.path)
	}
	return written, nil
}

// addresses are the configured ones, or placeholders naming the feed's
// host when the digest is only written to files.
func (r *Runner) addresses() (from string, to []string, listID string) {
	domain := r.mailDomain()
	listID = "netdigest <netdigest." + domain + ">"
	if m := r.Config.Mail; m != nil {
		if m.ListID != "" {
			listID = m.ListID
		}
		return m.From, m.To, listID
	}
	return "netdigest <netdigest@" + domain + ">", []string{"netdigest readers <readers@" + domain + ">"}, listID
}

// mailDomain is the domain of the Message-ID and the default List-Id: the
// one mail comes from (mail.from), which names the sender as the site's
// link (often a 127.0.0.1 behind a proxy) need not; else the link's host.
func (r *Runner) mailDomain() string {
	if m := r.Config.Mail; m != nil {
		// A domain literal ("a@[192.0.2.1]") is no dot-atom: not an id's right side.
		if a := envelopeAddress(m.From); strings.Contains(a, "@") && !strings.HasSuffix(a, "]") {
			return strings.ToLower(a[strings.LastIndex(a, "@")+1:])
		}
	}
	if u, err := url.Parse(r.Config.Link); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

// envelopeAddress is the bare address of a header address ("Name <a@b>" → "a@b").
func envelopeAddress(a string) string {
	if p, err := netmail.ParseAddress(a); err == nil {
		return p.Address
	}
	return a
}

func envelopeList(list []string) []string {
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = envelopeAddress(a)
	}
	return out
}

// LastDigest is when the newest digest (delivered or not) was prepared,
// zero when there has been none.
func (r *Runner) LastDigest(ctx context.Context) (time.Time, error) {
	ds, err := r.Store.Digests(ctx, 1)
	if err != nil || len(ds) == 0 {
		return time.Time{}, err
	}
	return ds[0].Created, nil
}

// DigestDue reports whether a one-shot run should make a digest now: one
// is waiting to be delivered, none was ever made, or the digest schedule
// has come round since the last one.
func (r *Runner) DigestDue(ctx context.Context) (bool, error) {
	if _, err := r.Store.Pending(ctx); err == nil {
		return true, nil
	} else if !errors.Is(err, store.ErrNoDigest) {
		return false, err
	}
	last, err := r.LastDigest(ctx)
	if err != nil || last.IsZero() {
		return err == nil, err
	}
	sched, err := r.Config.Digest.ParsedSchedule()
	if err != nil {
		return false, fmt.Errorf("digest %w", err)
	}
	return !sched.Next(last).After(r.now()), nil
}
