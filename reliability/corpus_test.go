package reliability

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netdigest/netdigest/internal/shareddata"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/render"
)

// fileWatchdog is how long one corpus file may take before it counts as a
// hang: far above anything a parse should need, so it detects, not times.
const fileWatchdog = 10 * time.Second

type sweepOutcome int

const (
	withEntries sweepOutcome = iota
	noEntries
	refused
	panicked
	hung
)

type sweepResult struct {
	file    string
	outcome sweepOutcome
	entries int
	msg     string
}

// corpusCategory groups a file by the directory that says what it is:
// feedparser/tests/illformed, gofeed/testdata/parser, realworld/miniflux/encoding…
func corpusCategory(rel string) string {
	parts := strings.Split(filepath.ToSlash(rel), "/")
	depth := 2
	switch parts[0] {
	case "feedparser", "gofeed", "realworld":
		depth = 3
	}
	if len(parts)-1 < depth {
		// LICENSE, SOURCE and the like beside the corpus directories.
		return strings.Join(parts[:len(parts)-1], "/") + " (files at the top)"
	}
	return strings.Join(parts[:depth], "/")
}

// sweepFile parses, normalizes and renders one file in its own goroutine,
// turning a panic into a result and giving up on it after fileWatchdog.
func sweepFile(norm *normalize.Normalizer, path string) sweepResult {
	res := sweepResult{file: path}
	data, err := os.ReadFile(path)
	if err != nil {
		res.outcome, res.msg = refused, err.Error()
		return res
	}
	done := make(chan sweepResult, 1)
	go func() {
		r := sweepResult{file: path}
		defer func() {
			if p := recover(); p != nil {
				r.outcome, r.msg = panicked, fmt.Sprintf("panic: %v\n%s", p, debug.Stack())
				done <- r
			}
		}()
		doc, err := normalize.ParseFeed(data, "", "http://corpus.example.org/feed")
		if err != nil {
			r.outcome, r.msg = refused, err.Error()
			done <- r
			return
		}
		seen := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		es := norm.Entries(normalize.Source{Name: "corpus", URL: "http://corpus.example.org/feed"}, doc, seen)
		for i := range es {
			es[i].FirstSeen = seen // as the store sets it
		}
		if _, err := render.Atom(render.FeedInfo{ID: "urn:corpus", Title: "corpus", Updated: seen}, es); err != nil {
			r.outcome, r.msg = panicked, "parsed but the Atom feed does not render: "+err.Error()
			done <- r
			return
		}
		r.entries = len(es)
		r.outcome = withEntries
		if len(es) == 0 {
			r.outcome = noEntries
		}
		done <- r
	}()
	select {
	case r := <-done:
		return r
	case <-time.After(fileWatchdog):
		res.outcome, res.msg = hung, fmt.Sprintf("no result after %s", fileWatchdog)
		return res
	}
}

func TestCorpusSweep(t *testing.T) {
	section(t, secCorpus)
	root := shareddata.Path(t, "corpus")
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	norm := normalize.New()
	results := make([]sweepResult, len(files))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results[i] = sweepFile(norm, files[i])
			}
		}()
	}
	for i := range files {
		jobs <- i
	}
	close(jobs)
	wg.Wait()

	type tally struct{ files, entries, empty, refused, panics, hangs, items int }
	byCat := map[string]*tally{}
	total := &tally{}
	for _, r := range results {
		rel, _ := filepath.Rel(root, r.file)
		cat := corpusCategory(rel)
		c := byCat[cat]
		if c == nil {
			c = &tally{}
			byCat[cat] = c
		}
		for _, tl := range []*tally{c, total} {
			tl.files++
			tl.items += r.entries
			switch r.outcome {
			case withEntries:
				tl.entries++
			case noEntries:
				tl.empty++
			case refused:
				tl.refused++
			case panicked:
				tl.panics++
			case hung:
				tl.hangs++
			}
		}
		switch r.outcome {
		case panicked:
			t.Errorf("%s: %s", rel, r.msg)
		case hung:
			t.Errorf("%s: hang: %s", rel, r.msg)
		case refused:
			t.Logf("refused %s: %s", rel, r.msg)
			if !strings.HasPrefix(r.msg, "parse: ") || len(r.msg) < len("parse: x") {
				t.Errorf("%s: unclear error %q", rel, r.msg)
			}
		}
	}

	cats := make([]string, 0, len(byCat))
	for c := range byCat {
		cats = append(cats, c)
	}
	slices.Sort(cats)
	describe := func(c *tally) string {
		return fmt.Sprintf("%d files: %d with entries (%d entries), %d parsed without entries, %d refused with an error; %d panics, %d hangs",
			c.files, c.entries, c.items, c.empty, c.refused, c.panics, c.hangs)
	}
	for i, cat := range cats {
		c := byCat[cat]
		t.Logf("%-40s %s", cat, describe(c))
		t.Run(cat, func(t *testing.T) {
			rec := recordAt(t, i, secCorpus, cat, "no panic, no hang; each file yields entries or an error starting with `parse:`")
			if c.panics > 0 || c.hangs > 0 {
				t.Errorf("%d panics, %d hangs", c.panics, c.hangs)
			}
			rec.res("%s", describe(c))
		})
	}
	t.Logf("%-40s %s", "all of ../shared/corpus", describe(total))
	t.Run("all", func(t *testing.T) {
		rec := recordAt(t, len(cats), secCorpus, "all of ../shared/corpus", "no panic, no hang in any file")
		if total.panics > 0 || total.hangs > 0 {
			t.Errorf("%d panics, %d hangs", total.panics, total.hangs)
		}
		rec.res("%s", describe(total))
	})
	// The sweep must have seen the categories the issue names.
	for _, want := range []string{"feedparser/tests/illformed", "feedparser/tests/entities", "feedparser/tests/wellformed"} {
		if byCat[want] == nil || byCat[want].files == 0 {
			t.Errorf("no files under %s", want)
		}
	}
}
