package talks_test

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/normalize/talks"
)

// groundTruth are the sources of testdata/README.md: two schedules made for
// these tests beside the parsers' own golden output of the real write-ups
// and notes (one copy of each fixture: read where the parsers keep them).
var groundTruth = []struct {
	file       string
	source     normalize.Source
	conference string
}{
	{"testdata/netdev12-schedule.json", normalize.Source{Name: "netdevconf"}, "Netdev 1.2"},
	{"../page/testdata/netdev12-blog-split.golden.json", normalize.Source{Name: "netdev12-blog", Role: entry.RoleReport}, "Netdev 1.2"},
	{"testdata/lpc2015-schedule.json", normalize.Source{Name: "lpc2015"}, "LPC 2015"},
	{"../notes/testdata/lpc2015-networking-indented.golden.json", normalize.Source{Name: "lpc2015-notes"}, "LPC 2015"},
}

func loadGroundTruth(t *testing.T) []entry.Entry {
	t.Helper()
	now := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	var all []entry.Entry
	for _, g := range groundTruth {
		b, err := os.ReadFile(g.file)
		if err != nil {
			t.Fatal(err)
		}
		var doc normalize.Document
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", g.file, err)
		}
		src := g.source
		src.Conference = g.conference
		src.URL = doc.Link
		es := normalize.New().Entries(src, &doc, now)
		if len(es) != len(doc.Items) {
			t.Fatalf("%s: %d entries of %d items", g.file, len(es), len(doc.Items))
		}
		all = append(all, es...)
	}
	return all
}

// truePairs reads testdata/pairs.txt: conference, schedule title, the other
// trace's title ("" for a talk nobody wrote up).
func truePairs(t *testing.T) [][3]string {
	t.Helper()
	f, err := os.Open("testdata/pairs.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][3]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") || sc.Text() == "" {
			continue
		}
		p := strings.Split(sc.Text(), "\t")
		if len(p) != 3 {
			t.Fatalf("pairs.txt: %q: want 3 fields", sc.Text())
		}
		out = append(out, [3]string{p[0], p[1], p[2]})
	}
	return out
}

// TestGroundTruth measures the matcher on the reconstructed schedules: at
// least 90% of the true pairs linked, and no wrong link.
func TestGroundTruth(t *testing.T) {
	es := loadGroundTruth(t)
	byTitle := map[[2]string]string{} // source, title → id
	title := map[string]string{}
	for _, e := range es {
		k := [2]string{e.Source, e.Title}
		if _, dup := byTitle[k]; dup {
			t.Fatalf("two entries titled %q", e.Title)
		}
		byTitle[k] = e.ID
		title[e.ID] = e.Source + ": " + e.Title
	}
	// The schedule and the other source of each conference of pairs.txt.
	sources := map[string][2]string{"Netdev 1.2": {"netdevconf", "netdev12-blog"}, "LPC 2015": {"lpc2015", "lpc2015-notes"}}
	want := map[[2]string]bool{}
	var total int
	for _, p := range truePairs(t) {
		src := sources[p[0]]
		a, ok := byTitle[[2]string{src[0], p[1]}]
		if !ok {
			t.Fatalf("pairs.txt: no entry %q in %s", p[1], p[0])
		}
		if p[2] == "" {
			continue
		}
		b, ok := byTitle[[2]string{src[1], p[2]}]
		if !ok {
			t.Fatalf("pairs.txt: no entry %q in %s", p[2], p[0])
		}
		want[[2]string{min(a, b), max(a, b)}] = true
		total++
	}
	got := talks.Link(es)
	var right, wrong int
	found := map[[2]string]bool{}
	for _, p := range got {
		k := [2]string{p.A, p.B}
		found[k] = true
		t.Logf("%.2f %-22s %q ~ %q", p.Score, p.Evidence, title[p.A], title[p.B])
		if want[k] {
			right++
			continue
		}
		wrong++
		t.Errorf("wrong link (%.2f %s): %q ~ %q", p.Score, p.Evidence, title[p.A], title[p.B])
	}
	for k := range want {
		if !found[k] {
			t.Logf("missed: %q ~ %q", title[k[0]], title[k[1]])
		}
	}
	recall := float64(right) / float64(total)
	t.Logf("linking: %d of %d true pairs linked (recall %.1f%%), %d wrong links", right, total, 100*recall, wrong)
	if recall < 0.9 {
		t.Errorf("recall %.1f%%, want at least 90%%", 100*recall)
	}
}
