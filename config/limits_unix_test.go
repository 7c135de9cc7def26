//go:build unix

package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLoadFIFO: a FIFO nobody writes to is an empty file, not a hang; one
// with a writer (`-config <(…)`) is read to its end.
func TestLoadFIFO(t *testing.T) {
	dir := t.TempDir()
	t.Run("no writer", func(t *testing.T) {
		path := filepath.Join(dir, "idle.fifo")
		if err := syscall.Mkfifo(path, 0o600); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		_, err := loadWithin(t, path)
		if err == nil || !strings.Contains(err.Error(), "empty file") {
			t.Fatalf("Load = %v, want the empty-file problem", err)
		}
	})
	t.Run("pipe with a writer", func(t *testing.T) {
		// What `-config <(…)` hands over: /dev/fd/N of a pipe whose writer
		// is already there.
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		path := fmt.Sprintf("/dev/fd/%d", r.Fd())
		if _, err := os.Stat(path); err != nil {
			t.Skipf("no %s: %v", path, err)
		}
		go func() {
			defer w.Close()
			for _, line := range strings.SplitAfter(minimal, "\n") {
				w.WriteString(line)
			}
		}()
		cfg, err := loadWithin(t, path)
		if err != nil || len(cfg.Sources) != 1 {
			t.Fatalf("Load = %v, %v; want the config written to the pipe", cfg, err)
		}
	})
}
