package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/netdigest/netdigest/store"
)

// smtpServer is an in-process SMTP server on 127.0.0.1 that records the
// messages it accepts and can be told to refuse them.
type smtpServer struct {
	addr     string
	user     string
	password string

	mu       sync.Mutex
	refuse   error // reply at the end of DATA while set
	accepted [][]byte
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	s := &smtpServer{user: "digest", password: "s3cret-pw"}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return s
}

func (s *smtpServer) setRefuse(err error) { s.mu.Lock(); s.refuse = err; s.mu.Unlock() }

func (s *smtpServer) messages() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.accepted...)
}

func (s *smtpServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &smtpSession{srv: s}, nil }

type smtpSession struct {
	srv    *smtpServer
	authed bool
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.srv.user || pass != s.srv.password {
			return smtp.ErrAuthFailed
		}
		s.authed = true
		return nil
	}), nil
}
func (s *smtpSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}
func (s *smtpSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.refuse != nil {
		return s.srv.refuse
	}
	s.srv.accepted = append(s.srv.accepted, b)
	return nil
}
func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }

// mailConfig is the offline example with a mail: section for srv.
func mailConfig(t *testing.T, srv *smtpServer) (cfg, dir string) {
	t.Helper()
	cfg, dir = offlineConfig(t)
	host, port, _ := net.SplitHostPort(srv.addr)
	data, _ := os.ReadFile(cfg)
	data = append(data, fmt.Sprintf(`mail:
  host: %s
  port: %s
  security: none
  username: digest
  password_env: NETDIGEST_TEST_SMTP_PASSWORD
  from: "netdigest <digest@news.example.org>"
  to: [alice@example.org, "Bob <bob@example.org>"]
digest:
  unsubscribe: mailto:owner@news.example.org?subject=unsubscribe
`, host, port)...)
	if err := os.WriteFile(cfg, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETDIGEST_TEST_SMTP_PASSWORD", srv.password)
	return cfg, dir
}

// TestDigestGolden: the offline example's digest, as written when no mail
// server is configured, against golden files.
func TestDigestGolden(t *testing.T) {
	cfg, dir := offlineConfig(t)
	if r := runCmd(t, fixedNow, "run", "-config", cfg); r.code != exitOK {
		t.Fatalf("run: exit %d\n%s", r.code, r.stderr)
	}
	base := filepath.Join(dir, "out", "digests", "digest-"+fixedNow.Format("20060102T150405Z"))
	for _, ext := range []string{".html", ".txt"} {
		got, err := os.ReadFile(base + ext)
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "testdata/offline-digest"+ext, portable(t, got))
	}
	eml, err := os.ReadFile(base + ".eml")
	if err != nil {
		t.Fatal(err)
	}
	if m := parseMessage(t, eml); !strings.HasPrefix(m.subject, "netdigest: 128 new entries") {
		t.Errorf("subject = %q", m.subject)
	}
}

type parsedMessage struct {
	header     mail.Header
	subject    string
	text, html string
}

// parseMessage reads a digest as a mail client would.
func parseMessage(t *testing.T, raw []byte) parsedMessage {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var p parsedMessage
	p.header = msg.Header
	if p.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var order []string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		// multipart.Reader already undoes the quoted-printable encoding.
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		order = append(order, ct)
		switch ct {
		case "text/plain":
			p.text = string(body)
		case "text/html":
			p.html = string(body)
		}
	}
	if strings.Join(order, ",") != "text/plain,text/html" {
		t.Errorf("parts %v, want text/plain then text/html", order)
	}
	return p
}

