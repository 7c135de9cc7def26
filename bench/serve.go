package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/netdigest/netdigest/bench/corpusgen"
	"github.com/netdigest/netdigest/bench/server"
	"github.com/netdigest/netdigest/internal/shareddata"
)

// genFlags are the corpus options shared by gen and run.
type genFlags struct {
	seed      uint64
	html      float64
	realworld string
	page      string
}

func (g *genFlags) register(fs *flag.FlagSet) {
	root, _ := shareddata.ModuleRoot()
	fs.Uint64Var(&g.seed, "seed", 1, "corpus seed: the same seed gives the same bytes")
	fs.Float64Var(&g.html, "html", 0.05, "fraction of sources that are scraped listing pages (kind html)")
	fs.StringVar(&g.realworld, "realworld", filepath.Join(root, "..", "shared", "corpus", "realworld"), "real feeds to build sources from")
	fs.StringVar(&g.page, "page", filepath.Join(root, "normalize", "page", "testdata", "bootlin-blog.html"), "listing page template")
}

func (g *genFlags) options(dir string, n int) corpusgen.Options {
	return corpusgen.Options{Dir: dir, Sources: n, Seed: g.seed, HTMLFraction: g.html, Realworld: g.realworld, Page: g.page}
}

func cmdGen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	var g genFlags
	g.register(fs)
	n := fs.Int("n", 1000, "number of sources")
	out := fs.String("o", "corpus", "output directory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := corpusgen.Generate(g.options(*out, *n))
	if err != nil {
		return err
	}
	items, entries, size := m.Totals(*n)
	fmt.Printf("%s: %d sources, %.1f MB, %d items, %d entries\n", *out, *n, float64(size)/1e6, items, entries)
	return nil
}

// ensureCorpus reuses dir when it holds a corpus of at least n sources made
// with the same options (source i does not depend on N), else generates one.
func ensureCorpus(g *genFlags, dir string, n int) (*corpusgen.Manifest, error) {
	if m, err := corpusgen.LoadManifest(dir); err == nil && len(m.Sources) >= n &&
		m.Seed == g.seed && m.HTMLFraction == g.html {
		return m, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	return corpusgen.Generate(g.options(dir, n))
}

// ready is the one JSON line serve prints once it listens.
type ready struct {
	URLs []string `json:"urls"`
}

func cmdServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dir := fs.String("corpus", "corpus", "corpus directory (from gen)")
	listeners := fs.Int("listeners", 16, "ports to listen on (127.0.0.1); sources are spread over them like over hosts")
	port := fs.Int("port", 0, "first port (0: any free ports)")
	gz := fs.Bool("gzip", false, "gzip bodies for clients that accept it")
	latency := fs.Duration("latency", 0, "delay before every answer")
	timeout := fs.Duration("timeout", 2*time.Hour, "stop after this long")
	configOut := fs.String("config-out", "", "also write a netdigest config for the first -n sources to `FILE`")
	n := fs.Int("n", 0, "sources in -config-out (0: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s, err := server.New(*dir, server.Options{Gzip: *gz, Latency: *latency})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	// Stop when the parent goes away (its end of our stdin closes).
	go func() {
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	var urls []string
	var srvs []*http.Server
	for i := range max(1, *listeners) {
		addr := "127.0.0.1:0"
		if *port > 0 {
			addr = fmt.Sprintf("127.0.0.1:%d", *port+i)
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
		srvs = append(srvs, srv)
		urls = append(urls, "http://"+ln.Addr().String())
		go srv.Serve(ln)
	}
	if *configOut != "" {
		m, err := corpusgen.LoadManifest(*dir)
		if err != nil {
			return err
		}
		count := len(m.Sources)
		if *n > 0 {
			count = min(*n, count)
		}
		base := filepath.Dir(*configOut)
		data := m.Config(count, corpusgen.ConfigOptions{
			Store: filepath.Join(base, "netdigest.db"), Output: filepath.Join(base, "out"),
			URL: func(i int, src corpusgen.Source) string { return sourceURL(urls, i, src) },
		})
		if err := os.WriteFile(*configOut, data, 0o644); err != nil {
			return err
		}
	}
	line, _ := json.Marshal(ready{URLs: urls})
	fmt.Println(string(line))
	<-ctx.Done()
	for _, srv := range srvs {
		srv.Close()
	}
	return nil
}

// sourceURL spreads sources over the listeners round-robin, so that
// consecutive sources are on different "hosts" as on the real web.
func sourceURL(urls []string, i int, src corpusgen.Source) string {
	return urls[i%len(urls)] + "/f/" + src.File
}

// serverProc is the corpus server running as a child process, so that its
// CPU is not counted in any tool's.
type serverProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	urls  []string
	http  *http.Client
}

func startServer(ctx context.Context, dir string, listeners int, gz bool, latency time.Duration, logPath string) (*serverProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "serve", "-corpus", dir, "-listeners", fmt.Sprint(listeners),
		fmt.Sprintf("-gzip=%v", gz), "-latency", latency.String())
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = logf
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("server did not start (see %s): %w", logPath, err)
	}
	var r ready
	if err := json.Unmarshal([]byte(line), &r); err != nil || len(r.URLs) == 0 {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("server said %q", line)
	}
	return &serverProc{cmd: cmd, stdin: stdin, urls: r.URLs, http: &http.Client{Timeout: time.Minute}}, nil
}

func (p *serverProc) stop() {
	p.stdin.Close() // serve exits on EOF
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

func (p *serverProc) call(method, path string, out any) error {
	req, err := http.NewRequest(method, p.urls[0]+path, nil)
	if err != nil {
		return err
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(body))
	}
	return json.Unmarshal(body, out)
}

func (p *serverProc) reset() error {
	var st server.Stats
	return p.call("POST", "/reset", &st)
}

func (p *serverProc) stats() (server.Stats, error) {
	var st server.Stats
	err := p.call("GET", "/stats", &st)
	return st, err
}

func (p *serverProc) churn(fraction float64, n int) (server.ChurnResult, error) {
	var res server.ChurnResult
	err := p.call("POST", fmt.Sprintf("/churn?fraction=%g&n=%d", fraction, n), &res)
	if err == nil && len(res.Changed) == 0 && fraction > 0 {
		err = errors.New("churn changed nothing")
	}
	return res, err
}
