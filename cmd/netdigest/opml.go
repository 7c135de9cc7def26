package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/netdigest/netdigest/atomicfile"
	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/opml"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/redact"
)

// maxOPMLBytes bounds the file import reads: a reader's export of thousands
// of feeds is a few MiB.
const maxOPMLBytes = 16 << 20

func cmdOPML(ctx context.Context, e *env, args []string) int {
	usage := func() {
		fmt.Fprint(e.stderr, "Usage:\n  netdigest opml export [-config FILE] [-o FILE]\n  netdigest opml import [-config FILE] [-n] OPMLFILE\n\n"+
			"Run 'netdigest opml export -h' or 'netdigest opml import -h' for details.\n")
	}
	if len(args) == 0 {
		usage()
		return exitUsage
	}
	switch args[0] {
	case "export":
		return cmdOPMLExport(ctx, e, args[1:])
	case "import":
		return cmdOPMLImport(ctx, e, args[1:])
	case "-h", "--help", "help":
		usage()
		return exitOK
	}
	fmt.Fprintf(e.stderr, "netdigest opml: unknown subcommand %q\n\n", args[0])
	usage()
	return exitUsage
}

func cmdOPMLExport(ctx context.Context, e *env, args []string) int {
	fs, configPath := newFlagSet(e, "opml export", "",
		"Write every source as OPML 2.0, the subscription list feed readers import (stdout by default):\n"+
			"feeds with their xmlUrl, pages with their htmlUrl, grouped by conference. Only public URLs are\n"+
			"written (no user name, password or query); a file:// snapshot without base is named only.\n"+
			"The daemon serves the same file at /sources.opml.")
	out := fs.String("o", "", "write to `FILE` (atomically) instead of stdout")
	cfg, code := parseAndLoad(e, fs, configPath, args, 0)
	if cfg == nil {
		return code
	}
	data, err := opml.Marshal(pipeline.OPML(cfg))
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	if *out == "" {
		e.stdout.Write(data)
		return exitOK
	}
	if err := atomicfile.Write(*out, data, 0o644); err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	return exitOK
}

// importEnv stands in for the environment while importing: the config is
// checked and edited, never fetched, so its secrets are not needed.
func importEnv(string) (string, bool) { return "netdigest-import", true }

func cmdOPMLImport(ctx context.Context, e *env, args []string) int {
	fs, configPath := newFlagSet(e, "opml import", "OPMLFILE",
		"Add the feeds of an OPML file (a feed reader's export) to the config as kind feed sources: each\n"+
			"named from its outline's text, its folders as tags, a netdigest export's conference folders as\n"+
			"conference. Feeds whose URL is already configured, pages and non-http(s) URLs are skipped and\n"+
			"listed. The config keeps its text and comments: the sources are added at the end of its sources\n"+
			"list, and the result is checked before it replaces the file (atomically).")
	dryRun := fs.Bool("n", false, "print what would be added; change nothing")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	file := fs.Arg(0)
	doc, err := readOPML(file)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitUsage
	}
	// Edit the file a symlink points to, not the link; read it as Load
	// would read the link (relative paths from the link's directory).
	path, err := filepath.EvalSymlinks(*configPath)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: config: %v\n", err)
		return exitUsage
	}
	data, err := config.ReadFile(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: config: %v\n", err)
		return exitUsage
	}
	var existing []config.Source
	cfg, err := config.ParseEnv(*configPath, data, importEnv)
	if n, _ := config.CountSources(data); err != nil && n > 0 {
		// A config lacking only its sources is what an import fills;
		// anything else wrong is for the person to fix first.
		fmt.Fprintf(e.stderr, "netdigest: %s has problems; fix them before importing:\n%v\n", path, err)
		return exitUsage
	} else if err == nil {
		existing = cfg.Sources
	}

	plan := pipeline.PlanImport(existing, doc)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	for _, s := range plan.Skipped {
		fmt.Fprintf(tw, "skipped\t%s:%d\t%s\t%s: %s\n", file, s.Line, dash(s.Label), dash(s.URL), s.Reason)
	}
	tw.Flush() // the two tables have their own columns
	// The added ones are listed once they are (or, with -n, would be).
	listAdded := func(verb string) {
		for _, a := range plan.Add {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", verb, a.Name, redact.String(a.URL), describeNew(a))
		}
		tw.Flush()
	}
	if len(plan.Add) == 0 {
		fmt.Fprintf(e.stdout, "nothing to add to %s (%d skipped)\n", path, len(plan.Skipped))
		return exitOK
	}
	header := fmt.Sprintf("Added by 'netdigest opml import %s' on %s.", filepath.Base(file), e.now().Format(time.DateOnly))
	plan.Add[0].Comment = strings.TrimSuffix(header+"\n"+plan.Add[0].Comment, "\n")
	out, err := config.AppendSources(data, plan.Add)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %s was not changed: %v\n", path, err)
		return exitUsage
	}
	if len(out) > config.MaxFileBytes {
		fmt.Fprintf(e.stderr, "netdigest: %s was not changed: with %s it would be larger than %d bytes, more than netdigest reads\n",
			path, feeds(len(plan.Add)), config.MaxFileBytes)
		return exitUsage
	}
	if _, err := config.ParseEnv(*configPath, out, importEnv); err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %s was not changed: with the new sources it would not be valid:\n%v\n", path, err)
		return exitUsage
	}
	if *dryRun {
		listAdded("would add")
		fmt.Fprintf(e.stdout, "%s would be added to %s, %d skipped (-n: nothing written)\n", feeds(len(plan.Add)), path, len(plan.Skipped))
		return exitOK
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	if err := atomicfile.Write(path, out, mode); err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	listAdded("added")
	fmt.Fprintf(e.stdout, "%s added to %s, %d skipped; 'netdigest check' lists them\n", feeds(len(plan.Add)), path, len(plan.Skipped))
	return exitOK
}

func feeds(n int) string {
	if n == 1 {
		return "1 feed"
	}
	return fmt.Sprintf("%d feeds", n)
}

func describeNew(a config.NewSource) string {
	var parts []string
	if a.Conference != "" {
		parts = append(parts, "conference "+a.Conference)
	}
	if len(a.Tags) > 0 {
		parts = append(parts, "tags "+strings.Join(a.Tags, ", "))
	}
	return dash(strings.Join(parts, "; "))
}

// readOPML reads and parses file; errors name it, with the line when known.
func readOPML(file string) (*opml.Document, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxOPMLBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxOPMLBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB: not an OPML subscription list?", file, maxOPMLBytes>>20)
	}
	doc, err := opml.Parse(data)
	var oe *opml.Error
	if errors.As(err, &oe) && oe.Line > 0 {
		return nil, fmt.Errorf("%s:%d: %s", file, oe.Line, oe.Msg)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return doc, nil
}
