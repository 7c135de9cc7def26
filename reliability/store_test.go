package reliability

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/store"
)

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

// firstLine is the first line of a command's stderr, for the table.
func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

func testCorruptStore(t *testing.T, bin string) {
	farm := newFeedFarm(t, 12, 1, nil)
	farm.contentBytes = 3000 // enough pages to damage
	base := t.TempDir()
	cfg := binaryConfig("", farm.urls(), "")
	writeFile(t, base, "feeds.yaml", cfg)
	good := nd{bin: bin, dir: base}
	if out, errOut, code := good.run(t, "fetch", "-all"); code != 0 {
		t.Fatalf("setup fetch: exit %d\n%s\n%s", code, out, errOut)
	}
	if fi, err := os.Stat(good.db() + "-wal"); err == nil && fi.Size() > 0 {
		t.Fatalf("the WAL was not checkpointed at exit (%d bytes): the damage below would miss data", fi.Size())
	}
	pristine, err := os.ReadFile(good.db())
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	if len(pristine) < 8*page {
		t.Fatalf("store is only %d bytes: too small to damage page by page", len(pristine))
	}

	for i, c := range []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"truncated mid-page", func(b []byte) []byte { return b[:len(b)/2/page*page+page/2] }},
		{"bytes flipped in b-tree page headers", func(b []byte) []byte {
			for p := 1; p <= 5; p++ {
				for j := range 12 {
					b[p*page+j] ^= 0xFF
				}
			}
			return b
		}},
		{"header overwritten by text", func(b []byte) []byte {
			copy(b, "this is not a database, it is a text file that took its place\n")
			return b
		}},
		{"cut to 50 bytes", func(b []byte) []byte { return b[:50] }},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec := recordAt(t, i, secStore, "`netdigest run` on a store file "+c.name,
				"exits non-zero naming the file and suggesting a backup or moving it aside; the file is left byte for byte; nothing is fetched")
			dir := t.TempDir()
			writeFile(t, dir, "feeds.yaml", cfg)
			n := nd{bin: bin, dir: dir}
			damaged := c.damage(append([]byte(nil), pristine...))
			if err := os.WriteFile(n.db(), damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			before := fileSum(t, n.db())
			requests := farm.requests.Load()

			out, errOut, code := n.run(t, "run", "-all")
			if code == 0 {
				t.Errorf("exit 0 on a damaged store\nstdout: %s\nstderr: %s", out, errOut)
			}
			for _, want := range []string{n.db(), "backup", "move it aside"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr does not mention %q:\n%s", want, errOut)
				}
			}
			if fileSum(t, n.db()) != before {
				t.Error("the damaged file was modified")
			}
			if got := farm.requests.Load() - requests; got != 0 {
				t.Errorf("%d requests made with a damaged store", got)
			}
			rec.res("exit %d: %s; file unchanged; 0 requests", code, quote(firstLine(errOut)))
		})
	}
}

func testBackupDuringFetch(t *testing.T, bin string) {
	const sources = 24
	farm := newFeedFarm(t, sources, 1, func(int, int) time.Duration { return 120 * time.Millisecond })
	dir := t.TempDir()
	writeFile(t, dir, "feeds.yaml", binaryConfig("{workers: 2, per_host: 1}", farm.urls(), ""))
	n := nd{bin: bin, dir: dir}
	rec := record(t, secStore, "`netdigest backup FILE` while `netdigest fetch -all` runs in another process",
		"the backup exits 0 and the copy opens (quick_check) with every entry committed before it started; the fetch completes")

	k := n.start(t, "fetch", "-all")
	done := 0
	for done < 4 {
		if _, ok := <-k.lines; !ok {
			t.Fatal("fetch ended before 4 sources were done")
		}
		done++
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	out, errOut, code := n.run(t, "backup", backup)
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s\n%s", code, out, errOut)
	}
	for range k.lines {
		done++
	}
	<-k.exited
	if !k.cmd.ProcessState.Success() {
		t.Fatalf("fetch beside the backup: %v", k.cmd.ProcessState)
	}
	if done != sources+1 { // one line per source and the summary
		t.Errorf("fetch printed %d lines, want %d", done, sources+1)
	}
	if farm.requests.Load() != sources {
		t.Errorf("%d requests, want %d", farm.requests.Load(), sources)
	}

	st, err := store.Open(context.Background(), backup, nil)
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	defer st.Close()
	got, err := st.CountEntries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if min := 4 * farmItemsPerGen; got < min || got > sources*farmItemsPerGen {
		t.Errorf("backup holds %d entries, want between %d and %d", got, min, sources*farmItemsPerGen)
	}
	t.Logf("backup taken after 4 of %d sources holds %d entries", sources, got)
	rec.res("backup exit 0 (%s); the copy opens and holds at least the 4 sources finished before it; the fetch exited 0",
		quote(firstLine(out)))
}
