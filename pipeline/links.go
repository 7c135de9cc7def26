package pipeline

import (
	"context"
	"fmt"
	"slices"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/normalize/talks"
	"github.com/netdigest/netdigest/store"
)

// Relink recomputes the talk links of each conference from all its stored
// entries (normalize/talks) and replaces the stored ones, one transaction
// per conference. Links never change an entry.
func (r *Runner) Relink(ctx context.Context, conferences []string) error {
	for _, c := range conferences {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := r.Store.RelinkConference(ctx, c, storeLinks)
		if err != nil {
			return fmt.Errorf("link talks: %w", err)
		}
		r.log().Debug("talks linked", "conference", c, "links", n)
	}
	return nil
}

// storeLinks is talks.Link in the store's terms.
func storeLinks(es []entry.Entry) []store.Link {
	pairs := talks.Link(es)
	links := make([]store.Link, len(pairs))
	for i, p := range pairs {
		links[i] = store.Link{A: p.A, B: p.B, Score: p.Score, Evidence: p.Evidence}
	}
	return links
}

// touchedConferences are the conferences of the sources whose entries
// arrived or changed: the ones whose links may have.
func touchedConferences(sources []config.Source, results []Result) []string {
	conf := make(map[string]string, len(sources))
	for _, s := range sources {
		conf[s.Name] = s.Conference
	}
	var out []string
	for _, res := range results {
		c := conf[res.Source]
		if c == "" || res.Counts.New+res.Counts.Updated == 0 || slices.Contains(out, c) {
			continue
		}
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// relinkAfter relinks what results touched. A failure is logged, not a
// source's: every source was fetched and saved; the links come back with
// the next change.
func (r *Runner) relinkAfter(ctx context.Context, sources []config.Source, results []Result) {
	cs := touchedConferences(sources, results)
	if len(cs) == 0 || ctx.Err() != nil {
		return
	}
	if err := r.Relink(ctx, cs); err != nil {
		r.log().Error("link talks failed", "error", err)
	}
}
