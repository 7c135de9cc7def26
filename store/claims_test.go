package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// liveOther is a process that is alive on this host and is not this one
// (the test binary's parent), so claims it holds are honoured.
func liveOther() Owner {
	o := Self()
	o.PID = os.Getppid()
	return o
}

// deadOwner is a process of this host that has exited: a crashed owner.
func deadOwner(t *testing.T) Owner {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	o := Self()
	o.PID = cmd.Process.Pid
	return o
}

func digestOf(c *clock, id string, entryIDs ...string) *Digest {
	return &Digest{ID: id, PeriodEnd: c.Now(), Created: c.Now(), MessageID: id + "@test",
		Subject: "netdigest: " + id, Message: []byte("raw " + id), EntryIDs: entryIDs}
}

// TestPrepareDigestRaceAcrossStores: two stores on one file (two processes'
// worth of connections) prepare digests of the same entries at once: one
// wins, the other gets a BusyError naming the winner, and every entry is
// claimed once.
func TestPrepareDigestRaceAcrossStores(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	path := filepath.Join(t.TempDir(), "n.db")
	a, b := openFile(t, path, c), openFile(t, path, c)
	defer a.Close()
	defer b.Close()
	oa, ob := Owner{PID: 1001, Host: "host-a"}, Owner{PID: 1002, Host: "host-b"}
	a.SetOwner(oa)
	b.SetOwner(ob)
	day := c.Now().Add(-time.Hour)
	for round := range 20 {
		var entryIDs []string
		for i := range 3 {
			id := "urn:" + string(rune('a'+round)) + string(rune('0'+i))
			saveFetch(t, a, "s", item(id, "s", "https://s.example/"+id, id, day))
			entryIDs = append(entryIDs, id)
		}
		stores := []*Store{a, b}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, s := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = s.PrepareDigest(ctx, digestOf(c, "d"+string(rune('a'+round))+string(rune('0'+i)), entryIDs...))
			}()
		}
		close(start)
		wg.Wait()
		won := slices.IndexFunc(errs, func(err error) bool { return err == nil })
		if won < 0 || errs[1-won] == nil {
			t.Fatalf("round %d: errors %v: want exactly one winner", round, errs)
		}
		var be *BusyError
		if !errors.As(errs[1-won], &be) || be.Owner != []Owner{oa, ob}[won] {
			t.Fatalf("round %d: loser's error %v, want a BusyError naming %v", round, errs[1-won], []Owner{oa, ob}[won])
		}
		if strings.Contains(errs[1-won].Error(), "constraint") {
			t.Errorf("round %d: raw SQL error: %v", round, errs[1-won])
		}
		if got := ids(t, a, time.Time{}); len(got) != 0 {
			t.Fatalf("round %d: unclaimed after the race: %v", round, got)
		}
		p, err := a.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.MarkSent(ctx, p.ID, "test"); err != nil {
			t.Fatal(err)
		}
	}
	var claims int
	if err := a.r.QueryRow(`SELECT count(*) FROM digest_claims`).Scan(&claims); err != nil || claims != 60 {
		t.Errorf("claims = %d, %v; want 60", claims, err)
	}
}

