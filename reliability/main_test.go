package reliability

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/internal/shareddata"
)

// update rewrites docs/RELIABILITY.md from the rows this run observed.
var update = flag.Bool("update", false, "rewrite docs/RELIABILITY.md from what this run observed")

// Section names, in document order.
const (
	secHostile = "Hostile and broken servers"
	secCorpus  = "Malformed corpora"
	secBroken  = "Broken feeds"
	secDTD     = "XML with DTDs and entities"
	secHTML    = "Untrusted HTML"
	secCrash   = "Crashes and restarts"
	secStore   = "Corrupt store and backup"
	secDisk    = "Disk full"
	secLoad    = "Load"
	secSecrets = "No secrets in published outputs"
	secBounds  = "Size limits and foreign files"
	secPrivate = "Private networks"
	secFormats = "Changed formats and per-talk sources"
	secBackoff = "Failing sources back off"
	secOnce    = "Digests under contention"
	secMail    = "Mail failures"
	secSearch  = "Search"
	secParts   = "Feeds of a part of the whole"
	secOPML    = "OPML import"
	secReaders = "What feed readers and scrapers are given"
	secLinking = "One talk across its sources"
)

// The bounds every hostile case runs under; the document states them.
const (
	hostileConnectTimeout = "1s"
	hostileTimeout        = "2s"
	hostileMaxBody        = 1 << 20
	loadHeapBoundMB       = 300
)