func TestDigestSendOverSMTP(t *testing.T) {
	srv := startSMTP(t)
	cfg, _ := mailConfig(t, srv)
	if r := runCmd(t, fixedNow, "fetch", "-all", "-config", cfg); r.code != exitOK {
		t.Fatalf("fetch: %d %s", r.code, r.stderr)
	}
	r := runCmd(t, fixedNow, "digest", "-send", "-config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "sent to alice@example.org") {
		t.Fatalf("digest -send: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("server accepted %d messages, want 1", len(msgs))
	}
	m := parseMessage(t, msgs[0])
	for _, h := range []string{"Date", "From", "To", "Message-Id", "List-Id", "List-Unsubscribe"} {
		if m.header.Get(h) == "" {
			t.Errorf("header %s missing", h)
		}
	}
	if !strings.Contains(m.header.Get("List-Unsubscribe"), "mailto:owner@news.example.org") {
		t.Errorf("List-Unsubscribe = %q", m.header.Get("List-Unsubscribe"))
	}
	// Every entry is in the text part (the HTML part is capped in size).
	st, err := store.Open(context.Background(), filepath.Join(filepath.Dir(cfg), "out", "netdigest.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := st.Latest(context.Background(), 1000)
	st.Close()
	if len(entries) != 128 {
		t.Fatalf("%d entries stored", len(entries))
	}
	flat := strings.Join(strings.Fields(m.text), " ")
	for _, e := range entries {
		if !strings.Contains(flat, strings.Join(strings.Fields(e.Title), " ")) {
			t.Errorf("entry %q missing from the text part", e.Title)
		}
	}

	// A second run right after sends nothing new.
	r = runCmd(t, fixedNow.Add(time.Minute), "digest", "-send", "-config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "nothing new") || len(srv.messages()) != 1 {
		t.Errorf("second run: exit %d, %d messages\n%s", r.code, len(srv.messages()), r.stdout)
	}
}

// TestDigestFailuresRetried: a refused or failed delivery is reported,
// nothing is marked sent, and the next run delivers the same message.
func TestDigestFailuresRetried(t *testing.T) {
	srv := startSMTP(t)
	cfg, _ := mailConfig(t, srv)
	runCmd(t, fixedNow, "fetch", "-all", "-config", cfg)

	srv.setRefuse(&smtp.SMTPError{Code: 451, Message: "try again later"})
	r := runCmd(t, fixedNow, "digest", "-send", "-config", cfg)
	if r.code != exitPartial || !strings.Contains(r.stderr, "451") || !strings.Contains(r.stderr, "retried on the next run") {
		t.Fatalf("refused: exit %d\n%s", r.code, r.stderr)
	}

	t.Setenv("NETDIGEST_TEST_SMTP_PASSWORD", "wrong-password")
	srv.setRefuse(nil)
	r = runCmd(t, fixedNow.Add(time.Hour), "digest", "-send", "-config", cfg)
	if r.code != exitPartial || !strings.Contains(r.stderr, "auth") || strings.Contains(r.stderr+r.stdout, "wrong-password") {
		t.Fatalf("auth failure: exit %d\n%s", r.code, r.stderr)
	}
	t.Setenv("NETDIGEST_TEST_SMTP_PASSWORD", "")
	if r = runCmd(t, fixedNow, "digest", "-send", "-config", cfg); r.code != exitUsage || !strings.Contains(r.stderr, "NETDIGEST_TEST_SMTP_PASSWORD is not set") {
		t.Errorf("missing password: exit %d\n%s", r.code, r.stderr)
	}
	t.Setenv("NETDIGEST_TEST_SMTP_PASSWORD", srv.password)

	r = runCmd(t, fixedNow.Add(2*time.Hour), "digest", "-send", "-config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "delivery attempt 3") {
		t.Fatalf("retry: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages accepted, want 1", len(msgs))
	}
	// The retried message is the one prepared at the first attempt.
	if got := parseMessage(t, msgs[0]).header.Get("Date"); !strings.Contains(got, "23 Nov 2026 12:00:00") {
		t.Errorf("Date = %q: not the message prepared on the first attempt", got)
	}
}

// TestDigestCrashes simulates dying between the steps of a delivery by
// writing the log as a crashed process would have left it.
func TestDigestCrashes(t *testing.T) {
	srv := startSMTP(t)
	cfg, dir := mailConfig(t, srv)
	runCmd(t, fixedNow, "fetch", "-all", "-config", cfg)
	dbPath := filepath.Join(dir, "out", "netdigest.db")

	prepareOnly := func(id string, sending bool) {
		st, err := store.Open(context.Background(), dbPath, func() time.Time { return fixedNow })
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		d := &store.Digest{ID: id, PeriodEnd: fixedNow, Created: fixedNow, MessageID: id + "@news.example.org",
			Subject: "crashed " + id, Message: []byte("Subject: crashed " + id + "\r\n\r\nbody\r\n")}
		if err := st.PrepareDigest(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		if sending {
			if err := st.MarkSending(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Died after preparing, before sending: the next run sends it.
	prepareOnly("crash1", false)
	r := runCmd(t, fixedNow, "digest", "-send", "-config", cfg)
	if r.code != exitOK || len(srv.messages()) != 1 || !strings.Contains(string(srv.messages()[0]), "crashed crash1") {
		t.Fatalf("after a crash before sending: exit %d, %d messages\n%s%s", r.code, len(srv.messages()), r.stdout, r.stderr)
	}

	// Died during the SMTP conversation: it may have been accepted, so it
	// is not resent without -force, and the Message-ID is named.
	prepareOnly("crash2", true)
	r = runCmd(t, fixedNow, "digest", "-send", "-config", cfg)
	if r.code != exitPartial || !strings.Contains(r.stderr, "crash2@news.example.org") || !strings.Contains(r.stderr, "-force") {
		t.Fatalf("in doubt: exit %d\n%s", r.code, r.stderr)
	}
	if len(srv.messages()) != 1 {
		t.Fatalf("an in-doubt digest was resent without -force")
	}
	r = runCmd(t, fixedNow, "digest", "-send", "-force", "-config", cfg)
	if r.code != exitOK || len(srv.messages()) != 2 {
		t.Fatalf("-force: exit %d, %d messages\n%s", r.code, len(srv.messages()), r.stderr)
	}
	// Then the entries themselves, which no digest has carried yet.
	r = runCmd(t, fixedNow, "digest", "-send", "-config", cfg)
	if r.code != exitOK || len(srv.messages()) != 3 || !strings.Contains(r.stdout, "128 entries") {
		t.Errorf("the real digest: exit %d, %d messages\n%s", r.code, len(srv.messages()), r.stdout)
	}
}

func TestDigestDryRunAndSince(t *testing.T) {
	cfg, dir := offlineConfig(t)
	runCmd(t, fixedNow, "fetch", "-all", "-config", cfg)
	r := runCmd(t, fixedNow, "digest", "-dry-run", "-html", filepath.Join(dir, "look.html"), "-config", cfg)
	if r.code != exitOK || !strings.Contains(r.stdout, "dry run: netdigest: 128 new entries") || !strings.Contains(r.stdout, "nothing was recorded") {
		t.Fatalf("dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "look.html")); err != nil || !bytes.Contains(b, []byte("<html")) {
		t.Errorf("-html with -dry-run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "digests")); !os.IsNotExist(err) {
		t.Error("a dry run wrote digest files")
	}
	// The first real digest takes everything; -since takes it again.
	eml := filepath.Join(dir, "copy.eml")
	if r = runCmd(t, fixedNow, "digest", "-o", eml, "-config", cfg); r.code != exitOK {
		t.Fatalf("digest: %d %s", r.code, r.stderr)
	}
	if b, err := os.ReadFile(eml); err != nil || !bytes.Contains(b, []byte("Message-ID: <digest-")) {
		t.Errorf("-o: %v", err)
	}
	if r = runCmd(t, fixedNow.Add(time.Minute), "digest", "-config", cfg); !strings.Contains(r.stdout, "nothing new") {
		t.Errorf("after the digest: %s", r.stdout)
	}
	if r = runCmd(t, fixedNow.Add(2*time.Minute), "digest", "-since", "1d", "-config", cfg); r.code != exitOK || !strings.Contains(r.stdout, "128 entries") {
		t.Errorf("-since 1d: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r = runCmd(t, fixedNow, "digest", "-since", "yesterday-ish", "-config", cfg); r.code != exitUsage {
		t.Errorf("bad -since: exit %d", r.code)
	}
}
