package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/store"
)

// benchEntries are n entries of about the corpus's average size (a 3 KB
// sanitized body), with ids and links made unique by prefix.
func benchEntries(source, prefix string, n int, at time.Time) []entry.Entry {
	body := strings.Repeat(`<p>Some <a href="https://example.org/x">linked</a> text about XDP and eBPF.</p>`, 40)
	es := make([]entry.Entry, n)
	for i := range es {
		id := fmt.Sprintf("https://example.org/%s/%s/%d", source, prefix, i)
		es[i] = entry.Entry{
			ID: id, GUID: id, Source: source, Title: fmt.Sprintf("Post %s %d", prefix, i), Link: id,
			Authors: []string{"A. Author"}, Published: at.Add(-time.Duration(i) * time.Hour),
			Updated: at.Add(-time.Duration(i) * time.Hour), Content: body, Summary: body[:300],
			Tags: []string{"netdev"}, ContentHash: fmt.Sprintf("%064x", i),
		}
	}
	return es
}

// BenchmarkSaveFetch is one source's fetch of 100 entries written to a
// file database (WAL): all new, or all unchanged (same content hash).
func BenchmarkSaveFetch(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), func() time.Time { return now })
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	state := store.SourceState{Name: "bench", URL: "https://example.org/feed"}
	b.Run("new-100", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			c, err := st.SaveFetch(ctx, state, benchEntries("bench", fmt.Sprint(i), 100, now))
			if err != nil || c.New != 100 {
				b.Fatalf("%+v, %v", c, err)
			}
		}
	})
	b.Run("unchanged-100", func(b *testing.B) {
		es := benchEntries("bench", "same", 100, now)
		if _, err := st.SaveFetch(ctx, state, es); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			c, err := st.SaveFetch(ctx, state, es)
			if err != nil || c.Unchanged != 100 {
				b.Fatalf("%+v, %v", c, err)
			}
		}
	})
}
