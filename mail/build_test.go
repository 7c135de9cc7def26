package mail

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.eml golden files")

// digestMessage is a digest as the pipeline would hand it over: non-ASCII
// subject and bodies, lines longer than quoted-printable allows, characters
// QP must escape, a line starting with a dot (SMTP dot-stuffing) and text
// that spells the multipart boundary. Bodies use CRLF line breaks, MIME's
// canonical form, so they must come back byte for byte.
func digestMessage() Message {
	loc := time.FixedZone("CET", 3600)
	text := strings.Join([]string{
		"netdigest — 34 new entries, 12–19 Nov 2026",
		"",
		"* Netdev 0x19: “XDP offload for the rest of us” (Zürich) " +
			strings.Repeat("long line that must be soft-wrapped by quoted-printable ", 4),
		"  https://netdevconf.info/0x19/sessions/talk/xdp-offload-for-the-rest-of-us.html?utm=none&x=1",
		".a line starting with a dot",
		"equals = signs and trailing space ",
		"tab\tseparated\ttrailing tab\t",
		"--" + boundary("digest-2026-11-19.3f2a@netdigest.example") + "--",
		"日本語のタイトル — ĉu ŝanĝo? Ω≈ç√∫",
		strings.Repeat("x", 1200),
		"",
	}, "\r\n")
	html := `<!DOCTYPE html>` + "\r\n" +
		`<html lang="en"><head><meta charset="utf-8"><title>netdigest · 12–19 Nov 2026</title></head>` + "\r\n" +
		`<body><h1>34 new entries</h1><ul><li><a href="https://netdevconf.info/0x19/sessions/talk/xdp-offload-for-the-rest-of-us.html?utm=none&amp;x=1">XDP offload for the rest of us</a> — Zürich, “quoted”</li>` +
		strings.Repeat(`<li>entry with a very long line and no breaks at all é</li>`, 30) + `</ul></body></html>` + "\r\n"
	return Message{
		From:            "netdigest <digest@example.org>",
		To:              []string{"alice@example.org", "Bob Ünïcode <bob@example.net>"},
		Subject:         "netdigest: 34 new entries · 12–19 Nov 2026",
		Date:            time.Date(2026, 11, 19, 7, 30, 0, 0, loc),
		MessageID:       "digest-2026-11-19.3f2a@netdigest.example",
		ListID:          "netdigest <netdigest.example.org>",
		ListUnsubscribe: "https://netdigest.example.org/unsubscribe?token=abc123",
		Text:            []byte(text),
		HTML:            []byte(html),
	}
}

