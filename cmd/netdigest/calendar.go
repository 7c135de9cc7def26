package main

import (
	"context"
	"fmt"
)

// cmdCalendar writes the calendar of talks that serve publishes at
// /talks.ics, for a static web server or a one-off import.
func cmdCalendar(ctx context.Context, e *env, args []string) int {
	fs, configPath := newFlagSet(e, "calendar", "",
		"Write the iCalendar (RFC 5545) file of every stored talk with a known time (stdout by default):\n"+
			"the same bytes `serve` publishes at /talks.ics.")
	out := fs.String("o", "", "write to `FILE` (atomically) instead of stdout")
	r, code := setup(ctx, e, fs, configPath, args, nil)
	if r == nil {
		return code
	}
	defer r.Store.Close()
	if *out != "" {
		if err := r.WriteCalendar(ctx, *out); err != nil {
			fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
			return exitPartial
		}
		return exitOK
	}
	data, err := r.Calendar(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "netdigest: %v\n", err)
		return exitPartial
	}
	e.stdout.Write(data)
	return exitOK
}
