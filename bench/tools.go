package main

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	_ "modernc.org/sqlite" // newsboat's cache is SQLite

	"github.com/netdigest/netdigest/bench/bareloop"
	"github.com/netdigest/netdigest/bench/corpusgen"
	"github.com/netdigest/netdigest/store"
)

// corpusView is the first n sources of a corpus as served.
type corpusView struct {
	m    *corpusgen.Manifest
	n    int
	urls []string // the server's listeners
}

func (c corpusView) sources() []corpusgen.Source { return c.m.Sources[:c.n] }
func (c corpusView) url(i int) string            { return sourceURL(c.urls, i, c.m.Sources[i]) }

// tool is one program fetching the corpus. Its state lives in dir: setup
// makes a fresh one, each cycle is one command, and stored counts what the
// tool kept (after the cycle's command ran as r).
type tool interface {
	name() string
	setup(dir string, c corpusView) error
	command(ctx context.Context, dir string) *exec.Cmd
	stored(ctx context.Context, dir string, r *run) (int, error)
	// expected is what stored should say after a cycle, and what it covers.
	expected(c corpusView, cycle string) (int, string)
}

// itemsOf sums the bare item counts of the sources whose format is in formats.
func itemsOf(c corpusView, formats ...string) int {
	n := 0
	for _, s := range c.sources() {
		if slices.Contains(formats, s.Format) {
			n += s.Items
		}
	}
	return n
}

// docItemsOf sums the items netdigest's parsers read in the sources whose
// format is in formats, except skipped templates: what a peer with its own
// tolerant parser should store.
func docItemsOf(c corpusView, formats []string, skip ...string) int {
	n := 0
	for _, s := range c.sources() {
		if slices.Contains(formats, s.Format) && !slices.Contains(skip, s.Template) {
			n += s.DocItems
		}
	}
	return n
}

var (
	feedFormats = []string{corpusgen.FormatRSS, corpusgen.FormatAtom, corpusgen.FormatRDF, corpusgen.FormatJSON}
	// xmlFormats are what the Debian peers read: sfeed 1.7 parses XML only,
	// newsboat 2.21 and feedparser 6.0 (rss2email, feed2exec) predate JSON Feed.
	xmlFormats = []string{corpusgen.FormatRSS, corpusgen.FormatAtom, corpusgen.FormatRDF}
)

// netdigestTool runs the built binary: netdigest fetch -all.
type netdigestTool struct{ bin string }

func (netdigestTool) name() string { return "netdigest" }

func (t netdigestTool) setup(dir string, c corpusView) error {
	if err := freshDir(dir); err != nil {
		return err
	}
	return t.writeConfig(dir, c)
}

// writeConfig points dir's config at c's sources (and dir's store).
func (netdigestTool) writeConfig(dir string, c corpusView) error {
	return os.WriteFile(filepath.Join(dir, "feeds.yaml"), c.m.Config(c.n, corpusgen.ConfigOptions{
		Store: filepath.Join(dir, "netdigest.db"), Output: filepath.Join(dir, "out"),
		URL: func(i int, _ corpusgen.Source) string { return c.url(i) },
	}), 0o644)
}

func (t netdigestTool) command(ctx context.Context, dir string) *exec.Cmd {
	return exec.CommandContext(ctx, t.bin, "fetch", "-all", "-config", filepath.Join(dir, "feeds.yaml"))
}

func (netdigestTool) stored(ctx context.Context, dir string, r *run) (int, error) {
	if r.exit != 0 {
		return 0, fmt.Errorf("exit status %d: %s", r.exit, tail(r.stderr.String()+r.stdout.String(), 600))
	}
	return countEntries(ctx, filepath.Join(dir, "netdigest.db"))
}

func (netdigestTool) expected(c corpusView, cycle string) (int, string) {
	_, entries, _ := c.m.Totals(c.n)
	return entries, "entries in its store"
}

func countEntries(ctx context.Context, path string) (int, error) {
	st, err := store.Open(ctx, path, nil)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	return st.CountEntries(ctx)
}

// bareTool is the bare gofeed loop of package bareloop, as a child process.
type bareTool struct{ self string }

func (bareTool) name() string { return "bare loop" }

