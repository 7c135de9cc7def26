package server

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/store"
)

// TestDigestStatuses: the home page's digest list and the archive say which
// digest the mail server refused (with its reply) and which one another
// live process is sending, rather than calling it interrupted.
func TestDigestStatuses(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	at := now.Add(-3 * time.Hour)
	rejected := &store.Digest{ID: "20261123T090000Z", PeriodEnd: at, Created: at, MessageID: "r@netdigest.example",
		Subject: "netdigest: too big", Message: []byte("Subject: x\r\n\r\nx")}
	if err := f.store.PrepareDigest(ctx, rejected); err != nil {
		t.Fatal(err)
	}
	if err := f.store.MarkSending(ctx, rejected.ID); err != nil {
		t.Fatal(err)
	}
	const reply = "smtp 127.0.0.1:25: end of DATA: 552 5.3.4 message size exceeds fixed limit"
	if err := f.store.MarkRejected(ctx, rejected.ID, reply); err != nil {
		t.Fatal(err)
	}

	// Another netdigest process (alive: this test's parent) is sending one.
	other, err := store.Open(ctx, f.cfg.Store, func() time.Time { return now.Add(-time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	o := store.Self()
	o.PID = os.Getppid()
	other.SetOwner(o)
	sending := &store.Digest{ID: "20261123T100000Z", PeriodEnd: at, Created: at.Add(time.Hour), MessageID: "s@netdigest.example",
		Subject: "netdigest: on its way", Message: []byte("Subject: y\r\n\r\ny")}
	if err := other.PrepareDigest(ctx, sending); err != nil {
		t.Fatal(err)
	}
	if err := other.MarkSending(ctx, sending.ID); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{"/", "/digests/"} {
		_, body := f.get(path)
		text := strings.Join(strings.Fields(textOf(parseHTML(t, body))), " ")
		for _, want := range []string{
			"netdigest: too big", "not delivered: refused by the mail server (" + reply + "); not retried",
			"netdigest: on its way", "being sent by " + o.String(),
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%s does not say %q", path, want)
			}
		}
		if strings.Contains(text, "interrupted") {
			t.Errorf("%s calls a live delivery interrupted", path)
		}
	}
}