// observed collects the rows of docs/RELIABILITY.md while the tests run.
// It is the one package-level value of the suite: TestMain must read what
// the tests recorded, and Go gives tests no other channel to it.
var observed = NewReport("Reliability and security",
	`What netdigest was put through and what held, as observed by the suite in `+"`reliability/`"+`
(`+"`go test ./reliability/`"+`; `+"`NETDIGEST_LOAD=1`"+` for the 2,000-source load, `+"`NETDIGEST_CRASH_ITERATIONS=N`"+`
and `+"`NETDIGEST_DIGEST_ROUNDS=N`"+` for more kill -9 rounds, `+"`NETDIGEST_CRASH_SEED`"+` to vary their kill points). Every case uses the real `+"`fetch.Client`"+`, `+"`pipeline.Runner`"+` and SQLite store, or the
built `+"`netdigest`"+` binary as a child process, against test servers on 127.0.0.1. Hostile servers run with
`+"`connect_timeout: "+hostileConnectTimeout+"`"+`, `+"`timeout: "+hostileTimeout+"`"+` and `+"`max_body_bytes: 1048576`"+` (1 MiB), and each
shares its FetchAll with a well-behaved source that must still store its entries. A case that
failed reads FAILED below; ports and temporary paths are written as PORT and TMP.`,
	Section{secHostile, "One misbehaving server per case, next to a good one in the same `FetchAll`. \"Error\" is the source's " +
		"recorded `last_error` and the run's result for it, quoted as observed."},
	Section{secCorpus, "Every file of `../shared/corpus/` through `normalize.ParseFeed` and `Normalizer.Entries`, each " +
		"with a 10 s watchdog (a hang detector, not a timing assertion). Counted per directory: files that " +
		"yielded entries, parsed with no entries, and refused with an error (all errors start with `parse:`). " +
		"Agreement with feedparser's expectations is measured by `normalize/corpus_test.go`, not here."},
	Section{secBroken, "Feeds broken in the ways real servers break them (issue #16), served over HTTP and fetched " +
		"by the pipeline: what is stored, and what the result and the source's state say. The bodies are the " +
		"fixtures of `normalize/testdata/broken/` (cut from real feeds of `../shared/corpus/`)."},
	Section{secDTD, "Documents declaring entities, served over HTTP and fetched by the pipeline. The " +
		"external entities point at `/etc/passwd` and at a test server that counts requests."},
	Section{secHTML, "Hostile markup through every output: the Atom feed (content decoded from the XML, then " +
		"parsed as HTML5), the JSON of `netdigest preview -json`, and the digest email's HTML part " +
		"(`render.NewDigestRenderer(templates.FS)`). \"Survives\" means the HTML5 parse of the output holds a " +
		"script element, an on* attribute, a javascript:/vbscript:/data: URL in a URL attribute, base, " +
		"meta refresh, link, iframe, frame, object, embed, applet, form, style with expression()/behavior/" +
		"-moz-binding/@import, or SVG animate/set (see `UnsafeHTML`)."},
	Section{secCrash, "The built binary is killed with SIGKILL at seeded random points (after a random number " +
		"of progress lines, or a random delay) while it fetches local feeds whose content changes every " +
		"round, then the store is opened and checked."},
	Section{secStore, "Damaged store files and an online backup, through the built binary."},
	Section{secDisk, "The feed file cannot be written while the rest of the run works."},
	Section{secSecrets, "Sources configured as `http://user:S3cretPass@127.0.0.1:PORT/…?token=${NAME}` (the token from the " +
		"environment; one answers 500, one redirects permanently keeping the query) and local snapshots without `base:` " +
		"(one missing), through the built binary and the web server over the store it filled. Secret strings: the " +
		"password, the token, `user:`, `user@`, `token=`; published outputs also must not show the config's directory, " +
		"`file://` or the snapshot's file name."},
	Section{secOnce, "Two netdigest processes (the built binary, or two stores on one file in process) at work on " +
		"one store at once: digests, fetch cycles, one SMTP server on 127.0.0.1 counting what it accepts. " +
		"PIDs, host names and digest ids are written as N, HOST and YYYYMMDDTHHMMSSZ."},
	Section{secMail, "What an SMTP server on 127.0.0.1 answers, or withholds, at the end of DATA, through the built " +
		"binary; and the size of a digest of 100,000 new entries, in process. Digest ids are written as YYYYMMDDTHHMMSSZ."},
	Section{secLoad, "One `FetchAll` over many sources spread over several local servers (hosts) with " +
		"latencies of 0–50 ms and 10% failures (HTTP 500 and header timeouts). Heap is sampled with " +
		"`runtime.ReadMemStats` during the run; the bound is a sanity check, not a benchmark. HeapInuse is " +
		"the Go heap only: modernc.org/sqlite allocates its page cache outside it, so the test also logs the " +
		"process's peak RSS (VmHWM, reset before the run). Measured on a 2-CPU machine: peak HeapInuse about " +
		"7 MB at 300 sources and 10 MB at 2,000."},
	Section{secBounds, "What one source or one file can make netdigest hold, store or publish: oversized items and " +
		"pages through the real pipeline and store (with `max_body_bytes` raised so the caps behind it are what " +
		"is tested), hostile characters through the served feeds, and files that are not netdigest's given to the " +
		"built binary."},
	Section{secPrivate, "Redirects and DNS answers that lead a source to loopback, private or link-local addresses, " +
		"through the pipeline with a client that refuses them (a 127.0.0.1 server stands in for the public feed " +
		"through `fetch.Options.TreatAsPublic`, and names resolve through a fake DNS server), and the opt-ins " +
		"through the built binary's feeds.yaml."},
	Section{secFormats, "Sources whose format changed under their config, and the per-talk formats (a feed split per talk, " +
		"etherpad's HTML export), served from 127.0.0.1 and fetched by the pipeline beside a good feed."},
	Section{secBackoff, "A source answering HTTP 500 through the built binary, run again at once (wall clock): " +
		"the one source policy (`pipeline.Decide`) holds it for its backoff in the CLI as in the daemon. TIME " +
		"stands for the local time printed, checked against `pipeline.BackoffEnd` of the stored state."},
	Section{secSearch, "The full-text search (issue #13) over a store the pipeline filled from the XSS vector feeds of " +
		"\"" + secHTML + "\" and a good source, through `server.New`'s `GET /search` and `store.Search`."},
	Section{secParts, "Topics and conferences named by hostile config or source data, through `pipeline.Runner` " +
		"(`PublishParts` into a temporary output directory) and the web server over the store it filled (issue #13)."},
	Section{secOPML, "Hostile and broken OPML files given to the built binary's `netdigest opml import`, each into a " +
		"config with one source and comments; \"unchanged\" is byte for byte. The report's skipped lines and summary, " +
		"or its error, are quoted."},
	Section{secReaders, "The daemon's handler (`server.New`) over a store the pipeline filled from a 127.0.0.1 feed: " +
		"`/feed.rss` as gofeed reads it, each `<description>` then parsed as HTML5 the way readers take it; " +
		"`/metrics` through Prometheus's own text parser (`prometheus/common/expfmt`)."},
	Section{secLinking, "A conference's schedule and write-ups as two sources, served from 127.0.0.1 and fetched by the " +
		"pipeline, which links their talks (`normalize/talks`); counted against the labelled pairs of " +
		"`normalize/talks/testdata/pairs.txt`."},
)

func TestMain(m *testing.M) {
	execLimited() // returns unless this process is a re-executed helper
	code := m.Run()
	if code == 0 || *update {
		// -update writes what was observed, FAILED rows included.
		if rc := finishReport(); rc != 0 {
			code = rc
		}
	}
	os.Exit(code)
}

