package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"time"
)

// Sender delivers a built message. The orchestration codes against it so its
// tests can use a fake.
type Sender interface {
	Send(ctx context.Context, from string, to []string, raw []byte) error
}

// Values of SMTPConfig.Security.
const (
	SecurityStartTLS = "starttls" // plain connection upgraded with STARTTLS (required)
	SecurityTLS      = "tls"      // implicit TLS from the first byte
	SecurityNone     = "none"     // no TLS: only sensible on localhost
)

// DefaultTimeout bounds dial plus the SMTP session up to the end of the
// message data.
const DefaultTimeout = 30 * time.Second

// DefaultDataTimeout is how long the reply to the end of DATA is waited
// for: the server is checking (or queueing) the message, and RFC 5321
// §4.5.3.2.6 asks clients to wait 10 minutes rather than give up on a
// message it may be about to accept.
const DefaultDataTimeout = 10 * time.Minute

// ErrMaybeDelivered marks a failure after the whole message was sent and
// before the server's reply: a timeout or a lost connection at the end of
// DATA. The server may have accepted the message, so it must not be sent
// again automatically (it would arrive twice).
var ErrMaybeDelivered = errors.New("the server may have accepted the message")

// ErrMessageRejected marks a permanent (5xx) reply to the message itself:
// to MAIL FROM, a RCPT TO, DATA or the end of DATA. Sending the same
// message again fails the same way. (A 5xx to AUTH is permanent too, but
// about the account, not the message: it is not marked.)
var ErrMessageRejected = errors.New("the server refused the message")

// rejection marks err as ErrMessageRejected without changing its text.
type rejection struct{ error }

func (r rejection) Unwrap() error      { return r.error }
func (rejection) Is(target error) bool { return target == ErrMessageRejected }

// SMTPConfig says where and how to deliver.
type SMTPConfig struct {
	Host string
	// Port defaults to 587 for starttls, 465 for tls, 25 for none.
	Port int
	// Security is "starttls" (default), "tls" or "none".
	Security string
	// Username empty: no AUTH. Otherwise AUTH PLAIN, which net/smtp only
	// does over TLS or to localhost.
	Username string
	// Password is never logged nor put in errors (see String, LogValue).
	Password string
	// Timeout bounds dial plus the session up to the end of the message
	// data; default DefaultTimeout.
	Timeout time.Duration
	// DataTimeout bounds the wait for the reply to the end of DATA;
	// default DefaultDataTimeout.
	DataTimeout time.Duration
	// TLSConfig is optional; its ServerName defaults to Host.
	TLSConfig *tls.Config
	// LocalName is the name sent with EHLO; default "localhost".
	LocalName string
}

// Validate reports a configuration Send cannot use.
func (c SMTPConfig) Validate() error {
	if c.Host == "" {
		return errors.New("smtp: no host")
	}
	switch c.Security {
	case "", SecurityStartTLS, SecurityTLS, SecurityNone:
	default:
		return fmt.Errorf("smtp: security %q: want starttls, tls or none", c.Security)
	}
	if c.Port < 0 || c.Port > 65535 {
		return fmt.Errorf("smtp: port %d out of range", c.Port)
	}
	if c.Timeout < 0 || c.DataTimeout < 0 {
		return fmt.Errorf("smtp: negative timeout %s/%s", c.Timeout, c.DataTimeout)
	}
	return nil
}

// String describes c without the password, so printing a config by mistake
// leaks nothing.
func (c SMTPConfig) String() string {
	pw := ""
	if c.Password != "" {
		pw = "[redacted]"
	}
	return fmt.Sprintf("smtp{host=%s port=%d security=%s username=%q password=%s timeout=%s data_timeout=%s}",
		c.Host, c.Port, c.Security, c.Username, pw, c.Timeout, c.DataTimeout)
}

// LogValue keeps the password out of slog output.
func (c SMTPConfig) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("host", c.Host),
		slog.Int("port", c.Port),
		slog.String("security", c.Security),
		slog.String("username", c.Username),
		slog.Duration("timeout", c.Timeout),
		slog.Duration("data_timeout", c.DataTimeout),
	)
}

