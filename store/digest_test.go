package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func ids(t *testing.T, s *Store, since time.Time) []string {
	t.Helper()
	es, err := s.Undigested(context.Background(), since)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.ID)
	}
	return out
}

func prepare(t *testing.T, s *Store, c *clock, id string, entryIDs ...string) *Digest {
	t.Helper()
	d := &Digest{ID: id, PeriodEnd: c.Now(), Created: c.Now(), MessageID: id + "@test",
		Subject: "netdigest: " + id, Message: []byte("raw " + id), HTML: "<p>" + id, Text: id, EntryIDs: entryIDs}
	if err := s.PrepareDigest(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDigestLogLifecycle(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := openMem(t, c)
	day := c.Now().Add(-time.Hour)

	if _, err := s.LastSent(ctx); !errors.Is(err, ErrNoDigest) {
		t.Fatalf("LastSent on an empty log = %v, want ErrNoDigest", err)
	}
	saveFetch(t, s, "a", item("urn:1", "a", "https://a.example/1", "h1", day), item("urn:2", "a", "https://a.example/2", "h2", day))
	if got := ids(t, s, time.Time{}); !slices.Equal(got, []string{"urn:1", "urn:2"}) {
		t.Fatalf("undigested = %v", got)
	}

	c.Add(time.Minute)
	prepare(t, s, c, "d1", "urn:1", "urn:2")
	// An entry committed after the digest's entries were chosen is not lost.
	c.Add(time.Second)
	saveFetch(t, s, "a", item("urn:3", "a", "https://a.example/3", "h3", day))
	if got := ids(t, s, time.Time{}); !slices.Equal(got, []string{"urn:3"}) {
		t.Errorf("undigested after d1 = %v, want [urn:3]", got)
	}

	p, err := s.Pending(ctx)
	if err != nil || p.ID != "d1" || string(p.Message) != "raw d1" || !slices.Equal(p.EntryIDs, []string{"urn:1", "urn:2"}) {
		t.Fatalf("Pending = %+v, %v", p, err)
	}

	// A failed attempt leaves it pending and not in doubt.
	if err := s.MarkSending(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	if p, _ = s.Pending(ctx); !p.InDoubt() || p.Attempts != 1 {
		t.Errorf("after MarkSending: in doubt %v, attempts %d", p.InDoubt(), p.Attempts)
	}
	if err := s.MarkFailed(ctx, "d1", "smtp: 451 try later"); err != nil {
		t.Fatal(err)
	}
	if p, _ = s.Pending(ctx); p.InDoubt() || p.LastError != "smtp: 451 try later" {
		t.Errorf("after MarkFailed: %+v", p)
	}

	if err := s.MarkSending(ctx, "d1"); err != nil {
		t.Fatal(err)
	}
	c.Add(time.Second)
	if err := s.MarkSent(ctx, "d1", "smtp 127.0.0.1:25"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pending(ctx); !errors.Is(err, ErrNoDigest) {
		t.Errorf("Pending after send = %v", err)
	}
	last, err := s.LastSent(ctx)
	if err != nil || last.ID != "d1" || last.Attempts != 2 || last.DeliveredTo != "smtp 127.0.0.1:25" || !last.Sent.Equal(c.Now()) || last.InDoubt() {
		t.Errorf("LastSent = %+v, %v", last, err)
	}

	list, err := s.Digests(ctx, 10)
	if err != nil || len(list) != 1 || list[0].Subject != "netdigest: d1" || len(list[0].Message) != 0 {
		t.Errorf("Digests = %+v, %v", list, err)
	}
	if err := s.MarkSent(ctx, "nope", "x"); !errors.Is(err, ErrNoDigest) {
		t.Errorf("MarkSent(unknown) = %v", err)
	}
	if got := ids(t, s, c.Now()); len(got) != 0 {
		t.Errorf("undigested since now = %v, want none", got)
	}
}

func TestPrepareDigestValidatesAndSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	path := filepath.Join(t.TempDir(), "n.db")
	s := openFile(t, path, c)
	if err := s.PrepareDigest(ctx, &Digest{ID: "x"}); err == nil {
		t.Error("a digest without message was accepted")
	}
	prepare(t, s, c, "d1")
	if err := s.PrepareDigest(ctx, &Digest{ID: "d2", MessageID: "d1@test", Message: []byte("m"), PeriodEnd: c.Now(), Created: c.Now()}); err == nil {
		t.Error("a second digest with the same Message-ID was accepted")
	}
	s.Close()
	s = openFile(t, path, c)
	defer s.Close()
	if d, err := s.Digest(ctx, "d1"); err != nil || d.MessageID != "d1@test" || !d.PeriodEnd.Equal(c.Now()) {
		t.Errorf("after reopen: %+v, %v", d, err)
	}
}