// finishReport writes docs/RELIABILITY.md (-update) or checks it against
// the rows observed; it returns the exit status.
func finishReport() int {
	root, err := shareddata.ModuleRoot()
	if err != nil {
		fmt.Fprintf(os.Stderr, "reliability: module root: %v\n", err)
		return 1
	}
	path := filepath.Join(root, "docs", "RELIABILITY.md")
	if *update {
		if len(observed.Rows()) == 0 {
			return 0
		}
		// Keep the documented rows this run did not observe: all of them
		// after a filtered run, those of skipped cases after a complete one.
		if old, err := os.ReadFile(path); err == nil {
			rows, err := ParseMarkdown(old)
			if err != nil {
				fmt.Fprintf(os.Stderr, "reliability: %s: %v\n", path, err)
				return 1
			}
			if completeRun() {
				observed.KeepSkipped(rows)
			} else {
				observed.Keep(rows)
			}
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, "reliability:", err)
			return 1
		}
		if err := os.WriteFile(path, observed.Markdown(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "reliability:", err)
			return 1
		}
		fmt.Fprintf(os.Stderr, "reliability: wrote %s (%d cases)\n", path, len(observed.Rows()))
		return 0
	}
	committed, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: reliability: %v\nrun `go test ./reliability/ -update` to write it\n", err)
		return 1
	}
	rows, err := ParseMarkdown(committed)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: reliability: %s: %v\n", path, err)
		return 1
	}
	problems := observed.Compare(rows, completeRun())
	if len(problems) == 0 {
		return 0
	}
	fmt.Fprintf(os.Stderr, "FAIL: %s differs from what the suite observed:\n", path)
	for _, p := range problems {
		fmt.Fprintf(os.Stderr, "  %s\n", p)
	}
	fmt.Fprintln(os.Stderr, "If the new behaviour is right, run `go test ./reliability/ -update` and review the diff.")
	return 1
}

// completeRun reports whether every test ran (no -run or -skip filter).
func completeRun() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return true
}

// caseRecord is one row being observed by a (sub)test.
type caseRecord struct {
	row Row
	set bool
}

// record registers t as the case name of section. The row is added when t
// ends: with the result set by res, or FAILED; a skipped case marks its
// section incomplete instead (its documented row is then not stale).
func record(t *testing.T, section, name, expected string) *caseRecord {
	t.Helper()
	c := &caseRecord{row: Row{Section: section, Case: name, Expected: expected}}
	return c.register(t)
}

// recordAt is record with an explicit position in the section.
func recordAt(t *testing.T, order int, section, name, expected string) *caseRecord {
	t.Helper()
	c := &caseRecord{row: Row{Section: section, Case: name, Expected: expected, Order: order}}
	return c.register(t)
}

func (c *caseRecord) register(t *testing.T) *caseRecord {
	section, name := c.row.Section, c.row.Case
	t.Cleanup(func() {
		switch {
		case t.Skipped():
			observed.MarkIncomplete(section)
			return
		case t.Failed() && c.set:
			c.row.Result = "FAILED: " + c.row.Result
		case t.Failed():
			c.row.Result = "FAILED (see the test output)"
		case !c.set:
			t.Errorf("case %q recorded no result", name)
			return
		}
		if err := observed.Add(c.row); err != nil {
			t.Error(err)
		}
	})
	return c
}

// res sets the result column.
func (c *caseRecord) res(format string, args ...any) {
	c.row.Result = fmt.Sprintf(format, args...)
	c.set = true
}

// section marks section incomplete when t, a top-level test, is skipped
// before it records its cases.
func section(t *testing.T, name string) {
	t.Cleanup(func() {
		if t.Skipped() {
			observed.MarkIncomplete(name)
		}
	})
}

// skipsCases marks the named cases of sect skipped when t is skipped before
// they could run (a subtest whose data is missing): their documented rows
// then stand as they are.
func skipsCases(t *testing.T, sect string, cases ...string) {
	t.Cleanup(func() {
		if t.Skipped() {
			observed.MarkSkipped(sect, cases...)
		}
	})
}

var (
	localPort = regexp.MustCompile(`(127\.0\.0\.1|localhost|\[::1\]):\d+`)
	tmpSuffix = regexp.MustCompile(`(\.tmp-)\d+`)      // os.CreateTemp's random part
	digestID  = regexp.MustCompile(`\b\d{8}T\d{6}Z\b`) // a digest's id: its preparation time
	tmpPath   = regexp.MustCompile(regexp.QuoteMeta(filepath.Clean(os.TempDir())) + `/[^\s"']+`)
)

// stable makes an observed message the same on every run: ports,
// temporary paths, temporary file suffixes and digest ids vary.
func stable(s string) string {
	s = localPort.ReplaceAllString(s, "$1:PORT")
	s = tmpSuffix.ReplaceAllString(s, "${1}*")
	s = digestID.ReplaceAllString(s, "YYYYMMDDTHHMMSSZ")
	s = tmpPath.ReplaceAllStringFunc(s, func(p string) string {
		trimmed := strings.TrimRight(p, ":;,.)")
		return "TMP/" + filepath.Base(trimmed) + p[len(trimmed):]
	})
	return strings.TrimSpace(s)
}

// quote shows an observed message in a table cell.
func quote(s string) string {
	var b bytes.Buffer
	b.WriteString("`")
	b.WriteString(strings.ReplaceAll(stable(s), "`", "'"))
	b.WriteString("`")
	return b.String()
}
