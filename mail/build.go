// Package mail builds the digest email (an RFC 5322 multipart/alternative
// message) and delivers built messages over SMTP.
//
// Build is deterministic: the same Message always gives the same bytes, so the
// orchestration can store them and retry a failed delivery with the very same
// message and Message-ID.
package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrInvalidMessage is wrapped by every error Build returns: the Message
// itself is wrong, so building it again cannot succeed.
var ErrInvalidMessage = errors.New("invalid message")

// Message is one digest email.
type Message struct {
	// From is one address, e.g. "netdigest <digest@example.org>".
	From string
	// To holds at least one address.
	To []string
	// Subject is UTF-8; it is Q-encoded where it is not plain ASCII.
	Subject string
	// Date is required (Build never reads the clock).
	Date time.Time
	// MessageID is required, without angle brackets:
	// "digest-2026-11-19.3f2a@netdigest.example".
	MessageID string
	// ListID, e.g. "netdigest <netdigest.example.org>", gives the List-Id
	// header (RFC 2919); empty: none.
	ListID string
	// ListUnsubscribe is an http(s) or mailto: URL for List-Unsubscribe
	// (RFC 2369); an https URL also gets List-Unsubscribe-Post (RFC 8058
	// one-click). Empty: none.
	ListUnsubscribe string
	// Text and HTML are the two alternatives, both required, UTF-8. Line
	// breaks (LF, CRLF or CR) become CRLF, the canonical form of text/* in
	// MIME, so a part decodes to its input with CRLF line breaks.
	Text, HTML []byte
}

const (
	// foldAt is RFC 5322's recommended line length; maxLine its hard limit.
	foldAt  = 78
	maxLine = 998
	// dateLayout is RFC 5322 date-time with a numeric zone.
	dateLayout = "Mon, 02 Jan 2006 15:04:05 -0700"
)

// Build renders m as an RFC 5322 message: MIME-Version 1.0,
// multipart/alternative with text/plain then text/html (clients show the last
// part they support), both charset=utf-8 and quoted-printable, CRLF line
// endings, a boundary derived from MessageID. Every error wraps
// ErrInvalidMessage.
func Build(m Message) ([]byte, error) {
	fields, err := m.headerFields()
	if err != nil {
		return nil, fmt.Errorf("mail: build: %w: %w", ErrInvalidMessage, err)
	}
	raw, err := m.render(fields)
	if err != nil {
		return nil, fmt.Errorf("mail: build: %w: %w", ErrInvalidMessage, err)
	}
	return raw, nil
}

// field is one header field; value is already encoded (7-bit, no CR/LF) but
// not yet folded.
type field struct{ name, value string }

