package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/server"
	"github.com/netdigest/netdigest/store"
)

// TestDaemonDigestBesideAnotherSend: the daemon's digest slot comes while
// another process (a manual `digest -send`) is mid-send: it logs that,
// records no error, and never calls the delivery interrupted.
func TestDaemonDigestBesideAnotherSend(t *testing.T) {
	srv := startSMTP(t)
	cfgPath, dir := mailConfig(t, srv)
	if r := runCmd(t, fixedNow, "fetch", "-all", "-config", cfgPath); r.code != exitOK {
		t.Fatalf("fetch: %d\n%s", r.code, r.stderr)
	}
	cfg, ok := loadConfig(&env{stderr: os.Stderr}, cfgPath)
	if !ok {
		t.Fatal("config")
	}
	ctx := context.Background()
	clock := func() time.Time { return fixedNow }
	dbPath := filepath.Join(dir, "out", "netdigest.db")
	other, err := store.Open(ctx, dbPath, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	o := store.Self()
	o.PID = os.Getppid() // alive, and not this process
	other.SetOwner(o)
	d := &store.Digest{ID: "20261123T115900Z", PeriodEnd: fixedNow, Created: fixedNow, MessageID: "manual@news.example.org",
		Subject: "manual", Message: []byte("Subject: manual\r\n\r\nbody\r\n")}
	if err := other.PrepareDigest(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := other.MarkSending(ctx, d.ID); err != nil {
		t.Fatal(err)
	}

	st, err := store.Open(ctx, dbPath, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs bytes.Buffer
	dm := &daemon{e: &env{stdout: &logs, stderr: &logs, now: clock, version: "test"},
		log: slog.New(slog.NewTextHandler(&logs, nil)), store: st, metrics: server.NewMetrics()}
	gen, err := dm.generation(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dm.current.Store(gen)
	if err := dm.Digest(ctx); err != nil {
		t.Fatalf("daemon digest beside a live send: %v", err)
	}
	out := logs.String()
	if !strings.Contains(out, "another digest is being sent by "+o.String()) || strings.Contains(out, "interrupted") {
		t.Errorf("log:\n%s", out)
	}
	if n := len(srv.messages()); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}
