package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/netdigest/netdigest/bench/bareloop"
)

// Sample is one measured child process.
type Sample struct {
	Wall   time.Duration `json:"wall"`
	CPU    time.Duration `json:"cpu"`     // user + sys, the child and the children it waited for
	MaxRSS int64         `json:"max_rss"` // bytes, the largest process of the tree
}

// run is one measured child process and what it printed.
type run struct {
	Sample
	stdout, stderr bytes.Buffer
	exit           int
}

// meter runs commands through the rusage launcher (see bench/rusage).
type meter struct {
	launcher string // the built rusage binary
	dir      string // for its reports
	seq      int
}

// measure runs cmd to completion and reads its usage. A non-zero exit is
// returned in exit, not as an error: the caller decides what it means.
func (m *meter) measure(ctx context.Context, cmd *exec.Cmd) (*run, error) {
	m.seq++
	report := filepath.Join(m.dir, fmt.Sprintf("rusage-%d.json", m.seq))
	defer os.Remove(report)
	wrapped := exec.CommandContext(ctx, m.launcher, append([]string{"-o", report, "--", cmd.Path}, cmd.Args[1:]...)...)
	wrapped.Env, wrapped.Dir = cmd.Env, cmd.Dir
	r := &run{}
	wrapped.Stdout, wrapped.Stderr = &r.stdout, &r.stderr
	err := wrapped.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		return nil, err
	}
	var u struct {
		WallNS   int64 `json:"wall_ns"`
		UserNS   int64 `json:"user_ns"`
		SysNS    int64 `json:"sys_ns"`
		MaxRSSKB int64 `json:"max_rss_kb"`
		Exit     int   `json:"exit"`
	}
	if err := readJSON(report, &u); err != nil {
		return nil, fmt.Errorf("%s: no usage report (%w): %s", cmd.Path, err, tail(r.stderr.String(), 300))
	}
	r.exit = u.Exit
	r.Wall = time.Duration(u.WallNS)
	r.CPU = time.Duration(u.UserNS + u.SysNS)
	r.MaxRSS = u.MaxRSSKB * 1024
	return r, nil
}

// buildLauncher builds bench/rusage into dir.
func buildLauncher(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "rusage")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./bench/rusage")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./bench/rusage: %w\n%s", err, out)
	}
	return bin, nil
}

// Stat is the median, min and max of one measure over runs.
type Stat struct {
	Median, Min, Max float64
}

func stat(vals []float64) Stat {
	if len(vals) == 0 {
		return Stat{}
	}
	s := slices.Clone(vals)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stat{Median: med, Min: s[0], Max: s[len(s)-1]}
}

// cmdBare is one cycle of the bare loop, run by the harness as a child
// process so that its CPU and RSS are measured like any other tool's.
func cmdBare(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bare", flag.ContinueOnError)
	targetsPath := fs.String("targets", "", "JSON list of targets")
	statePath := fs.String("state", "", "validators file, read and rewritten (conditional GET)")
	workers := fs.Int("workers", 8, "workers")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var targets []bareloop.Target
	if err := readJSON(*targetsPath, &targets); err != nil {
		return err
	}
	state := map[string]bareloop.Validators{}
	if err := readJSON(*statePath, &state); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	client := &http.Client{Timeout: time.Minute}
	res := bareloop.Run(ctx, client, targets, state, *workers)
	if err := writeJSON(*statePath, state); err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

func writeJSON(path string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