func TestBuildGolden(t *testing.T) {
	m := digestMessage()
	raw, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "digest.eml")
	if *update {
		if err := os.WriteFile(golden, raw, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./mail -update to create it)", err)
	}
	if !bytes.Equal(raw, want) {
		t.Errorf("Build output differs from %s (run with -update if the change is intended)\ngot:\n%s", golden, raw)
	}

	checkWireFormat(t, raw)
	got := parseBuilt(t, raw)

	wantHeaders := []string{
		"Auto-Submitted", "Content-Type", "Date", "From", "List-Id", "List-Unsubscribe",
		"List-Unsubscribe-Post", "Message-Id", "Mime-Version", "Subject", "To",
	}
	if names := slices.Sorted(maps.Keys(got.header)); !slices.Equal(names, wantHeaders) {
		t.Errorf("header fields = %v, want %v", names, wantHeaders)
	}
	if d, err := got.header.Date(); err != nil || !d.Equal(m.Date) {
		t.Errorf("Date = %v, %v; want %v", d, err, m.Date)
	}
	if !strings.HasSuffix(got.header.Get("Date"), "+0100") {
		t.Errorf("Date %q does not keep the zone offset", got.header.Get("Date"))
	}
	from, err := mail.ParseAddress(got.header.Get("From"))
	if err != nil || from.Name != "netdigest" || from.Address != "digest@example.org" {
		t.Errorf("From = %+v, %v", from, err)
	}
	to, err := got.header.AddressList("To")
	if err != nil {
		t.Fatalf("To: %v", err)
	}
	wantTo := []mail.Address{{Address: "alice@example.org"}, {Name: "Bob Ünïcode", Address: "bob@example.net"}}
	if len(to) != len(wantTo) || *to[0] != wantTo[0] || *to[1] != wantTo[1] {
		t.Errorf("To = %v, want %v", to, wantTo)
	}
	if got.subject != m.Subject {
		t.Errorf("Subject = %q, want %q", got.subject, m.Subject)
	}
	if raw := got.header.Get("Subject"); isASCII(m.Subject) || !strings.HasPrefix(raw, "=?utf-8?q?") {
		t.Errorf("raw Subject %q is not Q-encoded", raw)
	}
	for name, want := range map[string]string{
		"Message-Id":            "<digest-2026-11-19.3f2a@netdigest.example>",
		"List-Id":               "netdigest <netdigest.example.org>",
		"List-Unsubscribe":      "<https://netdigest.example.org/unsubscribe?token=abc123>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Mime-Version":          "1.0",
		"Auto-Submitted":        "auto-generated",
	} {
		if v := got.header.Get(name); v != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	if got.mediaType != "multipart/alternative" {
		t.Errorf("Content-Type = %q, want multipart/alternative", got.mediaType)
	}
	if len(got.parts) != 2 {
		t.Fatalf("got %d parts, want 2", len(got.parts))
	}
	for i, want := range []struct {
		contentType string
		body        []byte
	}{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		p := got.parts[i]
		if p.contentType != want.contentType || p.encoding != "quoted-printable" {
			t.Errorf("part %d: Content-Type %q, Content-Transfer-Encoding %q; want %q, quoted-printable",
				i, p.contentType, p.encoding, want.contentType)
		}
		if !bytes.Equal(p.body, want.body) {
			t.Errorf("part %d (%s) decodes to\n%q\nwant\n%q", i, want.contentType, p.body, want.body)
		}
	}
}

// checkWireFormat asserts what SMTP and RFC 5322 require of the bytes: 7-bit,
// CRLF only, no line over 998 characters.
func checkWireFormat(t *testing.T, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Error("message does not end with CRLF")
	}
	for i, line := range bytes.Split(raw, []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 998 {
			t.Errorf("line %d is %d characters long", i+1, len(line))
		}
		for _, c := range line {
			if c >= 0x80 {
				t.Errorf("line %d has a non-ASCII byte: %q", i+1, line)
				break
			}
		}
	}
}

type builtPart struct {
	contentType, encoding string
	body                  []byte
}

type built struct {
	header    mail.Header
	subject   string
	mediaType string
	parts     []builtPart
}

// parseBuilt reads a built message back with net/mail, mime/multipart and
// mime/quotedprintable, as a mail client would.
func parseBuilt(t *testing.T, raw []byte) built {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v", err)
	}
	var b built
	b.header = msg.Header
	if b.subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("Subject: %v", err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	b.mediaType = mediaType
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		// NextRawPart: NextPart would decode quoted-printable itself and
		// hide the header under test.
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("part %d: %v", len(b.parts), err)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatalf("part %d: quoted-printable: %v", len(b.parts), err)
		}
		b.parts = append(b.parts, builtPart{
			contentType: p.Header.Get("Content-Type"),
			encoding:    p.Header.Get("Content-Transfer-Encoding"),
			body:        body,
		})
	}
	return b
}

func TestBuildDeterministic(t *testing.T) {
	a, err := Build(digestMessage())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(digestMessage())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("two builds of the same Message differ")
	}

	// The boundary follows the Message-ID, so another digest gets another.
	m := digestMessage()
	m.MessageID = "digest-2026-11-26.9b1c@netdigest.example"
	c, err := Build(m)
	if err != nil {
		t.Fatal(err)
	}
	if boundary(m.MessageID) == boundary(digestMessage().MessageID) || !bytes.Contains(c, []byte(boundary(m.MessageID))) {
		t.Error("boundary does not follow the Message-ID")
	}
}

