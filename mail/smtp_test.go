package mail

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// envelopeRecord is one message the test server accepted.
type envelopeRecord struct {
	from string
	to   []string
	data []byte
	user string // authenticated user, "" without AUTH
	tls  bool
}

// backend is an in-process SMTP server's backend that records what it
// accepts and can be told to reject or stall.
type backend struct {
	user, pass string           // non-empty: AUTH PLAIN required with these
	rejectRcpt map[string]error // recipient -> RCPT reply
	dataErr    error            // reply at the end of DATA
	stall      chan struct{}    // non-nil: DATA waits for it to close
	stalled    chan struct{}    // closed once DATA is waiting on stall

	mu       sync.Mutex // guards the fields below
	accepted []envelopeRecord
	seen     map[string]bool // commands reached, for asserting aborts
}

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	_, isTLS := c.TLSConnectionState()
	return &session{b: b, tls: isTLS}, nil
}

func (b *backend) records() []envelopeRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.accepted)
}

func (b *backend) reached(cmd string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seen[cmd]
}

func (b *backend) mark(cmd string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen == nil {
		b.seen = map[string]bool{}
	}
	b.seen[cmd] = true
}

type session struct {
	b    *backend
	tls  bool
	user string
	from string
	to   []string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.b.user || password != s.b.pass || s.b.user == "" {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.b.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := s.b.rejectRcpt[to]; err != nil {
		return err
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	s.b.mark("DATA")
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.b.stall != nil {
		close(s.b.stalled)
		<-s.b.stall
	}
	if s.b.dataErr != nil {
		return s.b.dataErr
	}
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.accepted = append(s.b.accepted, envelopeRecord{from: s.from, to: s.to, data: data, user: s.user, tls: s.tls})
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

type serverMode int

const (
	plainServer    serverMode = iota // no TLS at all
	plainAuth                        // no TLS, AUTH allowed anyway
	startTLSServer                   // offers STARTTLS
	implicitTLS                      // TLS from the first byte
)

// startServer runs a go-smtp server for be on 127.0.0.1 and returns its port.
func startServer(t *testing.T, be *backend, mode serverMode, cert tls.Certificate) int {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ErrorLog = discardLogger{}
	var l net.Listener
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case plainAuth:
		srv.AllowInsecureAuth = true
	case startTLSServer:
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	case implicitTLS:
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{cert}})
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return l.Addr().(*net.TCPAddr).Port
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

// selfSigned makes a certificate for 127.0.0.1 and a client config trusting
// only it.
func selfSigned(t *testing.T) (tls.Certificate, *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "netdigest test SMTP"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		&tls.Config{RootCAs: pool}
}

func builtDigest(t *testing.T) []byte {
	t.Helper()
	raw, err := Build(digestMessage())
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

const (
	testFrom = "netdigest <digest@example.org>"
	testUser = "digest-sender"
	testPass = "s3cret-Pa55word!"
)

var testTo = []string{"alice@example.org", "Bob <bob@example.net>"}

func TestSMTPDelivery(t *testing.T) {
	cert, clientTLS := selfSigned(t)
	raw := builtDigest(t)
	tests := []struct {
		name     string
		mode     serverMode
		security string
		auth     bool
		wantTLS  bool
	}{
		{"plain", plainServer, SecurityNone, false, false},
		{"plain with AUTH to localhost", plainAuth, SecurityNone, true, false},
		{"STARTTLS with AUTH PLAIN", startTLSServer, SecurityStartTLS, true, true},
		{"implicit TLS with AUTH PLAIN", implicitTLS, SecurityTLS, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			be := &backend{}
			if tt.auth {
				be.user, be.pass = testUser, testPass
			}
			port := startServer(t, be, tt.mode, cert)
			cfg := SMTPConfig{Host: "127.0.0.1", Port: port, Security: tt.security, TLSConfig: clientTLS}
			if tt.auth {
				cfg.Username, cfg.Password = testUser, testPass
			}
			if err := NewSMTP(cfg).Send(context.Background(), testFrom, testTo, raw); err != nil {
				t.Fatalf("Send: %v", err)
			}
			recs := be.records()
			if len(recs) != 1 {
				t.Fatalf("server accepted %d messages, want 1", len(recs))
			}
			got := recs[0]
			if got.from != "digest@example.org" {
				t.Errorf("MAIL FROM = %q, want digest@example.org", got.from)
			}
			if want := []string{"alice@example.org", "bob@example.net"}; !slices.Equal(got.to, want) {
				t.Errorf("RCPT TO = %q, want %q", got.to, want)
			}
			if !bytes.Equal(got.data, raw) {
				t.Errorf("server received different bytes:\n%s", got.data)
			}
			if wantUser := map[bool]string{true: testUser}[tt.auth]; got.user != wantUser {
				t.Errorf("authenticated as %q, want %q", got.user, wantUser)
			}
			if got.tls != tt.wantTLS {
				t.Errorf("TLS = %v, want %v", got.tls, tt.wantTLS)
			}
		})
	}
}

func TestSMTPFailures(t *testing.T) {
	cert, clientTLS := selfSigned(t)
	raw := builtDigest(t)

	closedPort := func(t *testing.T) int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		return port
	}

	tests := []struct {
		name      string
		be        *backend
		mode      serverMode
		cfg       func(port int) SMTPConfig
		port      func(t *testing.T) int // instead of a server
		wantIn    []string               // substrings of the error text
		permanent bool
		rejected  bool // the message itself was refused (not the account)
		code      int
		noData    bool // the server must not have seen DATA
	}{
		{
			name: "auth failure",
			be:   &backend{user: testUser, pass: "the-right-one"},
			mode: startTLSServer,
			cfg: func(port int) SMTPConfig {
				return SMTPConfig{Host: "127.0.0.1", Port: port, Username: testUser, Password: testPass, TLSConfig: clientTLS}
			},
			wantIn:    []string{"auth: 535"},
			permanent: true,
			code:      535,
			noData:    true,
		},
		{
			name: "recipient rejected",
			be: &backend{rejectRcpt: map[string]error{"bob@example.net": &smtp.SMTPError{
				Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}}},
			mode:      plainServer,
			cfg:       func(port int) SMTPConfig { return SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecurityNone} },
			wantIn:    []string{"RCPT TO <bob@example.net>: 550", "no such user"},
			permanent: true,
			rejected:  true,
			code:      550,
			noData:    true,
		},
		{
			name: "message refused at end of DATA",
			be: &backend{dataErr: &smtp.SMTPError{
				Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "message size exceeds fixed limit"}},
			mode:      plainServer,
			cfg:       func(port int) SMTPConfig { return SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecurityNone} },
			wantIn:    []string{"end of DATA: 552", "message size exceeds fixed limit"},
			permanent: true,
			rejected:  true,
			code:      552,
		},
		{
			name: "temporary failure at end of DATA",
			be: &backend{dataErr: &smtp.SMTPError{
				Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}},
			mode:   plainServer,
			cfg:    func(port int) SMTPConfig { return SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecurityNone} },
			wantIn: []string{"end of DATA: 451", "try again later"},
			code:   451,
		},
		{
			name:   "server down",
			port:   closedPort,
			cfg:    func(port int) SMTPConfig { return SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecurityNone} },
			wantIn: []string{"dial:", "connection refused"},
		},
		{
			name:   "STARTTLS required but not offered",
			be:     &backend{},
			mode:   plainServer,
			cfg:    func(port int) SMTPConfig { return SMTPConfig{Host: "127.0.0.1", Port: port, TLSConfig: clientTLS} },
			wantIn: []string{"STARTTLS: server does not offer STARTTLS"},
			noData: true,
		},
		{
			name:   "untrusted certificate",
			be:     &backend{},
			mode:   startTLSServer,
			cfg:    func(port int) SMTPConfig { return SMTPConfig{Host: "127.0.0.1", Port: port} },
			wantIn: []string{"STARTTLS:", "certificate"},
			noData: true,
		},
		{
			name: "certificate for another name",
			be:   &backend{},
			mode: implicitTLS,
			cfg: func(port int) SMTPConfig {
				c := clientTLS.Clone()
				c.ServerName = "mail.example.org"
				return SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecurityTLS, TLSConfig: c}
			},
			wantIn: []string{"TLS handshake:", "mail.example.org"},
			noData: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var port int
			if tt.port != nil {
				port = tt.port(t)
			} else {
				port = startServer(t, tt.be, tt.mode, cert)
			}
			err := NewSMTP(tt.cfg(port)).Send(context.Background(), testFrom, testTo, raw)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			msg := err.Error()
			if prefix := "smtp 127.0.0.1:" + strconv.Itoa(port) + ": "; !strings.HasPrefix(msg, prefix) {
				t.Errorf("error %q does not start with %q", msg, prefix)
			}
			for _, want := range tt.wantIn {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, testPass) {
				t.Errorf("error %q leaks the password", msg)
			}
			if IsPermanent(err) != tt.permanent {
				t.Errorf("IsPermanent(%q) = %v, want %v", msg, IsPermanent(err), tt.permanent)
			}
			if errors.Is(err, ErrMessageRejected) != tt.rejected {
				t.Errorf("errors.Is(%q, ErrMessageRejected) = %v, want %v", msg, !tt.rejected, tt.rejected)
			}
			if errors.Is(err, ErrMaybeDelivered) {
				t.Errorf("%q is marked ErrMaybeDelivered: the server answered, or the message was never complete", msg)
			}
			if ReplyCode(err) != tt.code {
				t.Errorf("ReplyCode(%q) = %d, want %d", msg, ReplyCode(err), tt.code)
			}
			if tt.be != nil {
				if n := len(tt.be.records()); n != 0 {
					t.Errorf("server accepted %d messages", n)
				}
				if tt.noData && tt.be.reached("DATA") {
					t.Error("client went on to DATA after the failure")
				}
			}
		})
	}
}