func (m *Message) headerFields() ([]field, error) {
	if m.Date.IsZero() {
		return nil, errors.New("Date is required")
	}
	from, err := formatAddress("From", m.From)
	if err != nil {
		return nil, err
	}
	if len(m.To) == 0 {
		return nil, errors.New("To: at least one address is required")
	}
	to := make([]string, 0, len(m.To))
	for _, a := range m.To {
		s, err := formatAddress("To", a)
		if err != nil {
			return nil, err
		}
		to = append(to, s)
	}
	subject, err := encodeText("Subject", m.Subject)
	if err != nil {
		return nil, err
	}
	if err := checkMessageID(m.MessageID); err != nil {
		return nil, err
	}
	if len(m.Text) == 0 {
		return nil, errors.New("text part is required")
	}
	if len(m.HTML) == 0 {
		return nil, errors.New("HTML part is required")
	}
	if !utf8.Valid(m.Text) {
		return nil, errors.New("text part is not valid UTF-8")
	}
	if !utf8.Valid(m.HTML) {
		return nil, errors.New("HTML part is not valid UTF-8")
	}

	fields := []field{
		{"Date", m.Date.Format(dateLayout)},
		{"From", from},
		{"To", strings.Join(to, ", ")},
		{"Subject", subject},
		{"Message-ID", "<" + m.MessageID + ">"},
	}
	if m.ListID != "" {
		v, err := formatListID(m.ListID)
		if err != nil {
			return nil, err
		}
		fields = append(fields, field{"List-Id", v})
	}
	if m.ListUnsubscribe != "" {
		v, oneClick, err := formatListUnsubscribe(m.ListUnsubscribe)
		if err != nil {
			return nil, err
		}
		fields = append(fields, field{"List-Unsubscribe", v})
		if oneClick {
			fields = append(fields, field{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"})
		}
	}
	// Auto-Submitted keeps vacation responders from answering the digest
	// (RFC 3834).
	fields = append(fields,
		field{"Auto-Submitted", "auto-generated"},
		field{"MIME-Version", "1.0"},
		field{"Content-Type", mime.FormatMediaType("multipart/alternative",
			map[string]string{"boundary": boundary(m.MessageID)})},
	)
	return fields, nil
}

func (m *Message) render(fields []field) ([]byte, error) {
	var buf bytes.Buffer
	for _, f := range fields {
		if err := writeField(&buf, f); err != nil {
			return nil, err
		}
	}
	buf.WriteString("\r\n")

	mw := multipart.NewWriter(&buf)
	if err := mw.SetBoundary(boundary(m.MessageID)); err != nil {
		return nil, fmt.Errorf("boundary: %w", err)
	}
	parts := []struct {
		mediaType string
		body      []byte
	}{
		{"text/plain", m.Text},
		{"text/html", m.HTML},
	}
	for _, p := range parts {
		// CreatePart writes the keys sorted, so the output is stable.
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(p.mediaType, map[string]string{"charset": "utf-8"})},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, fmt.Errorf("%s part: %w", p.mediaType, err)
		}
		qw := quotedprintable.NewWriter(pw)
		if _, err := qw.Write(p.body); err != nil {
			return nil, fmt.Errorf("%s part: %w", p.mediaType, err)
		}
		if err := qw.Close(); err != nil {
			return nil, fmt.Errorf("%s part: %w", p.mediaType, err)
		}
	}
	if err := mw.Close(); err != nil {
		return nil, fmt.Errorf("multipart: %w", err)
	}
	return buf.Bytes(), nil
}

// boundary is derived from the Message-ID so a rebuild gives the same bytes.
// It starts with "=_", which quoted-printable output can never contain ('='
// there is always followed by a hex digit or a line break), so no part body
// can collide with it whatever the text says.
func boundary(messageID string) string {
	sum := sha256.Sum256([]byte("netdigest boundary\x00" + messageID))
	return "=_nd_" + hex.EncodeToString(sum[:16])
}

// writeField folds f at spaces of its value so lines stay within foldAt where
// possible; unfolding (removing the CRLFs) gives the value back.
func writeField(buf *bytes.Buffer, f field) error {
	words := strings.Split(f.value, " ")
	line := f.name + ": " + words[0]
	var lines []string
	for _, w := range words[1:] {
		// Never fold before a blank word: a continuation line must hold
		// more than whitespace.
		if len(line)+1+len(w) > foldAt && strings.TrimSpace(w) != "" {
			lines = append(lines, line)
			line = " " + w
			continue
		}
		line += " " + w
	}
	lines = append(lines, line)
	for _, l := range lines {
		if len(l) > maxLine {
			return fmt.Errorf("%s: line longer than %d characters", f.name, maxLine)
		}
		buf.WriteString(l)
		buf.WriteString("\r\n")
	}
	return nil
}

// checkText rejects what must never reach a header: invalid UTF-8 and control
// characters (CR and LF above all, which would start a new header field).
func checkText(name, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s: not valid UTF-8", name)
	}
	for _, r := range s {
		if r == '\r' || r == '\n' {
			return fmt.Errorf("%s: contains CR or LF", name)
		}
		if (r < ' ' && r != '\t') || r == 0x7f {
			return fmt.Errorf("%s: contains control character %U", name, r)
		}
	}
	return nil
}

// encodeText encodes unstructured text (Subject) as RFC 2047 encoded-words
// where it is not plain ASCII.
func encodeText(name, s string) (string, error) {
	if err := checkText(name, s); err != nil {
		return "", err
	}
	return mime.QEncoding.Encode("utf-8", s), nil
}