func (t bareTool) setup(dir string, c corpusView) error {
	if err := freshDir(dir); err != nil {
		return err
	}
	targets := make([]bareloop.Target, c.n)
	for i, s := range c.sources() {
		targets[i].URL = c.url(i)
		if s.Kind == "html" {
			targets[i].ItemSelector = corpusgen.PageRules.Item
		}
	}
	return writeJSON(filepath.Join(dir, "targets.json"), targets)
}

func (t bareTool) command(ctx context.Context, dir string) *exec.Cmd {
	return exec.CommandContext(ctx, t.self, "bare", "-workers", "8",
		"-targets", filepath.Join(dir, "targets.json"), "-state", filepath.Join(dir, "state.json"))
}

func (bareTool) stored(_ context.Context, _ string, r *run) (int, error) {
	if r.exit != 0 {
		return 0, fmt.Errorf("exit status %d: %s", r.exit, tail(r.stderr.String(), 600))
	}
	var res bareloop.Result
	if err := json.Unmarshal(r.stdout.Bytes(), &res); err != nil {
		return 0, err
	}
	if res.Failed > 0 {
		return 0, fmt.Errorf("%d failed: %v", res.Failed, res.Errors)
	}
	return res.Items, nil
}

func (bareTool) expected(c corpusView, cycle string) (int, string) {
	if cycle == cycleWarm {
		return 0, "items parsed (all 304)"
	}
	return itemsOf(c, append(feedFormats, corpusgen.FormatHTML)...), "items parsed"
}

// sfeedTool is sfeed_update (a shell script: curl, sfeed, sort per feed,
// 8 jobs at a time). sfeed parses RSS and Atom, not JSON Feed.
type sfeedTool struct{}

func (sfeedTool) name() string { return "sfeed" }

func (sfeedTool) setup(dir string, c corpusView) error {
	if err := freshDir(dir); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "sfeedpath=%q\nmaxjobs=8\nfeeds() {\n", filepath.Join(dir, "feeds"))
	for i, s := range c.sources() {
		fmt.Fprintf(&b, "\tfeed %q %q\n", s.Name, c.url(i))
	}
	b.WriteString("}\n")
	return os.WriteFile(filepath.Join(dir, "sfeedrc"), []byte(b.String()), 0o644)
}

func (sfeedTool) command(ctx context.Context, dir string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "sfeed_update", filepath.Join(dir, "sfeedrc"))
	cmd.Env = append(os.Environ(), "HOME="+dir)
	return cmd
}

func (sfeedTool) stored(_ context.Context, dir string, _ *run) (int, error) {
	// sfeed_update exits non-zero when a feed fails (the pages it cannot
	// parse): the count below is the check.
	return countLines(filepath.Join(dir, "feeds"))
}

func (sfeedTool) expected(c corpusView, _ string) (int, string) {
	return docItemsOf(c, xmlFormats), "lines in its feed files (RSS, Atom, RDF items)"
}

// newsboatTool is newsboat -x reload with 8 reload threads.
type newsboatTool struct{}

func (newsboatTool) name() string { return "newsboat" }

func (newsboatTool) setup(dir string, c corpusView) error {
	if err := freshDir(dir); err != nil {
		return err
	}
	var urls strings.Builder
	for i := range c.sources() {
		fmt.Fprintln(&urls, c.url(i))
	}
	if err := os.WriteFile(filepath.Join(dir, "urls"), []byte(urls.String()), 0o644); err != nil {
		return err
	}
	conf := "reload-threads 8\nmax-items 0\ndownload-retries 1\ndownload-timeout 60\n"
	return os.WriteFile(filepath.Join(dir, "config"), []byte(conf), 0o644)
}

func (newsboatTool) command(ctx context.Context, dir string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "newsboat", "-x", "reload", "-u", filepath.Join(dir, "urls"),
		"-c", filepath.Join(dir, "cache.db"), "-C", filepath.Join(dir, "config"))
	cmd.Env = append(os.Environ(), "HOME="+dir, "LANG=C.UTF-8")
	return cmd
}

func (newsboatTool) stored(ctx context.Context, dir string, _ *run) (int, error) {
	return countRows(ctx, filepath.Join(dir, "cache.db"), "SELECT count(*) FROM rss_item")
}

