package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// TestBackupWhileWriting copies the store while another goroutine keeps
// writing: the copy opens, holds a consistent prefix of the writes, and a
// second backup to the same path is refused.
func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	dir := t.TempDir()
	s := openFile(t, filepath.Join(dir, "live.db"), c)
	defer s.Close()
	day := c.Now().Add(-time.Hour)
	saveFetch(t, s, "a", item("urn:0", "a", "https://a.example/0", "h", day))

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 1; i <= 50; i++ {
			e := item(fmt.Sprintf("urn:%d", i), "a", "", "h", day)
			if _, err := s.SaveFetch(ctx, SourceState{Name: "a"}, []entry.Entry{e}); err != nil {
				t.Error(err)
			}
		}
	}()
	backup := filepath.Join(dir, "backup.db")
	checkAt := c.Add(time.Minute)
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if got := lastCheck(t, s); !got.Equal(checkAt) {
		t.Errorf("after the backup the last check is %v, want %v: the backup checked the file", got, checkAt)
	}

	b := openFile(t, backup, c)
	defer b.Close()
	n := count(t, b)
	if n < 1 || n > 51 {
		t.Errorf("backup holds %d entries, want between 1 and 51", n)
	}
	if err := s.Backup(ctx, backup); err == nil {
		t.Error("a backup overwrote an existing file")
	}
}