// formatAddress parses one address with net/mail and renders it back
// (display name quoted or encoded as needed).
func formatAddress(name, s string) (string, error) {
	if err := checkText(name, s); err != nil {
		return "", err
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w", name, s, err)
	}
	// The parser decodes encoded-words in the name, which may hide a CR/LF.
	if err := checkText(name+" display name", a.Name); err != nil {
		return "", err
	}
	if !isASCII(a.Address) {
		// Would need SMTPUTF8 and an 8-bit header; the digest stays 7-bit.
		return "", fmt.Errorf("%s %q: non-ASCII address", name, s)
	}
	// net/mail quotes the local part where needed; the phrase is rendered
	// like List-Id's so both headers read alike.
	angle := (&mail.Address{Address: a.Address}).String()
	if a.Name == "" {
		return angle[1 : len(angle)-1], nil
	}
	return formatPhrase(a.Name) + " " + angle, nil
}

// checkMessageID accepts id-left "@" id-right, both dot-atoms (RFC 5322
// 3.6.4, without the obsolete and literal forms).
func checkMessageID(id string) error {
	if id == "" {
		return errors.New("Message-ID is required")
	}
	left, right, ok := strings.Cut(id, "@")
	if !ok || !isDotAtom(left) || !isDotAtom(right) {
		return fmt.Errorf("Message-ID %q: want local@domain without angle brackets", id)
	}
	return nil
}

// formatListID renders "phrase <list-label.domain>" (RFC 2919). A bare
// "<id>" or "id" is accepted too.
func formatListID(s string) (string, error) {
	if err := checkText("List-Id", s); err != nil {
		return "", err
	}
	phrase, id := "", strings.TrimSpace(s)
	if strings.HasSuffix(id, ">") {
		i := strings.LastIndexByte(id, '<')
		if i < 0 {
			return "", fmt.Errorf("List-Id %q: unbalanced angle brackets", s)
		}
		phrase, id = strings.TrimSpace(id[:i]), id[i+1:len(id)-1]
	}
	if !isDotAtom(id) || !strings.Contains(id, ".") {
		return "", fmt.Errorf("List-Id %q: want a dotted identifier such as netdigest.example.org", s)
	}
	if phrase == "" {
		return "<" + id + ">", nil
	}
	return formatPhrase(phrase) + " <" + id + ">", nil
}

// formatPhrase renders a display phrase the way net/mail renders an address's
// name: atoms as they are, other ASCII quoted, anything else encoded.
func formatPhrase(p string) string {
	if isASCII(p) {
		atoms := true
		for _, w := range strings.Split(p, " ") {
			if !isAtom(w) {
				atoms = false
				break
			}
		}
		if atoms {
			return p
		}
		r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
		return `"` + r.Replace(p) + `"`
	}
	// In a phrase an encoded-word may not carry specials unencoded (RFC 2047
	// 5(3)); Q leaves some of them as they are, B never does.
	if strings.ContainsAny(p, "\"#$%&'(),.:;<>@[]^`{|}~") {
		return mime.BEncoding.Encode("utf-8", p)
	}
	return mime.QEncoding.Encode("utf-8", p)
}

// formatListUnsubscribe checks an http(s) or mailto: URL and returns the
// header value and whether one-click unsubscription (https only) applies.
func formatListUnsubscribe(s string) (value string, oneClick bool, err error) {
	if err := checkText("List-Unsubscribe", s); err != nil {
		return "", false, err
	}
	// The URL sits between angle brackets: it must be ASCII (percent-encoded)
	// without spaces or brackets of its own.
	if !isASCII(s) || strings.ContainsAny(s, " \t<>") {
		return "", false, fmt.Errorf("List-Unsubscribe %q: URL must be percent-encoded ASCII", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", false, fmt.Errorf("List-Unsubscribe: %w", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "http":
		if u.Host == "" {
			return "", false, fmt.Errorf("List-Unsubscribe %q: no host", s)
		}
	case "mailto":
		if u.Opaque == "" {
			return "", false, fmt.Errorf("List-Unsubscribe %q: no address", s)
		}
	default:
		return "", false, fmt.Errorf("List-Unsubscribe %q: scheme must be https, http or mailto", s)
	}
	return "<" + s + ">", strings.EqualFold(u.Scheme, "https"), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isAtext reports whether c is RFC 5322 atext.
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func isAtom(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAtext(s[i]) {
			return false
		}
	}
	return true
}

func isDotAtom(s string) bool {
	for _, a := range strings.Split(s, ".") {
		if !isAtom(a) {
			return false
		}
	}
	return true
}