func (newsboatTool) expected(c corpusView, _ string) (int, string) {
	// newsboat 2.21 reads no RSS 0.90 (Netscape's RDF namespace).
	return docItemsOf(c, xmlFormats, "miniflux/parser/rdf_UTF8.xml"), "rows of rss_item in its cache (RSS, Atom, RSS 1.0 items)"
}

// rss2emailTool is r2e run, delivering to a Maildir.
type rss2emailTool struct{}

func (rss2emailTool) name() string { return "rss2email" }

func (rss2emailTool) setup(dir string, c corpusView) error {
	if err := freshDir(dir); err != nil {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[DEFAULT]\nfrom = bench@example.invalid\nto = bench@example.invalid\n"+
		"email-protocol = maildir\nmaildir-path = %s\nmaildir-mailbox = INBOX\n", filepath.Join(dir, "Maildir"))
	for i, s := range c.sources() {
		fmt.Fprintf(&b, "\n[feed.%s]\nurl = %s\n", s.Name, c.url(i))
	}
	// r2e creates the mailbox, not the Maildir holding it.
	if err := os.MkdirAll(filepath.Join(dir, "Maildir"), 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "r2e.cfg"), []byte(b.String()), 0o644)
}

func (rss2emailTool) command(ctx context.Context, dir string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "r2e", "-c", filepath.Join(dir, "r2e.cfg"), "-d", filepath.Join(dir, "r2e.json"), "run")
	cmd.Env = append(os.Environ(), "HOME="+dir, "LANG=C.UTF-8")
	return cmd
}

func (rss2emailTool) stored(_ context.Context, dir string, _ *run) (int, error) {
	return countFiles(filepath.Join(dir, "Maildir"))
}

func (rss2emailTool) expected(c corpusView, _ string) (int, string) {
	return docItemsOf(c, xmlFormats), "messages in its Maildir (RSS, Atom, RDF items)"
}

// feed2execTool is feed2exec fetch -j 8 with the maildir output plugin.
type feed2execTool struct{}

func (feed2execTool) name() string { return "feed2exec" }

func (feed2execTool) setup(dir string, c corpusView) error {
	if err := freshDir(dir); err != nil {
		return err
	}
	var b strings.Builder
	for i, s := range c.sources() {
		fmt.Fprintf(&b, "[%s]\nurl = %s\noutput = feed2exec.plugins.maildir\nmailbox = %s\nfolder = %s\n\n",
			s.Name, c.url(i), filepath.Join(dir, "Maildir"), "INBOX")
	}
	return os.WriteFile(filepath.Join(dir, "feed2exec.ini"), []byte(b.String()), 0o644)
}

func (feed2execTool) command(ctx context.Context, dir string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "feed2exec", "--config", filepath.Join(dir, "feed2exec.ini"),
		"--database", filepath.Join(dir, "feed2exec.db"), "fetch", "-j", "8")
	cmd.Env = append(os.Environ(), "HOME="+dir, "LANG=C.UTF-8")
	return cmd
}

func (feed2execTool) stored(_ context.Context, dir string, _ *run) (int, error) {
	return countFiles(filepath.Join(dir, "Maildir"))
}

func (feed2execTool) expected(c corpusView, _ string) (int, string) {
	return docItemsOf(c, xmlFormats), "messages in its Maildir (RSS, Atom, RDF items)"
}

// peers are the Debian-packaged tools, measured when their command exists.
func peers() []struct {
	t   tool
	bin string
} {
	return []struct {
		t   tool
		bin string
	}{
		{sfeedTool{}, "sfeed_update"},
		{newsboatTool{}, "newsboat"},
		{rss2emailTool{}, "r2e"},
		{feed2execTool{}, "feed2exec"},
	}
}

func freshDir(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.MkdirAll(dir, 0o755)
}

func countLines(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			n++
		}
		return sc.Err()
	})
	return n, err
}

func countFiles(dir string) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// Maildir messages live in new/ and cur/.
		if !d.IsDir() && (filepath.Base(filepath.Dir(path)) == "new" || filepath.Base(filepath.Dir(path)) == "cur") {
			n++
		}
		return nil
	})
	return n, err
}

func countRows(ctx context.Context, path, query string) (int, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

func tail(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
