package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/normalize/page"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/redact"
)

// cmdPreview fetches one source and prints what it would yield, storing
// nothing: the tool for writing and debugging selectors.
func cmdPreview(ctx context.Context, e *env, args []string) int {
	fs, configPath := newFlagSet(e, "preview", "SOURCE",
		"Fetch one source now and print the entries it would yield (title, date, link, tags, first line of\n"+
			"content) without storing anything. When a selector matches nothing it says which one.")
	asJSON := fs.Bool("json", false, "print one JSON array of full entries")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	cfg, ok := loadConfig(e, *configPath)
	if !ok {
		return exitUsage
	}
	src, ok := cfg.Source(fs.Arg(0))
	if !ok {
		fmt.Fprintf(e.stderr, "netdigest: no source named %q in %s\n", fs.Arg(0), cfg.Path)
		return exitUsage
	}
	client := newClient(e, cfg)
	resp, err := client.Get(ctx, pipeline.FetchRequest(src, src.URL))
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: source %q: %v\n", src.Name, err)
		return exitPartial
	}
	doc, err := pipeline.Parse(src, resp)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: source %q: %v\n", src.Name, err)
		var selErr *page.SelectorError
		var patErr *page.PatternError
		if errors.As(err, &selErr) || errors.As(err, &patErr) {
			key := "split.pattern"
			if selErr != nil {
				key = "select." + selErr.Name
				if selErr.Name == "heading" || selErr.Name == "time" {
					key = "split." + selErr.Name
				}
			}
			fmt.Fprintf(e.stderr, "hint: check %s of source %q (line %d of %s); 'netdigest preview' shows the result of each change\n",
				key, src.Name, src.Line, cfg.Path)
		}
		return exitPartial
	}
	entries := normalize.New(pipeline.Topics(cfg)...).Entries(pipeline.NormalizeSource(src, pipeline.DocumentURL(src, resp)), doc, e.now())
	for _, w := range doc.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	if *asJSON {
		if entries == nil {
			entries = []entry.Entry{}
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(entries); err != nil {
			fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
			return exitPartial
		}
		return exitOK
	}
	for i, en := range entries {
		date := "(no date: first-seen when stored)"
		if !en.Published.IsZero() {
			date = en.Published.Format(time.DateTime + " MST")
		}
		fmt.Fprintf(e.stdout, "%d. %s\n   date:    %s\n", i+1, en.Title, date)
		if len(en.Authors) > 0 {
			fmt.Fprintf(e.stdout, "   authors: %s\n", strings.Join(en.Authors, ", "))
		}
		printTalk(e, &en)
		fmt.Fprintf(e.stdout, "   link:    %s\n   id:      %s\n", dash(en.Link), en.ID)
		if len(en.Tags) > 0 || en.Conference != "" {
			fmt.Fprintf(e.stdout, "   tags:    %s\n", strings.Join(append(nonEmpty(en.Conference), en.Tags...), ", "))
		}
		if line := firstLine(en.Summary); line != "" {
			fmt.Fprintf(e.stdout, "   text:    %s\n", line)
		}
	}
	fmt.Fprintf(e.stdout, "%s: %d entries from %s", src.Name, len(entries), redact.String(resp.URL))
	if len(doc.Warnings) > 0 {
		fmt.Fprintf(e.stdout, ", %d warnings", len(doc.Warnings))
	}
	fmt.Fprintln(e.stdout)
	return exitOK
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// firstLine is the start of a summary, short enough for one terminal line.
func firstLine(s string) string {
	const max = 100
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}

// printTalk prints an entry's talk fields, those it has: the time in the
// talk's own zone, speakers, track and session, and the role unless news.
func printTalk(e *env, en *entry.Entry) {
	if !en.EventStart.IsZero() {
		when := en.EventStart.Format(time.DateTime + " MST")
		if !en.EventEnd.IsZero() {
			when += " – " + en.EventEnd.In(en.EventStart.Location()).Format(time.TimeOnly)
		}
		fmt.Fprintf(e.stdout, "   talk:    %s\n", when)
	}
	if len(en.Speakers) > 0 {
		names := make([]string, len(en.Speakers))
		for i, s := range en.Speakers {
			names[i] = s.String()
		}
		fmt.Fprintf(e.stdout, "   speakers: %s\n", strings.Join(names, ", "))
	}
	if en.Track != "" {
		fmt.Fprintf(e.stdout, "   track:   %s\n", en.Track)
	}
	if en.Session != "" && en.Session != en.Track {
		fmt.Fprintf(e.stdout, "   session: %s\n", en.Session)
	}
	if en.Role != "" && en.Role != entry.RoleNews {
		fmt.Fprintf(e.stdout, "   role:    %s\n", en.Role)
	}
}