// TestSMTPContextCancel cancels while the server holds the end-of-DATA reply:
// Send must give up with ctx's error, not wait for the server.
func TestSMTPContextCancel(t *testing.T) {
	be := &backend{stall: make(chan struct{}), stalled: make(chan struct{})}
	port := startServer(t, be, plainServer, tls.Certificate{})
	// Registered after startServer, so it runs first: the server's Close
	// must not wait on a stalled session.
	t.Cleanup(func() { close(be.stall) })

	raw := builtDigest(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		// An hour: only the cancellation can end this Send.
		errc <- NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecurityNone, Timeout: time.Hour}).
			Send(ctx, testFrom, testTo, raw)
	}()
	select {
	case <-be.stalled:
	case err := <-errc:
		t.Fatalf("Send returned before the server stalled: %v", err)
	}
	cancel()
	err := <-errc
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !strings.Contains(err.Error(), "end of DATA: context canceled") {
		t.Errorf("error %q does not name the step", err)
	}
	if IsPermanent(err) {
		t.Error("a cancelled send is permanent")
	}
	if !errors.Is(err, ErrMaybeDelivered) {
		t.Error("cancelled after the whole message was sent, yet not marked ErrMaybeDelivered")
	}
}

// TestSMTPDataReplyTimeout: the server holds its reply to the end of DATA
// past DataTimeout. It may have accepted the message, so the error says so
// (ErrMaybeDelivered) and is not a plain temporary failure. (Before issue
// #11 this was the session timeout, and a retry would send it again.) A
// short DataTimeout is a bound here, not a timing assertion.
func TestSMTPDataReplyTimeout(t *testing.T) {
	be := &backend{stall: make(chan struct{}), stalled: make(chan struct{})}
	port := startServer(t, be, plainServer, tls.Certificate{})
	t.Cleanup(func() { close(be.stall) })
	err := NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: port, Security: SecurityNone, Timeout: time.Hour, DataTimeout: 200 * time.Millisecond}).
		Send(context.Background(), testFrom, testTo, builtDigest(t))
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrMaybeDelivered) {
		t.Fatalf("err = %v, want a deadline error marked ErrMaybeDelivered", err)
	}
	if !strings.Contains(err.Error(), "end of DATA: no reply within 200ms") || IsPermanent(err) {
		t.Errorf("err = %q, IsPermanent %v", err, IsPermanent(err))
	}
}

