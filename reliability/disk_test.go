package reliability

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testDiskFull(t *testing.T, bin string) {
	farm := newFeedFarm(t, 20, 1, nil)
	farm.contentBytes = 2000 // a feed of ~150 KB

	t.Run("feed file write fails", func(t *testing.T) {
		rec := recordAt(t, 0, secDisk, "writing feed.atom fails mid-write (EFBIG: every file capped at 40 KiB)",
			"`netdigest run` exits non-zero with an error naming feed.atom; the old feed.atom is intact; no temporary file is left")
		dir := t.TempDir()
		writeFile(t, dir, "feeds.yaml", binaryConfig("", farm.urls(), ""))
		n := nd{bin: bin, dir: dir}
		if out, errOut, code := n.run(t, "run", "-all", "-no-digest"); code != 0 {
			t.Fatalf("first run: exit %d\n%s\n%s", code, out, errOut)
		}
		feedPath := filepath.Join(dir, "out", "feed.atom")
		old, err := os.ReadFile(feedPath)
		if err != nil {
			t.Fatal(err)
		}
		const limit = 40 << 10 // above SQLite's 32 KiB -shm, below the feed
		if len(old) <= limit {
			t.Fatalf("feed is %d bytes, not above the %d-byte limit", len(old), limit)
		}
		farm.gen.Store(1) // new items, so the new feed would differ
		ctx, cancel := context.WithTimeout(context.Background(), watchdog)
		defer cancel()
		// Sources are not due (just fetched), so the store is only read and
		// the feed is the one file written past the limit.
		cmd := limitedCommand(ctx, limit, bin, "run", "-config", n.config(), "-no-digest")
		if cmd == nil {
			t.Skip("RLIMIT_FSIZE is Linux-only")
		}
		cmd.Dir = dir
		out, errOut, code := runCmd(t, cmd)
		if code == 0 {
			t.Fatalf("exit 0 although the feed could not be written\n%s\n%s", out, errOut)
		}
		for _, want := range []string{"feed.atom", "file too large"} {
			if !strings.Contains(errOut, want) {
				t.Errorf("stderr does not mention %q:\n%s", want, errOut)
			}
		}
		now, err := os.ReadFile(feedPath)
		if err != nil || string(now) != string(old) {
			t.Errorf("feed.atom changed (%d bytes, was %d; err %v)", len(now), len(old), err)
		}
		leftovers, _ := filepath.Glob(filepath.Join(dir, "out", ".feed.atom.tmp-*"))
		if len(leftovers) > 0 {
			t.Errorf("temporary files left: %q", leftovers)
		}
		// With room again, the same command writes the new feed.
		if out, errOut, code := n.run(t, "run", "-no-digest"); code != 0 {
			t.Fatalf("run with room again: exit %d\n%s\n%s", code, out, errOut)
		}
		rec.res("exit %d: %s; old feed.atom intact; no temporary file; the next run with room writes the feed",
			code, quote(firstLine(errOut)))
	})

	t.Run("output directory is a file", func(t *testing.T) {
		rec := recordAt(t, 1, secDisk, "the output directory's path is taken by a regular file",
			"`netdigest run` exits non-zero with an error naming the path; the file is left as it was")
		dir := t.TempDir()
		writeFile(t, dir, "feeds.yaml", binaryConfig("", farm.urls(), ""))
		n := nd{bin: bin, dir: dir}
		blocker := writeFile(t, dir, "out", "not a directory\n")
		requests := farm.requests.Load()
		out, errOut, code := n.run(t, "run", "-all", "-no-digest")
		if code == 0 {
			t.Fatalf("exit 0\n%s\n%s", out, errOut)
		}
		if !strings.Contains(errOut, blocker) {
			t.Errorf("stderr does not name %s:\n%s", blocker, errOut)
		}
		if data, err := os.ReadFile(blocker); err != nil || string(data) != "not a directory\n" {
			t.Errorf("the file in the way changed: %q %v", data, err)
		}
		rec.res("exit %d: %s; %d requests made; the file is unchanged", code, quote(firstLine(errOut)), farm.requests.Load()-requests)
	})
}