func TestBuildVariants(t *testing.T) {
	base := func() Message {
		return Message{
			From:      "digest@example.org",
			To:        []string{"alice@example.org"},
			Subject:   "plain ASCII subject",
			Date:      time.Date(2026, 11, 19, 7, 30, 0, 0, time.UTC),
			MessageID: "d1@netdigest.example",
			Text:      []byte("text\n"),
			HTML:      []byte("<p>html</p>\n"),
		}
	}
	longTo := make([]string, 12)
	for i := range longTo {
		longTo[i] = "Subscriber Number " + strings.Repeat("x", i) + " <subscriber" + strings.Repeat("y", i) + "@example.org>"
	}
	tests := []struct {
		name   string
		edit   func(*Message)
		check  func(t *testing.T, b built, raw []byte)
		absent []string
	}{
		{
			name:   "no list headers",
			edit:   func(*Message) {},
			absent: []string{"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post"},
			check: func(t *testing.T, b built, _ []byte) {
				if b.subject != "plain ASCII subject" || b.header.Get("Subject") != "plain ASCII subject" {
					t.Errorf("ASCII subject changed: %q", b.header.Get("Subject"))
				}
			},
		},
		{
			name:   "mailto unsubscribe has no one-click",
			edit:   func(m *Message) { m.ListUnsubscribe = "mailto:digest-leave@example.org?subject=unsubscribe" },
			absent: []string{"List-Unsubscribe-Post"},
			check: func(t *testing.T, b built, _ []byte) {
				if v := b.header.Get("List-Unsubscribe"); v != "<mailto:digest-leave@example.org?subject=unsubscribe>" {
					t.Errorf("List-Unsubscribe = %q", v)
				}
			},
		},
		{
			name:   "http unsubscribe has no one-click",
			edit:   func(m *Message) { m.ListUnsubscribe = "http://netdigest.example.org/u?t=1" },
			absent: []string{"List-Unsubscribe-Post"},
		},
		{
			name: "non-ASCII list phrase is encoded",
			edit: func(m *Message) { m.ListID = "Netz·Digest (Zürich) <netdigest.example.org>" },
			check: func(t *testing.T, b built, _ []byte) {
				v := b.header.Get("List-Id")
				phrase, id, _ := strings.Cut(v, " <")
				dec, err := new(mime.WordDecoder).DecodeHeader(phrase)
				if err != nil || dec != "Netz·Digest (Zürich)" || id != "netdigest.example.org>" {
					t.Errorf("List-Id %q decodes to %q, %v", v, dec, err)
				}
			},
		},
		{
			name: "ASCII list phrase with specials is quoted",
			edit: func(m *Message) { m.ListID = `net "digest", weekly <netdigest.example.org>` },
			check: func(t *testing.T, b built, _ []byte) {
				if v := b.header.Get("List-Id"); v != `"net \"digest\", weekly" <netdigest.example.org>` {
					t.Errorf("List-Id = %q", v)
				}
			},
		},
		{
			name: "bare list id gets brackets",
			edit: func(m *Message) { m.ListID = "netdigest.example.org" },
			check: func(t *testing.T, b built, _ []byte) {
				if v := b.header.Get("List-Id"); v != "<netdigest.example.org>" {
					t.Errorf("List-Id = %q", v)
				}
			},
		},
		{
			name: "many recipients fold",
			edit: func(m *Message) { m.To = longTo },
			check: func(t *testing.T, b built, raw []byte) {
				to, err := b.header.AddressList("To")
				if err != nil || len(to) != len(longTo) {
					t.Fatalf("To = %v, %v", to, err)
				}
				for i, a := range to {
					want, _ := mail.ParseAddress(longTo[i])
					if *a != *want {
						t.Errorf("To[%d] = %v, want %v", i, a, want)
					}
				}
				head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
				for _, l := range strings.Split(string(head), "\r\n") {
					if len(l) > 78 {
						t.Errorf("header line not folded (%d chars): %q", len(l), l)
					}
				}
			},
		},
		{
			name: "long ASCII subject folds and unfolds",
			edit: func(m *Message) { m.Subject = strings.Repeat("word ", 40) + "end" },
			check: func(t *testing.T, b built, raw []byte) {
				if b.subject != strings.Repeat("word ", 40)+"end" {
					t.Errorf("Subject = %q", b.subject)
				}
				if !bytes.Contains(raw, []byte("\r\n word")) {
					t.Error("long subject was not folded")
				}
			},
		},
		{
			name: "LF line breaks become CRLF",
			edit: func(m *Message) { m.Text = []byte("one\ntwo\n\nthree"); m.HTML = []byte("<p>a</p>\r\n<p>b</p>\n") },
			check: func(t *testing.T, b built, _ []byte) {
				if got := string(b.parts[0].body); got != "one\r\ntwo\r\n\r\nthree" {
					t.Errorf("text = %q", got)
				}
				if got := string(b.parts[1].body); got != "<p>a</p>\r\n<p>b</p>\r\n" {
					t.Errorf("html = %q", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := base()
			tt.edit(&m)
			raw, err := Build(m)
			if err != nil {
				t.Fatal(err)
			}
			checkWireFormat(t, raw)
			b := parseBuilt(t, raw)
			for _, h := range tt.absent {
				if v, ok := b.header[h]; ok {
					t.Errorf("unexpected %s: %q", h, v)
				}
			}
			if tt.check != nil {
				tt.check(t, b, raw)
			}
		})
	}
}

func TestBuildRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Message)
		want string // in the error text
	}{
		{"no To", func(m *Message) { m.To = nil }, "To: at least one"},
		{"bad From", func(m *Message) { m.From = "not an address" }, "From"},
		{"From with header injection", func(m *Message) { m.From = "a@example.org\r\nBcc: x@example.org" }, "CR or LF"},
		{"encoded CRLF in From name", func(m *Message) { m.From = "=?utf-8?q?evil=0D=0AX-Injected=3A_1?= <a@example.org>" }, "From display name: contains CR or LF"},
		{"bad To", func(m *Message) { m.To = []string{"alice@example.org", "bob at example"} }, "To"},
		{"non-ASCII address", func(m *Message) { m.To = []string{"jörg@example.org"} }, "non-ASCII"},
		{"CRLF in Subject", func(m *Message) { m.Subject = "digest\r\nBcc: victim@example.org" }, "Subject: contains CR or LF"},
		{"LF in Subject", func(m *Message) { m.Subject = "digest\nX-Evil: 1" }, "Subject: contains CR or LF"},
		{"control in Subject", func(m *Message) { m.Subject = "bell\a" }, "control character"},
		{"invalid UTF-8 Subject", func(m *Message) { m.Subject = "caf\xe9" }, "UTF-8"},
		{"CRLF in ListID", func(m *Message) { m.ListID = "netdigest <netdigest.example.org>\r\nBcc: x@example.org" }, "List-Id: contains CR or LF"},
		{"ListID without dot", func(m *Message) { m.ListID = "netdigest <netdigest>" }, "List-Id"},
		{"ListID unbalanced", func(m *Message) { m.ListID = "netdigest netdigest.example.org>" }, "List-Id"},
		{"CRLF in ListUnsubscribe", func(m *Message) { m.ListUnsubscribe = "https://x.example/u\r\nBcc: x@example.org" }, "CR or LF"},
		{"javascript unsubscribe", func(m *Message) { m.ListUnsubscribe = "javascript:alert(1)" }, "scheme"},
		{"unsubscribe with bracket", func(m *Message) { m.ListUnsubscribe = "https://x.example/u>, <mailto:x@y" }, "List-Unsubscribe"},
		{"empty MessageID", func(m *Message) { m.MessageID = "" }, "Message-ID is required"},
		{"MessageID with brackets", func(m *Message) { m.MessageID = "<d1@netdigest.example>" }, "Message-ID"},
		{"MessageID without @", func(m *Message) { m.MessageID = "digest-2026-11-19" }, "Message-ID"},
		{"MessageID with CRLF", func(m *Message) { m.MessageID = "d1@netdigest.example\r\nBcc: x@y" }, "Message-ID"},
		{"no Text", func(m *Message) { m.Text = nil }, "text part is required"},
		{"no HTML", func(m *Message) { m.HTML = []byte{} }, "HTML part is required"},
		{"invalid UTF-8 HTML", func(m *Message) { m.HTML = []byte("<p>\xff</p>") }, "UTF-8"},
		{"zero Date", func(m *Message) { m.Date = time.Time{} }, "Date is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := digestMessage()
			tt.edit(&m)
			raw, err := Build(m)
			if err == nil {
				t.Fatalf("Build accepted it:\n%s", raw)
			}
			if !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("error %v does not wrap ErrInvalidMessage", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}
