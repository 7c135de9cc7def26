package pipeline

import (
	"bytes"
	"context"
	netmail "net/mail"
	"path/filepath"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/store"
)

// TestDigestMailDomain: the Message-ID and the default List-Id name the
// domain of mail.from, not the link's host (a 127.0.0.1 in the example
// config); the link's host only when no mail is configured.
func TestDigestMailDomain(t *testing.T) {
	for _, tc := range []struct {
		name, link string
		mail       *config.Mail
		wantID     string // the Message-ID's right side
		wantList   string
	}{
		{"from's domain over a loopback link", "http://127.0.0.1:8080/",
			&config.Mail{From: "netdigest <digest@News.Example.ORG>", To: []string{"r@example.org"}},
			"news.example.org", "netdigest <netdigest.news.example.org>"},
		{"a configured List-Id kept", "https://site.example/",
			&config.Mail{From: "digest@lists.example.net", To: []string{"r@example.org"}, ListID: "Talks <talks.example.net>"},
			"lists.example.net", "Talks <talks.example.net>"},
		{"a domain literal falls back to the link", "https://site.example/",
			&config.Mail{From: "digest@[192.0.2.1]", To: []string{"r@example.org"}},
			"site.example", "netdigest <netdigest.site.example>"},
		{"no mail: the link's host", "https://site.example/", nil,
			"site.example", "netdigest <netdigest.site.example>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
			st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "n.db"), clk.Now)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			r := digestRunner(t, st, clk, nil)
			r.Config.Link, r.Config.Mail = tc.link, tc.mail
			addEntries(t, st, clk, "d", 2)
			res, err := r.Digest(context.Background(), DigestOptions{Dir: t.TempDir()})
			if err != nil || res.Digest == nil {
				t.Fatalf("digest: %+v, %v", res, err)
			}
			msg, err := netmail.ReadMessage(bytes.NewReader(res.Digest.Message))
			if err != nil {
				t.Fatal(err)
			}
			wantID := "<digest-" + res.Digest.ID + "@" + tc.wantID + ">"
			if got := msg.Header.Get("Message-Id"); got != wantID || res.Digest.MessageID != wantID[1:len(wantID)-1] {
				t.Errorf("Message-ID %q (recorded %q), want %s", got, res.Digest.MessageID, wantID)
			}
			if got := msg.Header.Get("List-Id"); got != tc.wantList {
				t.Errorf("List-Id %q, want %q", got, tc.wantList)
			}
		})
	}
}
