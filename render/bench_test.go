package render_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/render"
)

// BenchmarkAtom renders the merged feed of 100 and 10,000 entries with a
// 3 KB sanitized body each (about the corpus's average).
func BenchmarkAtom(b *testing.B) {
	body := strings.Repeat(`<p>Some <a href="https://example.org/x">linked</a> text about XDP &amp; eBPF.</p>`, 40)
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	info := render.FeedInfo{
		ID: "tag:example.org,2026:bench", Title: "bench", Link: "https://example.org/",
		SelfLink: "https://example.org/feed.atom", Generator: "netdigest", Updated: at,
		Sources: map[string]render.SourceInfo{},
	}
	for s := range 50 {
		name := fmt.Sprintf("source%02d", s)
		info.Sources[name] = render.SourceInfo{Title: name, URL: "https://example.org/" + name + "/feed"}
	}
	for _, n := range []int{100, 10000} {
		es := make([]entry.Entry, n)
		for i := range es {
			id := fmt.Sprintf("https://example.org/post/%d", i)
			d := at.Add(-time.Duration(i) * time.Minute)
			es[i] = entry.Entry{
				ID: id, Source: fmt.Sprintf("source%02d", i%50), Title: fmt.Sprintf("Post %d", i), Link: id,
				Authors: []string{"A. Author"}, Published: d, Updated: d, FirstSeen: d,
				Content: body, Summary: body[:300], Tags: []string{"netdev", "xdp"}, Conference: "Netdev 0x19",
			}
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			b.ReportAllocs()
			size := 0
			for b.Loop() {
				out, err := render.Atom(info, es)
				if err != nil {
					b.Fatal(err)
				}
				size = len(out)
			}
			b.SetBytes(int64(size))
		})
	}
}