// TestSMTPSessionTimeout: a server that never greets is bounded by Timeout,
// and nothing was sent, so the failure is an ordinary temporary one.
func TestSMTPSessionTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() }) // silent until the test ends
		}
	}()
	err = NewSMTP(SMTPConfig{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Security: SecurityNone, Timeout: 200 * time.Millisecond}).
		Send(context.Background(), testFrom, testTo, builtDigest(t))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrMaybeDelivered) {
		t.Fatalf("err = %v, want a deadline error, not ErrMaybeDelivered", err)
	}
	if !strings.Contains(err.Error(), "greeting: session timeout 200ms") || IsPermanent(err) {
		t.Errorf("err = %q, IsPermanent %v", err, IsPermanent(err))
	}
}

func TestSMTPInvalidInput(t *testing.T) {
	raw := builtDigest(t)
	tests := []struct {
		name string
		cfg  SMTPConfig
		from string
		to   []string
		raw  []byte
		want string
	}{
		{"no host", SMTPConfig{}, testFrom, testTo, raw, "no host"},
		{"bad security", SMTPConfig{Host: "127.0.0.1", Security: "ssl"}, testFrom, testTo, raw, `security "ssl"`},
		{"bad from", SMTPConfig{Host: "127.0.0.1"}, "nobody", testTo, raw, "envelope from"},
		{"no recipients", SMTPConfig{Host: "127.0.0.1"}, testFrom, nil, raw, "no recipients"},
		{"recipient injection", SMTPConfig{Host: "127.0.0.1"}, testFrom, []string{"a@example.org\r\nDATA"}, raw, "recipient"},
		{"empty message", SMTPConfig{Host: "127.0.0.1"}, testFrom, testTo, nil, "empty message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// No server: these must fail before dialling anything.
			err := NewSMTP(tt.cfg).Send(context.Background(), tt.from, tt.to, tt.raw)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestSMTPDefaults(t *testing.T) {
	for _, tt := range []struct {
		security string
		want     string
	}{
		{"", "mail.example.org:587"},
		{SecurityStartTLS, "mail.example.org:587"},
		{SecurityTLS, "mail.example.org:465"},
		{SecurityNone, "mail.example.org:25"},
	} {
		if got := NewSMTP(SMTPConfig{Host: "mail.example.org", Security: tt.security}).Addr(); got != tt.want {
			t.Errorf("security %q: Addr = %q, want %q", tt.security, got, tt.want)
		}
	}
	s := NewSMTP(SMTPConfig{Host: "mail.example.org"})
	if s.cfg.Security != SecurityStartTLS || s.cfg.Timeout != DefaultTimeout || s.cfg.LocalName != "localhost" {
		t.Errorf("defaults = %+v", s.cfg)
	}
}

func TestSMTPConfigHidesPassword(t *testing.T) {
	cfg := SMTPConfig{Host: "mail.example.org", Username: testUser, Password: testPass}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("config", "smtp", cfg)
	for name, s := range map[string]string{
		"%v":     fmt.Sprintf("%v", cfg),
		"%+v":    fmt.Sprintf("%+v", cfg),
		"%s ptr": fmt.Sprintf("%s", NewSMTP(cfg)),
		"slog":   logged.String(),
	} {
		if strings.Contains(s, testPass) {
			t.Errorf("%s leaks the password: %s", name, s)
		}
		if !strings.Contains(s, testUser) {
			t.Errorf("%s lost the username: %s", name, s)
		}
	}
}
