package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/store"
)

// cmdSearch prints the stored entries that best match a query.
func cmdSearch(ctx context.Context, e *env, args []string) int {
	fs, configPath := newFlagSet(e, "search", "QUERY",
		"Print the stored entries that best match QUERY, best first (newest first among equals), with\n"+
			"source, date and link. QUERY is words (all must match), \"a phrase\", prefix*, field:word\n"+
			"(title, summary, author, tag, conference, source), -word to exclude, a OR b for either.\n"+
			"Several arguments are one query.")
	limit := fs.Int("n", 20, fmt.Sprintf("print at most `N` entries (1 to %d)", store.MaxSearchResults))
	asJSON := fs.Bool("json", false, "print one JSON array of the full entries")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() == 0 || *limit < 1 || *limit > store.MaxSearchResults {
		fs.Usage()
		return exitUsage
	}
	query := strings.Join(fs.Args(), " ")
	cfg, ok := loadConfig(e, *configPath)
	if !ok {
		return exitUsage
	}
	st, err := store.Open(ctx, cfg.Store, e.now)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	defer st.Close()
	hits, err := st.Search(ctx, query, *limit)
	var qe *store.QueryError
	if errors.As(err, &qe) {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}

	if *asJSON {
		entries := make([]entry.Entry, len(hits))
		for i, h := range hits {
			entries[i] = h.Entry
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
	loc := cfg.Digest.Location // the zone the web pages show times in
	if loc == nil {
		loc = time.UTC
	}
	for i, h := range hits {
		en := &h.Entry
		fmt.Fprintf(e.stdout, "%d. %s\n   %s · %s\n   %s\n", i+1, dash(strings.TrimSpace(en.Title)),
			en.Source, en.Date().In(loc).Format("2006-01-02 15:04 MST"), dash(en.Link))
		if text := store.FragmentsText(h.Snippet); text != "" {
			fmt.Fprintf(e.stdout, "   %s\n", text)
		}
	}
	switch n := len(hits); {
	case n == 0:
		fmt.Fprintf(e.stdout, "no entry matches: %s\n", query)
	case n == 1:
		fmt.Fprintf(e.stdout, "1 match for: %s\n", query)
	case n == *limit:
		fmt.Fprintf(e.stdout, "the %d best matches for: %s (-n for more)\n", n, query)
	default:
		fmt.Fprintf(e.stdout, "%d matches for: %s\n", n, query)
	}
	return exitOK
}