// SMTP delivers messages to one SMTP server (a submission server, typically),
// one connection per Send. It is safe for concurrent use.
type SMTP struct {
	cfg SMTPConfig
}

var _ Sender = (*SMTP)(nil)

// NewSMTP applies cfg's defaults. An invalid cfg (see Validate) makes every
// Send fail.
func NewSMTP(cfg SMTPConfig) *SMTP {
	if cfg.Security == "" {
		cfg.Security = SecurityStartTLS
	}
	if cfg.Port == 0 {
		switch cfg.Security {
		case SecurityTLS:
			cfg.Port = 465
		case SecurityNone:
			cfg.Port = 25
		default:
			cfg.Port = 587
		}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.DataTimeout == 0 {
		cfg.DataTimeout = DefaultDataTimeout
	}
	if cfg.LocalName == "" {
		cfg.LocalName = "localhost"
	}
	return &SMTP{cfg: cfg}
}

// String describes the sender without the password.
func (s *SMTP) String() string { return s.cfg.String() }

// Addr is the host:port Send connects to.
func (s *SMTP) Addr() string {
	return net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
}

// Send delivers raw to every address of to, with the address part of from as
// the envelope sender. It returns nil only when the server answered 250 to
// the end of DATA. A rejected recipient aborts the whole transaction, so a
// retry never delivers twice to the others.
//
// Errors read "smtp HOST:PORT: STEP: cause"; IsPermanent tells a 5xx
// rejection from a temporary failure, and errors.Is(err, ErrMaybeDelivered)
// a failure after the whole message was sent (do not resend). When ctx ends
// first, the cause is ctx's (errors.Is(err, context.Canceled) holds after a
// cancellation).
func (s *SMTP) Send(ctx context.Context, from string, to []string, raw []byte) error {
	addr := s.Addr()
	if err := s.cfg.Validate(); err != nil {
		return fmt.Errorf("smtp %s: %w", addr, err)
	}
	envFrom, rcpts, err := envelope(from, to)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", addr, err)
	}
	if len(raw) == 0 {
		return fmt.Errorf("smtp %s: empty message", addr)
	}

	step, err := s.deliver(ctx, addr, envFrom, rcpts, raw)
	if err == nil {
		return nil
	}
	// A reply from the server is the real story even if ctx ended since;
	// otherwise a closed connection is only the symptom of ctx ending.
	var reply *textproto.Error
	if errors.As(err, &reply) {
		err = fmt.Errorf("smtp %s: %s: %w", addr, step, err)
		if IsPermanent(err) && messageStep(step) {
			return rejection{err}
		}
		return err
	}
	switch {
	case ctx.Err() != nil:
		err = context.Cause(ctx)
	case errors.Is(err, os.ErrDeadlineExceeded) && step == stepEndOfData:
		err = fmt.Errorf("no reply within %s: %w", s.cfg.DataTimeout, context.DeadlineExceeded)
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = fmt.Errorf("session timeout %s: %w", s.cfg.Timeout, context.DeadlineExceeded)
	}
	if step == stepEndOfData {
		return fmt.Errorf("smtp %s: %s: %w; %w", addr, step, err, ErrMaybeDelivered)
	}
	return fmt.Errorf("smtp %s: %s: %w", addr, step, err)
}

// stepEndOfData is the step after which the server may hold the message.
const stepEndOfData = "end of DATA"

// messageStep reports whether step is part of the mail transaction, whose
// replies are about the message and its recipients.
func messageStep(step string) bool {
	return step == stepEndOfData || step == "DATA" || strings.HasPrefix(step, "MAIL FROM") || strings.HasPrefix(step, "RCPT TO")
}

