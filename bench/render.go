package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/netdigest/netdigest/bench/corpusgen"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/normalize/page"
	"github.com/netdigest/netdigest/store"
)

// renderAndDigest measures `netdigest feed` over stores of 100 and 10,000
// entries' worth (max_entries 100 and 10,000 of a 10,000-entry store) and
// `netdigest digest -dry-run` over a store of 1,000 undigested entries.
func (h *harness) renderAndDigest(ctx context.Context, runs int) error {
	dir := filepath.Join(h.work, "render")
	if err := freshDir(dir); err != nil {
		return err
	}
	if !h.keep {
		defer os.RemoveAll(dir)
	}
	big := filepath.Join(dir, "10000.db")
	srcs10k, err := prepareStore(ctx, h.m, filepath.Join(h.work, "corpus"), h.srv.urls, big, 10000)
	if err != nil {
		return err
	}
	for _, n := range []int{100, 10000} {
		row := h.row("render", "netdigest feed", n, "atom")
		cfg := filepath.Join(dir, fmt.Sprintf("feed-%d.yaml", n))
		if err := h.writeConfig(cfg, srcs10k, big, n); err != nil {
			return err
		}
		out := filepath.Join(dir, "feed.atom")
		for r := range runs {
			syscall.Sync()
			res, err := h.meter.measure(ctx, exec.CommandContext(ctx, h.bin, "feed", "-config", cfg, "-o", out))
			if err != nil {
				row.Err = err.Error()
				break
			}
			if res.exit != 0 {
				row.Err = fmt.Sprintf("exit status %d: %s", res.exit, tail(res.stderr.String(), 400))
				break
			}
			doc, err := os.ReadFile(out)
			if err != nil {
				row.Err = err.Error()
				break
			}
			row.Stored, row.Expected, row.What = countEntryElements(doc), n, "<entry> elements"
			if row.Stored != n {
				row.Err = fmt.Sprintf("%d entries rendered, want %d", row.Stored, n)
				break
			}
			row.Samples = append(row.Samples, res.Sample)
			h.logf("feed      N=%-5d atom  run %d: wall %6.2fs cpu %6.2fs rss %5.0f MB; %d KB",
				n, r+1, res.Wall.Seconds(), res.CPU.Seconds(), float64(res.MaxRSS)/(1<<20), len(doc)>>10)
		}
	}

	// The digest marks what it carried only when it sends, so -dry-run
	// leaves the 1,000 entries undigested for the next run.
	row := h.row("digest", "netdigest digest -dry-run", 1000, "digest")
	small := filepath.Join(dir, "1000.db")
	srcs1k, err := prepareStore(ctx, h.m, filepath.Join(h.work, "corpus"), h.srv.urls, small, 1000)
	if err != nil {
		return err
	}
	cfg := filepath.Join(dir, "digest.yaml")
	if err := h.writeConfig(cfg, srcs1k, small, 100); err != nil {
		return err
	}
	for r := range runs {
		syscall.Sync()
		res, err := h.meter.measure(ctx, exec.CommandContext(ctx, h.bin, "digest", "-dry-run", "-config", cfg))
		if err != nil {
			row.Err = err.Error()
			break
		}
		if res.exit != 0 {
			row.Note = fmt.Sprintf("skipped: `netdigest digest -dry-run` exited %d: %s", res.exit,
				tail(firstLine(res.stderr.String()+res.stdout.String()), 200))
			h.logf("digest: %s", row.Note)
			break
		}
		// -dry-run renders the message and lists its entries, "  - title [source, date]".
		row.Stored, row.Expected, row.What = strings.Count(res.stdout.String(), "\n  - "), 1000, "entries listed by the dry run"
		if row.Stored != row.Expected {
			row.Err = fmt.Sprintf("the dry run listed %d entries, want %d", row.Stored, row.Expected)
			break
		}
		row.Samples = append(row.Samples, res.Sample)
		h.logf("digest    N=1000  run %d: wall %6.2fs cpu %6.2fs rss %5.0f MB; %d KB out",
			r+1, res.Wall.Seconds(), res.CPU.Seconds(), float64(res.MaxRSS)/(1<<20), res.stdout.Len()>>10)
	}
	return nil
}

func firstLine(s string) string {
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}

func (h *harness) writeConfig(path string, sources int, db string, maxEntries int) error {
	data := h.m.Config(sources, corpusgen.ConfigOptions{
		Store: db, Output: filepath.Join(filepath.Dir(path), "out"), MaxEntries: maxEntries,
		URL: func(i int, s corpusgen.Source) string { return sourceURL(h.srv.urls, i, s) },
	})
	return os.WriteFile(path, data, 0o644)
}

// prepareStore fills a new store at path with exactly want entries from the
// corpus's first sources, in process (it is the fixture, not the
// measurement), and returns how many sources it took.
func prepareStore(ctx context.Context, m *corpusgen.Manifest, corpus string, urls []string, path string, want int) (int, error) {
	st, err := store.Open(ctx, path, time.Now)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	norm := normalize.New()
	total := 0
	for i, s := range m.Sources {
		if total == want {
			return i, nil
		}
		data, err := os.ReadFile(filepath.Join(corpus, s.File))
		if err != nil {
			return 0, err
		}
		url := sourceURL(urls, i, s)
		var doc *normalize.Document
		if s.Kind == "html" {
			doc, err = page.ParseListing(data, s.ContentType, url, corpusgen.PageRules)
		} else {
			doc, err = normalize.ParseFeed(data, s.ContentType, url)
		}
		if err != nil {
			return 0, fmt.Errorf("%s: %w", s.Name, err)
		}
		es := norm.Entries(normalize.Source{Name: s.Name, URL: url}, doc, time.Now())
		es = es[:min(len(es), want-total)]
		c, err := st.SaveFetch(ctx, store.SourceState{Name: s.Name, URL: url}, es)
		if err != nil {
			return 0, err
		}
		total += c.New
	}
	if total < want {
		return 0, fmt.Errorf("the corpus has only %d entries, want %d", total, want)
	}
	return len(m.Sources), nil
}
