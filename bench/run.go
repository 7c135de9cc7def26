package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/netdigest/netdigest/bench/corpusgen"
	"github.com/netdigest/netdigest/bench/server"
	"github.com/netdigest/netdigest/internal/shareddata"
)

const (
	cycleCold  = "cold"
	cycleWarm  = "warm"
	cycleChurn = "churn"
	// cycleFirst is a warm cycle of only the smallest N's sources on the
	// largest N's store: the same work as the small warm cycle with ten to a
	// hundred times the stored entries, to see what the store's size costs.
	cycleFirst = "warm, first sources"
)

// Row is one tool's cycle at one N over all runs.
type Row struct {
	Section  string       `json:"section"` // fetch, render, digest
	Tool     string       `json:"tool"`
	N        int          `json:"n"`
	Cycle    string       `json:"cycle"`
	Samples  []Sample     `json:"samples"`
	Stored   int          `json:"stored"`
	Expected int          `json:"expected"`
	What     string       `json:"what"`
	Server   server.Stats `json:"server"` // of the last run
	Changed  int          `json:"changed,omitempty"`
	Bytes    int64        `json:"bytes,omitempty"` // the tool's state on disk after the cycle
	Err      string       `json:"error,omitempty"`
	Note     string       `json:"note,omitempty"`
}

func (r *Row) wall() Stat { return stat(r.vals(func(s Sample) float64 { return s.Wall.Seconds() })) }
func (r *Row) cpu() Stat  { return stat(r.vals(func(s Sample) float64 { return s.CPU.Seconds() })) }
func (r *Row) rssMB() Stat {
	return stat(r.vals(func(s Sample) float64 { return float64(s.MaxRSS) / (1 << 20) }))
}
func (r *Row) ok() bool    { return r.Err == "" && len(r.Samples) > 0 }
func (r *Row) key() string { return fmt.Sprintf("%s/%d/%s", r.Tool, r.N, r.Cycle) }
func (r *Row) vals(f func(Sample) float64) []float64 {
	out := make([]float64, len(r.Samples))
	for i, s := range r.Samples {
		out[i] = f(s)
	}
	return out
}

type harness struct {
	work      string
	self, bin string
	srv       *serverProc
	m         *corpusgen.Manifest
	churn     float64
	tolerance float64
	log       io.Writer
	rows      []*Row
	meter     *meter
	keep      bool
	firstN    int // the smallest N, for cycleFirst
}

