// Command netdigest aggregates Linux networking news from feeds and pages
// into one Atom feed and a digest. This file only parses the command line and
// wires the packages together; the work is in pipeline and the stages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
	// Time zones for digest.timezone and Indico dates on machines without a zoneinfo database.
	_ "time/tzdata"
)

// Exit statuses, documented in every command's -h.
const (
	exitOK      = 0
	exitPartial = 1 // some source failed; the rest was done
	exitUsage   = 2 // bad config or usage; nothing was fetched
)

func main() {
	// A fetch cycle is parse-heavy and most of its garbage dies young:
	// collecting at 200 % growth instead of 100 % cut cold-cycle CPU by
	// about 8 % for about 30 % more peak memory, still under 100 MB at
	// 3,000 sources (BENCHMARKS.md). GOGC in the environment still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdout: os.Stdout, stderr: os.Stderr, now: time.Now, version: version()})
	stop()
	os.Exit(code)
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *env, args []string) int
}

// env is what every command gets: where to write, the clock (fixed in
// tests) and the build's version.
type env struct {
	stdout, stderr io.Writer
	now            func() time.Time
	version        string
	// hangups replaces SIGHUP for serve (nil: the real signal), so tests
	// reload without signalling the whole test process.
	hangups <-chan os.Signal
}

func commands() []command {
	return []command{
		{"check", "validate the config and list the sources", cmdCheck},
		{"fetch", "fetch due sources into the store", cmdFetch},
		{"feed", "write the merged Atom feed", cmdFeed},
		{"calendar", "write the iCalendar file of the talks (/talks.ics)", cmdCalendar},
		{"run", "one full cycle: fetch due sources, then write <output>/feed.atom", cmdRun},
		{"preview", "fetch one source and print its entries without storing them", cmdPreview},
		{"digest", "prepare and deliver the digest of what is new since the last one", cmdDigest},
		{"serve", "run the daemon: fetch and digest on schedule, serve the feed and a web page", cmdServe},
		{"backup", "write a consistent copy of the store, safe while the daemon runs", cmdBackup},
		{"search", "print the stored entries that best match a query", cmdSearch},
		{"opml", "export the sources as OPML, or import an OPML file's feeds into the config", cmdOPML},
	}
}

func run(ctx context.Context, args []string, e *env) int {
	stderr := e.stderr
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "version" || args[0] == "-version" {
		fmt.Fprintln(e.stdout, "netdigest", e.version)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "netdigest: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, "netdigest aggregates Linux networking news into one Atom feed.\n\nUsage:\n  netdigest <command> [flags] [args]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "  version  print the version\n\nRun 'netdigest <command> -h' for a command's flags.\n")
}

// newFlagSet builds a command's flags with the shared -config flag and a -h
// text that explains the command and the exit statuses.
func newFlagSet(e *env, name, argsUsage, about string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	configPath := fs.String("config", "feeds.yaml", "config `file`")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: netdigest %s [flags] %s\n\n%s\n\nFlags:\n", name, argsUsage, about)
		fs.PrintDefaults()
		fmt.Fprint(e.stderr, "\nExit status: 0 all well, 1 some source failed (the rest done), 2 bad config or usage.\n")
	}
	return fs, configPath
}

// parseFlags returns -1 to go on, or the exit status to return now.
func parseFlags(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	return -1
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
