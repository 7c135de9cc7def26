package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/netdigest/netdigest/entry"
)

// The queries behind the feeds and pages of a part of the whole: one
// topic's entries, or one conference's. Names are matched exactly; the
// caller (pipeline.Parts) gathers every spelling that belongs to a part.

// latestOrder is Latest's order, so a part's feed sorts as the whole does.
const latestOrder = " ORDER BY published DESC, first_seen DESC, id DESC LIMIT ?"

// LatestTagged returns the newest limit entries carrying any of tags,
// newest first as Latest orders them. No tags: no entries.
func (s *Store) LatestTagged(ctx context.Context, tags []string, limit int) ([]entry.Entry, error) {
	return s.latestWhere(ctx, "tagged", tags, limit,
		" WHERE EXISTS (SELECT 1 FROM json_each(entries.tags) AS t WHERE t.value IN (SELECT value FROM json_each(?)))")
}

// LatestOfConference returns the newest limit entries whose conference is
// one of names, newest first as Latest orders them. No names: no entries.
func (s *Store) LatestOfConference(ctx context.Context, names []string, limit int) ([]entry.Entry, error) {
	return s.latestWhere(ctx, "of conference", names, limit,
		" WHERE conference IN (SELECT value FROM json_each(?))")
}

func (s *Store) latestWhere(ctx context.Context, what string, names []string, limit int, where string) ([]entry.Entry, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("store: latest %s %q: limit %d, want > 0", what, names, limit)
	}
	if len(names) == 0 {
		return nil, nil
	}
	// One JSON array parameter, whatever the number of names.
	list, err := json.Marshal(names)
	if err != nil {
		return nil, fmt.Errorf("store: latest %s %q: %w", what, names, err)
	}
	es, err := s.queryEntries(ctx, selectEntry+where+latestOrder, string(list), limit)
	if err != nil {
		return nil, fmt.Errorf("store: latest %s %q: %w", what, names, err)
	}
	return es, nil
}

// Tags returns every tag some stored entry carries, each spelling once,
// sorted.
func (s *Store) Tags(ctx context.Context) ([]string, error) {
	return s.strings(ctx, "tags",
		"SELECT DISTINCT t.value FROM entries, json_each(entries.tags) AS t WHERE t.value <> '' ORDER BY 1")
}

// Conferences returns every conference some stored entry is of, each
// spelling once, sorted.
func (s *Store) Conferences(ctx context.Context) ([]string, error) {
	return s.strings(ctx, "conferences",
		"SELECT DISTINCT conference FROM entries WHERE conference <> '' ORDER BY 1")
}

func (s *Store) strings(ctx context.Context, what, query string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	return out, nil
}