func cmdRun(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	var g genFlags
	g.register(fs)
	sizes := fs.String("n", "100,1000,3000", "comma-separated numbers of sources (add 10000 for the linearity check)")
	runs := fs.Int("runs", 3, "runs of each netdigest and bare-loop cycle (median, min, max)")
	peerNames := fs.String("peers", "sfeed,newsboat,rss2email,feed2exec", "peers to measure when installed (\"\" for none)")
	peerSizes := fs.String("peer-n", "100", "numbers of sources at which peers are measured (they are slow: 1000 takes minutes each)")
	peerRuns := fs.Int("peer-runs", 1, "runs of each peer cycle")
	tolerance := fs.Float64("peer-tolerance", 0.02, "a peer's stored items may differ from the expected count by this fraction (its parser's own reading of the same feeds)")
	churn := fs.Float64("churn", 0.1, "fraction of sources changed before the churn cycle")
	gz := fs.Bool("gzip", false, "the server gzips bodies for clients that accept it")
	latency := fs.Duration("latency", 0, "server delay before every answer")
	listeners := fs.Int("listeners", 16, "server ports (sources are spread over them like over hosts)")
	render := fs.Bool("render", true, "measure netdigest feed (Atom of 100 and 10,000 entries) and digest -dry-run (1,000 entries)")
	work := fs.String("work", "", "work directory: corpus, stores, logs, results (default: a new temp dir, removed unless -keep)")
	keep := fs.Bool("keep", false, "keep the work directory")
	out := fs.String("o", "", "also write the report (Markdown) to `FILE`; results.json goes beside it")
	bin := fs.String("netdigest", "", "netdigest binary to measure (default: go build ./cmd/netdigest into the work dir)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ns, err := parseInts(*sizes)
	if err != nil {
		return fmt.Errorf("-n: %w", err)
	}
	pns, err := parseInts(*peerSizes)
	if err != nil {
		return fmt.Errorf("-peer-n: %w", err)
	}
	maxN := slices.Max(append(slices.Clone(ns), pns...))
	if *render {
		maxN = max(maxN, 1000) // the 10,000-entry store takes about 450 sources
	}

	if *work == "" {
		if *work, err = os.MkdirTemp("", "netdigest-bench-"); err != nil {
			return err
		}
		if !*keep {
			defer os.RemoveAll(*work)
		}
	}
	h := &harness{work: *work, churn: *churn, tolerance: *tolerance, log: os.Stderr, keep: *keep}
	if h.self, err = os.Executable(); err != nil {
		return err
	}
	root, err := shareddata.ModuleRoot()
	if err != nil {
		return err
	}
	binDir := filepath.Join(*work, "bin")
	if h.bin = *bin; h.bin == "" {
		if h.bin, err = buildNetdigest(ctx, root, binDir); err != nil {
			return err
		}
	}
	launcher, err := buildLauncher(ctx, root, binDir)
	if err != nil {
		return err
	}
	h.meter = &meter{launcher: launcher, dir: binDir}
	h.logf("corpus: %d sources (seed %d, %.0f%% pages) in %s", maxN, g.seed, 100*g.html, filepath.Join(*work, "corpus"))
	start := time.Now()
	if h.m, err = ensureCorpus(&g, filepath.Join(*work, "corpus"), maxN); err != nil {
		return err
	}
	h.logf("corpus ready in %s", time.Since(start).Round(time.Millisecond))
	if h.srv, err = startServer(ctx, filepath.Join(*work, "corpus"), *listeners, *gz, *latency, filepath.Join(*work, "server.log")); err != nil {
		return err
	}
	defer h.srv.stop()

	nd := netdigestTool{bin: h.bin}
	bare := bareTool{self: h.self}
	h.firstN = slices.Min(ns)
	for _, n := range ns {
		c := corpusView{m: h.m, n: n, urls: h.srv.urls}
		cycles := []string{cycleCold, cycleWarm, cycleChurn}
		if n == slices.Max(ns) && n > h.firstN {
			cycles = append(cycles, cycleFirst)
		}
		// Alternate the two so that drift on the machine hits both alike.
		for r := range *runs {
			h.cycles(ctx, nd, c, r, cycles...)
			h.cycles(ctx, bare, c, r, cycleCold, cycleWarm)
		}
	}
	wanted := strings.Split(*peerNames, ",")
	for _, p := range peers() {
		if !slices.Contains(wanted, p.t.name()) {
			continue
		}
		if _, err := exec.LookPath(p.bin); err != nil {
			h.logf("%s: not installed (%s), skipped", p.t.name(), p.bin)
			continue
		}
		for _, n := range pns {
			c := corpusView{m: h.m, n: n, urls: h.srv.urls}
			if !slices.Contains(ns, n) {
				// The ratio needs netdigest and the floor at this N too.
				h.cycles(ctx, nd, c, 0, cycleCold, cycleWarm)
				h.cycles(ctx, bare, c, 0, cycleCold, cycleWarm)
			}
			for r := range *peerRuns {
				h.cycles(ctx, p.t, c, r, cycleCold, cycleWarm)
			}
		}
	}
	if *render {
		if err := h.renderAndDigest(ctx, *runs); err != nil {
			h.logf("render: %v", err)
		}
	}

	report := h.report(ns, g, *gz, *latency, *listeners)
	fmt.Print(report)
	if *out != "" {
		if err := os.WriteFile(*out, []byte(report), 0o644); err != nil {
			return err
		}
		data, _ := json.MarshalIndent(h.rows, "", "  ")
		if err := os.WriteFile(filepath.Join(filepath.Dir(*out), "results.json"), data, 0o644); err != nil {
			return err
		}
	}
	if *keep {
		h.logf("work directory kept: %s", *work)
	}
	return ctx.Err()
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no numbers in %q", s)
	}
	return out, nil
}

func buildNetdigest(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "netdigest")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/netdigest")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/netdigest: %w\n%s", err, out)
	}
	return bin, nil
}

