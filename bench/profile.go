package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/netdigest/netdigest/bench/corpusgen"
	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/fetch"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/store"
)

// cmdProfile runs cycles of the pipeline in this process, wired as
// cmd/netdigest wires it, and writes pprof CPU and alloc profiles of each.
// The corpus server is still a separate process, so the profiles show only
// netdigest's side.
func cmdProfile(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("profile", flag.ContinueOnError)
	var g genFlags
	g.register(fs)
	n := fs.Int("n", 1000, "number of sources")
	out := fs.String("o", "profiles", "directory for the profiles and the corpus")
	cycles := fs.String("cycles", "cold", "comma-separated cycles to profile, in order: cold, warm, churn")
	top := fs.Int("top", 25, "print go tool pprof -top with this many lines per profile (0: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	corpus := filepath.Join(*out, "corpus")
	m, err := ensureCorpus(&g, corpus, *n)
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, corpus, 16, false, 0, filepath.Join(*out, "server.log"))
	if err != nil {
		return err
	}
	defer srv.stop()
	state := filepath.Join(*out, "state")
	if err := freshDir(state); err != nil {
		return err
	}
	defer os.RemoveAll(state)
	cfgPath := filepath.Join(state, "feeds.yaml")
	if err := os.WriteFile(cfgPath, m.Config(*n, corpusgen.ConfigOptions{
		Store: filepath.Join(state, "netdigest.db"), Output: filepath.Join(state, "out"),
		URL: func(i int, s corpusgen.Source) string { return sourceURL(srv.urls, i, s) },
	}), 0o644); err != nil {
		return err
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.Store, time.Now)
	if err != nil {
		return err
	}
	defer st.Close()
	r := &pipeline.Runner{
		Config: cfg,
		Store:  st,
		Client: fetch.New(fetch.Options{
			UserAgent: "netdigest/bench", ConnectTimeout: cfg.Fetch.ConnectTimeout, Timeout: cfg.Fetch.Timeout,
			MaxBodyBytes: cfg.Fetch.MaxBodyBytes, PerHost: cfg.Fetch.PerHost,
			AllowPrivateNetworks: cfg.Fetch.AllowPrivateNetworks,
		}),
		Normalizer: normalize.New(pipeline.Topics(cfg)...),
		Version:    "bench",
	}
	parsed, err := parseCycles(*cycles)
	if err != nil {
		return err
	}
	for _, cycle := range parsed {
		if cycle == cycleChurn {
			if _, err := srv.churn(0.1, *n); err != nil {
				return err
			}
		}
		cpuPath := filepath.Join(*out, cycle+".cpu.pprof")
		allocPath := filepath.Join(*out, cycle+".alloc.pprof")
		f, err := os.Create(cpuPath)
		if err != nil {
			return err
		}
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		start := time.Now()
		results := r.FetchAll(ctx, cfg.Sources, pipeline.FetchOptions{All: true})
		wall := time.Since(start)
		pprof.StopCPUProfile()
		f.Close()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		failed := 0
		for _, res := range results {
			if res.Failed() {
				failed++
			}
		}
		count, _ := st.CountEntries(ctx)
		fmt.Printf("%s: %d sources in %s, %d failed, %d entries stored; allocated %.0f MB in %d objects, heap in use %.0f MB\n",
			cycle, len(results), wall.Round(time.Millisecond), failed, count,
			float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), after.Mallocs-before.Mallocs, float64(after.HeapInuse)/(1<<20))
		// The allocs profile is cumulative since the process started:
		// profile one cycle per process to read it alone.
		af, err := os.Create(allocPath)
		if err != nil {
			return err
		}
		if err := pprof.Lookup("allocs").WriteTo(af, 0); err != nil {
			return err
		}
		af.Close()
		if *top > 0 {
			for _, p := range []struct{ path, flag string }{{cpuPath, ""}, {allocPath, "-sample_index=alloc_space"}} {
				args := []string{"tool", "pprof", "-top", fmt.Sprintf("-nodecount=%d", *top)}
				if p.flag != "" {
					args = append(args, p.flag)
				}
				out, err := exec.CommandContext(ctx, "go", append(args, p.path)...).CombinedOutput()
				if err != nil {
					return fmt.Errorf("go tool pprof: %w\n%s", err, out)
				}
				fmt.Printf("\n--- %s\n%s\n", p.path, out)
			}
		}
	}
	return nil
}

func parseCycles(s string) ([]string, error) {
	var out []string
	for _, c := range strings.Split(s, ",") {
		c = strings.TrimSpace(c)
		switch c {
		case cycleCold, cycleWarm, cycleChurn:
			out = append(out, c)
		default:
			return nil, fmt.Errorf("-cycles: unknown cycle %q", c)
		}
	}
	return out, nil
}