// deliver runs one SMTP session and names the step that failed.
func (s *SMTP) deliver(ctx context.Context, addr, from string, rcpts []string, raw []byte) (step string, err error) {
	// The connection's deadline bounds the session even if nobody
	// cancels: Timeout up to the end of the data, then DataTimeout.
	deadline := time.Now().Add(s.cfg.Timeout)
	d := net.Dialer{Deadline: deadline}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
			err = os.ErrDeadlineExceeded
		}
		return "dial", err
	}
	defer conn.Close()
	// Closing the connection is what unblocks a read or write when ctx ends.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := conn.SetDeadline(deadline); err != nil {
		return "dial", err
	}

	tlsCfg := s.tlsConfig()
	if s.cfg.Security == SecurityTLS {
		tc := tls.Client(conn, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return "TLS handshake", err
		}
		conn = tc
	}

	// The host given here is the one PlainAuth checks against, and whose
	// localhost-ness allows AUTH without TLS.
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return "greeting", err
	}
	defer c.Close()
	defer func() {
		// Say goodbye after a rejection: the server is still talking to us.
		var reply *textproto.Error
		if errors.As(err, &reply) {
			_ = c.Quit()
		}
	}()

	if err := c.Hello(s.cfg.LocalName); err != nil {
		return "EHLO", err
	}
	if s.cfg.Security == SecurityStartTLS {
		// Never fall back to plain text when the server does not offer it.
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return "STARTTLS", errors.New("server does not offer STARTTLS")
		}
		if err := c.StartTLS(tlsCfg); err != nil {
			return "STARTTLS", err
		}
	}
	if s.cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return "auth", errors.New("server does not offer AUTH")
		}
		// Errors here carry the server's reply or net/smtp's refusal, never
		// the credentials.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return "auth", err
		}
	}
	if err := c.Mail(from); err != nil {
		return "MAIL FROM <" + from + ">", err
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r); err != nil {
			return "RCPT TO <" + r + ">", err
		}
	}
	w, err := c.Data()
	if err != nil {
		return "DATA", err
	}
	if _, err := w.Write(raw); err != nil {
		return "DATA", err
	}
	// Close sends the terminator and reads the reply: from here the server
	// may be accepting the message, and gets DataTimeout to say so.
	if err := conn.SetDeadline(time.Now().Add(s.cfg.DataTimeout)); err != nil {
		return "DATA", err
	}
	if err := w.Close(); err != nil {
		return stepEndOfData, err
	}
	// Accepted: a failing QUIT must not turn this into an error, or the
	// retry would deliver the message twice.
	_ = c.Quit()
	return "", nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (s *SMTP) tlsConfig() *tls.Config {
	var cfg *tls.Config
	if s.cfg.TLSConfig != nil {
		cfg = s.cfg.TLSConfig.Clone()
	} else {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = s.cfg.Host
	}
	return cfg
}

// envelope reduces from and to to bare addresses ("Name <a@b>" -> "a@b").
func envelope(from string, to []string) (string, []string, error) {
	f, err := mail.ParseAddress(from)
	if err != nil {
		return "", nil, fmt.Errorf("envelope from %q: %w", from, err)
	}
	if len(to) == 0 {
		return "", nil, errors.New("no recipients")
	}
	rcpts := make([]string, 0, len(to))
	for _, t := range to {
		a, err := mail.ParseAddress(t)
		if err != nil {
			return "", nil, fmt.Errorf("recipient %q: %w", t, err)
		}
		rcpts = append(rcpts, a.Address)
	}
	return f.Address, rcpts, nil
}

// IsPermanent reports whether err is a permanent rejection: an SMTP 5xx reply
// somewhere in its chain. Sending the same message again will fail the same
// way. Everything else (4xx replies, network errors, timeouts, cancellation)
// is worth retrying.
func IsPermanent(err error) bool {
	var reply *textproto.Error
	return errors.As(err, &reply) && reply.Code >= 500 && reply.Code <= 599
}

// ReplyCode returns the SMTP reply code in err's chain, or 0 if the server
// gave none (network error, timeout, refusal by the client).
func ReplyCode(err error) int {
	var reply *textproto.Error
	if errors.As(err, &reply) {
		return reply.Code
	}
	return 0
}