// TestPrepareDigestClaimedEntry: the unique claim itself guards an entry
// another digest carried, whatever the caller read; a re-send carries it
// again without taking it.
func TestPrepareDigestClaimedEntry(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	s := openMem(t, c)
	day := c.Now().Add(-time.Hour)
	saveFetch(t, s, "a", item("urn:1", "a", "https://a.example/1", "h1", day), item("urn:2", "a", "https://a.example/2", "h2", day))
	prepare(t, s, c, "d1", "urn:1")
	if err := s.MarkSent(ctx, "d1", "test"); err != nil {
		t.Fatal(err)
	}
	err := s.PrepareDigest(ctx, digestOf(c, "d2", "urn:2", "urn:1"))
	var be *BusyError
	if !errors.As(err, &be) || be.ID != "d1" || !be.Sent {
		t.Fatalf("a digest of an entry d1 claimed: %v, want a BusyError naming d1 as sent", err)
	}
	if _, err := s.Digest(ctx, "d2"); !errors.Is(err, ErrNoDigest) {
		t.Errorf("the refused d2 was recorded: %v", err)
	}
	if got := ids(t, s, time.Time{}); !slices.Equal(got, []string{"urn:2"}) {
		t.Errorf("undigested after the refusal = %v, want [urn:2] (nothing claimed)", got)
	}
	if err := s.PrepareResend(ctx, digestOf(c, "r1", "urn:1", "urn:2")); err != nil {
		t.Fatalf("re-send: %v", err)
	}
	r1, err := s.Digest(ctx, "r1")
	if err != nil || !slices.Equal(r1.EntryIDs, []string{"urn:1", "urn:2"}) {
		t.Errorf("re-send carries %v, %v", r1, err)
	}
	var claimer string
	if err := s.r.QueryRow(`SELECT digest_id FROM digest_claims WHERE entry_id = 'urn:1'`).Scan(&claimer); err != nil || claimer != "d1" {
		t.Errorf("urn:1 claimed by %q, %v; want d1 still", claimer, err)
	}
	if got := ids(t, s, time.Time{}); len(got) != 0 {
		t.Errorf("undigested after the re-send = %v, want none (it carried urn:2)", got)
	}
	// Same id or Message-ID: a typed error, not a raw UNIQUE failure.
	if err := s.MarkSent(ctx, "r1", "test"); err != nil {
		t.Fatal(err)
	}
	if err := s.PrepareResend(ctx, digestOf(c, "r1")); !errors.Is(err, ErrDigestIDTaken) {
		t.Errorf("same id: %v, want ErrDigestIDTaken", err)
	}
}

// TestDigestHeldByLiveOwner: a digest prepared or being sent by a live
// process is not taken over; one whose owner is gone (pid gone on this
// host, or lease lapsed elsewhere) is.
func TestDigestHeldByLiveOwner(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		owner func(t *testing.T) Owner
		wait  time.Duration
		held  bool
	}{
		{"live on this host", func(*testing.T) Owner { return liveOther() }, 0, true},
		{"live on this host, lease lapsed", func(*testing.T) Owner { return liveOther() }, OwnerLease, false},
		{"gone from this host", deadOwner, 0, false},
		{"on another host", func(*testing.T) Owner { return Owner{PID: 1, Host: "elsewhere.invalid"} }, OwnerLease - time.Second, true},
		{"on another host, lease lapsed", func(*testing.T) Owner { return Owner{PID: 1, Host: "elsewhere.invalid"} }, OwnerLease, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClock()
			path := filepath.Join(t.TempDir(), "n.db")
			other, s := openFile(t, path, c), openFile(t, path, c)
			defer other.Close()
			defer s.Close()
			other.SetOwner(tc.owner(t))
			if err := other.PrepareDigest(ctx, digestOf(c, "d1")); err != nil {
				t.Fatal(err)
			}
			if err := other.MarkSending(ctx, "d1"); err != nil {
				t.Fatal(err)
			}
			c.Add(tc.wait)
			p, err := s.Pending(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.HeldElsewhere(p); got != tc.held {
				t.Errorf("HeldElsewhere = %v, want %v (owner %v until %v)", got, tc.held, p.Owner, p.OwnerUntil)
			}
			err = s.MarkSending(ctx, "d1")
			var be *BusyError
			if tc.held && (!errors.As(err, &be) || !be.Sending) {
				t.Errorf("MarkSending of a held digest = %v, want a BusyError (sending)", err)
			}
			if !tc.held && err != nil {
				t.Errorf("MarkSending of an abandoned digest = %v", err)
			}
			if err := s.PrepareDigest(ctx, digestOf(c, "d2")); !errors.As(err, &be) {
				t.Errorf("preparing beside a pending digest = %v, want a BusyError", err)
			}
		})
	}
}

