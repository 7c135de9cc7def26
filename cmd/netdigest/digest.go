package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/netdigest/netdigest/atomicfile"
	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/mail"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/render"
	"github.com/netdigest/netdigest/store"
	"github.com/netdigest/netdigest/templates"
)

func cmdDigest(ctx context.Context, e *env, args []string) int {
	fs, configPath := newFlagSet(e, "digest", "",
		"Prepare the digest of every entry new since the last one and deliver it: over SMTP with -send,\n"+
			"otherwise as files <output>/digests/digest-<id>.{eml,html,txt}. A digest that failed to send is\n"+
			"retried first, with the same Message-ID; an empty period sends nothing unless send_empty is set.")
	since := fs.String("since", "", "take every entry first seen since `WHEN` (7d, 36h, 2026-11-01 or RFC 3339), even if already sent")
	out := fs.String("o", "", "also write the message to `FILE.eml`")
	htmlOut := fs.String("html", "", "also write the HTML part to `FILE`")
	textOut := fs.String("text", "", "also write the text part to `FILE`")
	send := fs.Bool("send", false, "deliver over SMTP (mail: in the config; the password from the environment variable it names)")
	dryRun := fs.Bool("dry-run", false, "print what would be included; record and send nothing")
	force := fs.Bool("force", false, "resend a digest whose last delivery was interrupted (it may have arrived already)")
	verbose := fs.Bool("v", false, "log details to stderr")
	r, code := setup(ctx, e, fs, configPath, args, verbose)
	if r == nil {
		return code
	}
	defer r.Store.Close()

	opts := pipeline.DigestOptions{DryRun: *dryRun, Force: *force, Send: *send, Dir: filepath.Join(r.Config.Output, "digests")}
	if *since != "" {
		t, err := parseSince(*since, e.now())
		if err != nil {
			fmt.Fprintf(e.stderr, "netdigest: -since: %v\n", err)
			return exitUsage
		}
		opts.Since = t
	}
	if *send && !*dryRun {
		sender, err := newSender(r.Config)
		if err != nil {
			fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
			return exitUsage
		}
		r.Sender = sender
	}
	if code := attachRenderer(e, r); code != exitOK {
		return code
	}

	res, err := r.Digest(ctx, opts)
	if busy, ok := digestBusy(e, res, err); ok {
		return busy
	}
	if res != nil {
		reportDigest(e, res, r.Config)
		if werr := writeCopies(res, *out, *htmlOut, *textOut); werr != nil {
			fmt.Fprintf(e.stderr, "netdigest: %v\n", werr)
			return exitPartial
		}
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	return exitOK
}

// digestBusy reports a digest run that found another process preparing or
// sending one: not a failure (that process delivers), so exit 0.
func digestBusy(e *env, res *pipeline.DigestResult, err error) (int, bool) {
	var be *store.BusyError
	if res == nil || res.Action != pipeline.DigestBusy || !errors.As(err, &be) {
		return 0, false
	}
	fmt.Fprintf(e.stdout, "digest: %v; nothing was sent by this run\n", be)
	return exitOK, true
}

// attachRenderer gives r the digest renderer of its config's templates.
func attachRenderer(e *env, r *pipeline.Runner) int {
	var err error
	if r.DigestRenderer, _, err = digestRenderer(r.Config); err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// digestRenderer parses the config's templates (embedded or its
// templates: directory), returned too for the web page's.
func digestRenderer(cfg *config.Config) (*render.DigestRenderer, fs.FS, error) {
	tmpl, err := digestTemplates(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("templates: %w", err)
	}
	r, err := render.NewDigestRenderer(tmpl)
	if err != nil {
		return nil, nil, fmt.Errorf("templates: %w", err)
	}
	return r, tmpl, nil
}

// digestTemplates are the embedded ones unless the config names a directory.
func digestTemplates(cfg *config.Config) (fs.FS, error) {
	if cfg.Templates == "" {
		return templates.FS, nil
	}
	if st, err := os.Stat(cfg.Templates); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("templates directory %s: not found", cfg.Templates)
	}
	return os.DirFS(cfg.Templates), nil
}

// newSender reads the SMTP password from the environment, never from the
// file, and never prints it.
func newSender(cfg *config.Config) (*mail.SMTP, error) {
	m := cfg.Mail
	if m == nil {
		return nil, fmt.Errorf("-send needs a mail: section in %s", cfg.Path)
	}
	password := ""
	if m.PasswordEnv != "" {
		var err error
		if password, err = config.Env(os.LookupEnv).Secret(m.PasswordEnv); err != nil {
			return nil, fmt.Errorf("the SMTP password: %w", err)
		}
	}
	return mail.NewSMTP(mail.SMTPConfig{
		Host:        m.Host,
		Port:        m.Port,
		Security:    m.Security,
		Username:    m.Username,
		Password:    password,
		Timeout:     m.Timeout,
		DataTimeout: m.DataTimeout,
	}), nil
}

func reportDigest(e *env, res *pipeline.DigestResult, cfg *config.Config) {
	loc := cfg.Digest.Location
	switch {
	case res.Action == pipeline.DigestNothingNew:
		fmt.Fprintf(e.stdout, "nothing new since %s: no digest sent (set digest.send_empty to send empty ones)\n",
			res.Since.In(loc).Format("2 Jan 2006 15:04 MST"))
		return
	case res.Action == pipeline.DigestDryRun:
		fmt.Fprintf(e.stdout, "dry run: %s\n", res.Rendered.Subject)
		for _, g := range res.Rendered.Groups {
			fmt.Fprintf(e.stdout, "\n%s (%d)\n", g.Name, len(g.Entries))
			for _, en := range g.Entries {
				fmt.Fprintf(e.stdout, "  - %s [%s, %s]\n", en.Title, en.Source, en.Date().In(loc).Format(time.DateOnly))
			}
		}
		fmt.Fprintln(e.stdout, "\nnothing was recorded or sent")
		return
	}
	d := res.Digest
	if d == nil {
		return
	}
	what := fmt.Sprintf("digest %s: %q, %d entries", d.ID, d.Subject, len(d.EntryIDs))
	if res.Retried {
		what += fmt.Sprintf(" (prepared %s, delivery attempt %d)", d.Created.In(loc).Format(time.DateTime), d.Attempts)
	}
	switch res.Action {
	case pipeline.DigestSent:
		fmt.Fprintf(e.stdout, "%s: sent to %s (Message-ID <%s>)\n", what, strings.Join(cfg.Mail.To, ", "), d.MessageID)
	case pipeline.DigestWritten:
		fmt.Fprintf(e.stdout, "%s: written to %s\n", what, strings.Join(res.Files, ", "))
	default:
		fmt.Fprintf(e.stdout, "%s: not delivered\n", what)
	}
}

// writeCopies writes what -o, -html and -text asked for.
func writeCopies(res *pipeline.DigestResult, eml, html, text string) error {
	var msg, h, t []byte
	switch {
	case res.Digest != nil:
		msg, h, t = res.Digest.Message, []byte(res.Digest.HTML), []byte(res.Digest.Text)
	case res.Rendered != nil: // a dry run: the parts exist, no message was built
		h, t = res.Rendered.HTML, res.Rendered.Text
	default:
		return nil
	}
	for _, f := range []struct {
		path string
		data []byte
	}{{eml, msg}, {html, h}, {text, t}} {
		if f.path == "" {
			continue
		}
		if f.data == nil {
			return fmt.Errorf("%s: nothing to write (a dry run builds no message)", f.path)
		}
		if err := atomicfile.Write(f.path, f.data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// parseSince reads 7d, 36h, 2026-11-01 or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days > 0 {
			return now.AddDate(0, 0, -days), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("want a duration such as 7d or 36h, a date such as 2026-11-01, or an RFC 3339 time")
}
