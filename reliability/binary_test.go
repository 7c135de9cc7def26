package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/store"
)

// nd runs the built binary against one config directory.
type nd struct {
	bin, dir string
}

func (n nd) config() string { return filepath.Join(n.dir, "feeds.yaml") }
func (n nd) db() string     { return filepath.Join(n.dir, "netdigest.db") }

// command builds `netdigest SUB -config DIR/feeds.yaml ARGS…`.
func (n nd) command(ctx context.Context, sub string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, n.bin, append([]string{sub, "-config", n.config()}, args...)...)
	cmd.Dir = n.dir
	return cmd
}

// run runs a command to completion (under the watchdog) and returns its
// output and exit status.
func (n nd) run(t *testing.T, sub string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), watchdog)
	defer cancel()
	return runCmd(t, n.command(ctx, sub, args...))
}

func runCmd(t *testing.T, cmd *exec.Cmd) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		code = exit.ExitCode()
	default:
		t.Fatalf("%s: %v", strings.Join(cmd.Args, " "), err)
	}
	if cmd.ProcessState != nil && !cmd.ProcessState.Exited() {
		t.Fatalf("%s did not exit: %v (watchdog %s)\nstderr: %s", strings.Join(cmd.Args, " "), cmd.ProcessState, watchdog, errb.String())
	}
	return out.String(), errb.String(), code
}

// killed is a child started to be SIGKILLed: its stdout lines arrive on
// lines (one per finished source for fetch); exited is closed once it has
// exited and been reaped.
type killed struct {
	cmd    *exec.Cmd
	lines  chan string
	exited chan struct{}
}

func (n nd) start(t *testing.T, sub string, args ...string) *killed {
	t.Helper()
	cmd := n.command(context.Background(), sub, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	k := &killed{cmd: cmd, lines: make(chan string, 4096), exited: make(chan struct{})}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			k.lines <- sc.Text()
		}
		close(k.lines)
		cmd.Wait() // after the pipe is drained, as os/exec requires
		close(k.exited)
	}()
	t.Cleanup(func() { k.kill() })
	return k
}

// kill sends SIGKILL (harmless once it has exited) and waits until the
// process is gone; it reports whether the kill ended it, rather than its
// own exit.
func (k *killed) kill() bool {
	k.cmd.Process.Kill()
	<-k.exited
	return !k.cmd.ProcessState.Exited()
}

// envInt reads a positive integer from the environment, else def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// TestBinary runs the built netdigest as a child process: kill -9 at
// random points, corrupt stores, a backup beside a running fetch, a full
// disk, and the preview JSON of hostile HTML.
func TestBinary(t *testing.T) {
	for _, s := range []string{secCrash, secStore, secDisk, secHTML} {
		section(t, s)
	}
	bin := buildBinary(t)

	t.Run("kill -9 during fetch", func(t *testing.T) { testKillFetch(t, bin) })
	t.Run("kill -9 during digest", func(t *testing.T) { testKillDigest(t, bin) })
	t.Run("corrupt store", func(t *testing.T) { testCorruptStore(t, bin) })
	t.Run("backup during fetch", func(t *testing.T) { testBackupDuringFetch(t, bin) })
	t.Run("disk full", func(t *testing.T) { testDiskFull(t, bin) })
	t.Run("preview JSON", func(t *testing.T) { testPreviewJSON(t, bin) })
}

// storeSnapshot is what the crash checks compare between rounds.
type storeSnapshot struct {
	ids   map[string]bool
	links map[string]bool
}

// inspectStore opens the store in-process (it must open: that includes
// SQLite's quick_check), checks that no entry appears twice and that every
// source whose recorded ETag names a generation holds all of that
// generation's items (a source is saved whole or not at all), and returns
// the entries.
func inspectStore(t *testing.T, path string, farm *feedFarm) storeSnapshot {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path, nil)
	if err != nil {
		t.Fatalf("store does not open after the kill: %v", err)
	}
	defer st.Close()
	all, err := st.Latest(ctx, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	snap := storeSnapshot{ids: map[string]bool{}, links: map[string]bool{}}
	for _, e := range all {
		if snap.ids[e.ID] {
			t.Errorf("entry id %q appears twice", e.ID)
		}
		if snap.links[e.Link] {
			t.Errorf("link %q appears twice", e.Link)
		}
		snap.ids[e.ID], snap.links[e.Link] = true, true
	}
	states, err := st.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range states {
		src, gen, ok := farm.parseETag(s.ETag)
		if !ok {
			continue
		}
		for _, l := range farm.links(src, gen) {
			if !snap.links[l] {
				t.Errorf("source %s recorded ETag %s but lacks its item %s: saved partially", s.Name, s.ETag, l)
			}
		}
	}
	return snap
}