func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(h.log, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// row returns the row for key, adding it on first use.
func (h *harness) row(section, tool string, n int, cycle string) *Row {
	for _, r := range h.rows {
		if r.Section == section && r.Tool == tool && r.N == n && r.Cycle == cycle {
			return r
		}
	}
	r := &Row{Section: section, Tool: tool, N: n, Cycle: cycle}
	h.rows = append(h.rows, r)
	return r
}

// cycles runs one fresh series of cycles of t (run r) and records each.
func (h *harness) cycles(ctx context.Context, t tool, c corpusView, r int, cycles ...string) {
	dir := filepath.Join(h.work, "tools", fmt.Sprintf("%s-%d-%d", strings.ReplaceAll(t.name(), " ", "-"), c.n, r))
	first := h.row("fetch", t.name(), c.n, cycles[0])
	if err := t.setup(dir, c); err != nil {
		first.Err = "setup: " + err.Error()
		return
	}
	if !h.keep {
		defer os.RemoveAll(dir) // a store of 10,000 sources is a few hundred MB
	}
	for _, cycle := range cycles {
		if ctx.Err() != nil {
			return
		}
		row := h.row("fetch", t.name(), c.n, cycle)
		if row.Err != "" {
			return // a failed cycle leaves the next ones meaningless
		}
		changed, fetched := 0, c.n
		if cycle == cycleFirst {
			nt, ok := t.(netdigestTool)
			if !ok {
				continue
			}
			fetched = h.firstN
			if err := nt.writeConfig(dir, corpusView{m: c.m, n: fetched, urls: c.urls}); err != nil {
				row.Err = err.Error()
				return
			}
		}
		if cycle == cycleChurn {
			res, err := h.srv.churn(h.churn, c.n)
			if err != nil {
				row.Err = err.Error()
				return
			}
			changed = len(res.Changed)
		}
		if err := h.srv.reset(); err != nil {
			row.Err = err.Error()
			return
		}
		// Write back what earlier cycles left dirty (a cold store is a few
		// hundred MB), so that no cycle pays for another's I/O.
		syscall.Sync()
		res, err := h.meter.measure(ctx, t.command(ctx, dir))
		if err != nil {
			row.Err = err.Error()
			return
		}
		st, err := h.srv.stats()
		if err != nil {
			row.Err = err.Error()
			return
		}
		stored, err := t.stored(ctx, dir, res)
		want, what := t.expected(c, cycle)
		if cycle == cycleFirst {
			row.Note = fmt.Sprintf("warm cycle of the first %d sources on the store of %d", fetched, c.n)
		}
		row.Stored, row.Expected, row.What, row.Server, row.Changed = stored, want, what, st, changed
		row.Bytes = dirSize(dir)
		switch {
		case err != nil:
			row.Err = err.Error()
		case !h.countOK(t, stored, want):
			row.Err = fmt.Sprintf("stored %d, expected %d %s", stored, want, what)
		default:
			row.Err = h.serverCheck(t, fetched, cycle, changed, st)
		}
		h.logf("%-9s N=%-5d %-5s run %d: wall %6.2fs cpu %6.2fs rss %5.0f MB; %d/%d %s; state %.0f MB; server %d×200 %d×304 (%d If-None-Match) %s",
			t.name(), c.n, cycle, r+1, res.Wall.Seconds(), res.CPU.Seconds(), float64(res.MaxRSS)/(1<<20),
			stored, want, what, float64(row.Bytes)/1e6, st.OK, st.NotModified, st.IfNoneMatch, row.Err)
		if row.Err == "" {
			row.Samples = append(row.Samples, res.Sample)
		}
	}
}

// countOK is exact for netdigest and the bare loop (the corpus was counted
// with their parsers); peers parse with their own rules, so a small
// difference is theirs to have, shown in the report.
func (h *harness) countOK(t tool, stored, want int) bool {
	switch t.(type) {
	case netdigestTool, bareTool:
		return stored == want
	}
	return want > 0 && float64(abs(stored-want)) <= h.tolerance*float64(want)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// serverCheck holds netdigest and the bare loop to what each cycle must
// send: every source fetched cold, all 304 warm, only the changed ones 200.
func (h *harness) serverCheck(t tool, n int, cycle string, changed int, st server.Stats) string {
	switch t.(type) {
	case netdigestTool, bareTool:
	default:
		return ""
	}
	var ok bool
	switch cycle {
	case cycleCold:
		ok = st.OK == int64(n) && st.NotModified == 0
	case cycleWarm, cycleFirst:
		ok = st.OK == 0 && st.NotModified == int64(n)
	case cycleChurn:
		ok = st.OK == int64(changed) && st.NotModified == int64(n-changed)
	}
	if ok {
		return ""
	}
	return fmt.Sprintf("server answered %d×200 and %d×304 to %d requests", st.OK, st.NotModified, st.Requests)
}

// dirSize is the size of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// countEntryElements counts <entry> elements of an Atom document.
func countEntryElements(doc []byte) int {
	return bytes.Count(doc, []byte("<entry>")) + bytes.Count(doc, []byte("<entry "))
}