// TestLease: a lease is exclusive while its owner lives and renews it, and
// free once it lapses or its owner is gone.
func TestLease(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	path := filepath.Join(t.TempDir(), "n.db")
	a, b := openFile(t, path, c), openFile(t, path, c)
	defer a.Close()
	defer b.Close()
	a.SetOwner(Owner{PID: 1, Host: "a.invalid"})
	b.SetOwner(Owner{PID: 2, Host: "b.invalid"})
	const ttl = time.Minute
	if err := a.AcquireLease(ctx, FetchLease, ttl); err != nil {
		t.Fatal(err)
	}
	var held *LeaseHeldError
	if err := b.AcquireLease(ctx, FetchLease, ttl); !errors.As(err, &held) || held.Owner != a.owner {
		t.Fatalf("b while a holds: %v, want LeaseHeldError naming a", err)
	}
	c.Add(ttl / 2)
	if err := a.AcquireLease(ctx, FetchLease, ttl); err != nil { // renew
		t.Fatal(err)
	}
	c.Add(ttl/2 + time.Second) // past the first expiry, not the renewed one
	if err := b.AcquireLease(ctx, FetchLease, ttl); !errors.As(err, &held) {
		t.Fatalf("b after a renewed: %v, want LeaseHeldError", err)
	}
	c.Add(ttl) // a stopped renewing: crashed, or frozen
	if err := b.AcquireLease(ctx, FetchLease, ttl); err != nil {
		t.Fatalf("b after a's lease lapsed: %v", err)
	}
	if err := a.AcquireLease(ctx, FetchLease, ttl); !errors.As(err, &held) || held.Owner != b.owner {
		t.Fatalf("a after b took over: %v", err)
	}
	if err := a.ReleaseLease(ctx, FetchLease); err != nil { // not a's: no effect
		t.Fatal(err)
	}
	if err := a.AcquireLease(ctx, FetchLease, ttl); !errors.As(err, &held) {
		t.Fatalf("a's release freed b's lease: %v", err)
	}
	if err := b.ReleaseLease(ctx, FetchLease); err != nil {
		t.Fatal(err)
	}
	if err := a.AcquireLease(ctx, FetchLease, ttl); err != nil {
		t.Fatalf("a after b released: %v", err)
	}

	// An owner gone from this host frees its lease at once.
	a.SetOwner(deadOwner(t))
	if err := a.AcquireLease(ctx, "other", ttl); err != nil {
		t.Fatal(err)
	}
	b.SetOwner(Self())
	if err := b.AcquireLease(ctx, "other", ttl); err != nil {
		t.Errorf("a lease of a dead process on this host: %v", err)
	}
}

// TestMigrationClaimsFirstDigest: a store from before 0009 may hold an
// entry in two digests (a -since re-send); the first one claims it.
func TestMigrationClaimsFirstDigest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "netdigest.db")
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:5] {
		if _, err := raw.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	const ts = "2025-03-01T12:00:00.000000000Z"
	if _, err := raw.Exec(`PRAGMA user_version = 5;
		INSERT INTO sources (name) VALUES ('a');
		INSERT INTO entries (id, source, published, updated, first_seen) VALUES
			('urn:1', 'a', '` + ts + `', '` + ts + `', '` + ts + `'),
			('urn:2', 'a', '` + ts + `', '` + ts + `', '` + ts + `'),
			('urn:3', 'a', '` + ts + `', '` + ts + `', '` + ts + `');
		INSERT INTO digests (id, period_end, created, message_id, subject, message, sent) VALUES
			('d2', '2025-03-03T00:00:00.000000000Z', '2025-03-03T00:00:00.000000000Z', 'm2', 's', x'00', '2025-03-03T00:00:00.000000000Z'),
			('d1', '2025-03-02T00:00:00.000000000Z', '2025-03-02T00:00:00.000000000Z', 'm1', 's', x'00', '2025-03-02T00:00:00.000000000Z');
		INSERT INTO digest_entries (digest_id, entry_id) VALUES ('d1', 'urn:1'), ('d2', 'urn:1'), ('d2', 'urn:2');`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	s := openFile(t, path, newClock())
	defer s.Close()
	got := map[string]string{}
	rows, err := s.r.Query(`SELECT entry_id, digest_id FROM digest_claims`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e, d string
		if err := rows.Scan(&e, &d); err != nil {
			t.Fatal(err)
		}
		got[e] = d
	}
	rows.Close()
	if want := map[string]string{"urn:1": "d1", "urn:2": "d2"}; len(got) != 2 || got["urn:1"] != "d1" || got["urn:2"] != "d2" {
		t.Errorf("claims after migration = %v, want %v", got, want)
	}
	if u := ids(t, s, time.Time{}); !slices.Equal(u, []string{"urn:3"}) {
		t.Errorf("undigested = %v, want [urn:3]", u)
	}
	if d, err := s.Digest(context.Background(), "d2"); err != nil || !slices.Equal(d.EntryIDs, []string{"urn:1", "urn:2"}) {
		t.Errorf("d2 still carried %v, %v", d, err)
	}
}