func testKillFetch(t *testing.T, bin string) {
	iterations := envInt("NETDIGEST_CRASH_ITERATIONS", 20)
	seed := uint64(envInt("NETDIGEST_CRASH_SEED", 1))
	rng := rand.New(rand.NewPCG(seed, 0x6e646967))
	t.Logf("%d iterations, seed %d (NETDIGEST_CRASH_ITERATIONS, NETDIGEST_CRASH_SEED)", iterations, seed)

	const sources = 30
	farm := newFeedFarm(t, sources, 3, hashLatency(5*time.Millisecond, 60*time.Millisecond))
	dir := t.TempDir()
	writeFile(t, dir, "feeds.yaml", binaryConfig("{workers: 4, per_host: 2, timeout: 10s, connect_timeout: 5s}", farm.urls(), ""))
	n := nd{bin: bin, dir: dir}

	rec := record(t, secCrash, "kill -9 during `netdigest fetch -all` and `netdigest run -all`",
		"after every kill the store opens, no entry appears twice, no committed entry is lost, every source is "+
			"saved whole or not at all, feed.atom is absent or a complete document; a clean run then completes "+
			"and stores every current item")
	var prev storeSnapshot
	var beforeAny, midCycle, after int
	feedPath := filepath.Join(dir, "out", "feed.atom")
	for it := range iterations {
		farm.gen.Store(int64(it))
		// Odd rounds run the whole cycle, so some kills land while the
		// feed is rendered and written.
		sub, args := "fetch", []string{"-all"}
		if it%2 == 1 {
			sub, args = "run", []string{"-all", "-no-digest"}
		}
		k := n.start(t, sub, args...)
		lines := 0
		switch {
		case it == 0:
			// Kill while the process starts: opening and migrating the store.
			time.Sleep(time.Duration(rng.IntN(5)) * time.Millisecond)
		case rng.IntN(3) == 0:
			time.Sleep(time.Duration(rng.IntN(600)) * time.Millisecond)
		default:
			// After a number of progress lines; past the last source (the
			// summary line) for run, where the feed is written next.
			want := rng.IntN(sources + 2)
			for lines < want {
				if _, ok := <-k.lines; !ok {
					break
				}
				lines++
			}
			time.Sleep(time.Duration(rng.IntN(15)) * time.Millisecond)
		}
		running := k.kill()
		for range k.lines {
			lines++
		}
		switch {
		case !running:
			after++
		case lines == 0:
			beforeAny++
		default:
			midCycle++
		}
		t.Logf("iteration %d: %s killed=%v after %d output lines", it, sub, running, lines)
		snap := inspectStore(t, n.db(), farm)
		for id := range prev.ids {
			if !snap.ids[id] {
				t.Errorf("iteration %d: entry %q committed earlier is gone", it, id)
			}
		}
		if data, err := os.ReadFile(feedPath); err == nil {
			var feed atomOut
			if err := xml.Unmarshal(data, &feed); err != nil {
				t.Errorf("iteration %d: feed.atom is not a complete document: %v", it, err)
			}
		}
		if t.Failed() {
			t.Fatalf("iteration %d failed; rerun with NETDIGEST_CRASH_SEED=%d", it, seed)
		}
		prev = snap
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "out", ".feed.atom.tmp-*")); len(left) > 0 {
		t.Logf("temporary feed files left by kills: %d (atomicfile cannot clean up after SIGKILL)", len(left))
	}
	t.Logf("kills: %d before any source finished, %d mid-cycle, %d after the process had finished", beforeAny, midCycle, after)
	if midCycle == 0 {
		t.Errorf("no kill landed mid-cycle in %d iterations: the test proves little", iterations)
	}

	farm.gen.Store(int64(iterations))
	out, errOut, code := n.run(t, "fetch", "-all")
	if code != 0 {
		t.Fatalf("clean run: exit %d\n%s\n%s", code, out, errOut)
	}
	snap := inspectStore(t, n.db(), farm)
	for s := range sources {
		for _, l := range farm.links(s, iterations) {
			if !snap.links[l] {
				t.Errorf("after the clean run, %s is missing", l)
			}
		}
	}
	for id := range prev.ids {
		if !snap.ids[id] {
			t.Errorf("entry %q committed earlier is gone after the clean run", id)
		}
	}
	rec.res("held over every round (seeded kill points: while starting, mid-cycle, while writing the feed); the clean run exited 0 with every current item stored")
}

func testPreviewJSON(t *testing.T, bin string) {
	vs := XSSVectors()
	rss, _ := vectorFeeds(vs)
	srv := httptest.NewServer(serveFeed(rss))
	defer srv.Close()
	dir := t.TempDir()
	writeFile(t, dir, "feeds.yaml", binaryConfig("", map[string]string{"vectors": srv.URL}, ""))
	n := nd{bin: bin, dir: dir}
	rec := recordAt(t, 2, secHTML, "well-known vectors → `netdigest preview -json` (the binary)", vectorsExpected(vs)+" (RSS items only)")
	out, errOut, code := n.run(t, "preview", "-json", "vectors")
	if code != 0 {
		t.Fatalf("preview: exit %d\n%s", code, errOut)
	}
	s, err := checkJSONBytes([]byte(out), func(id string) string { return "entry " + id })
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s {
		t.Error(p)
	}
	entries := strings.Count(out, `"content_hash"`)
	if want := 2*len(vs) + 4; entries != want {
		t.Errorf("preview printed %d entries, want %d", entries, want)
	}
	rec.res("%d entries checked: %d survivors", entries, len(s))
}
