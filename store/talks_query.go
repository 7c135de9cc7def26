package store

import (
	"context"
	"fmt"

	"github.com/netdigest/netdigest/entry"
)

// Talks returns the entries with a known event_start (the calendar's
// talks), earliest first, then by id: every one, not the latest few, since
// a calendar shows a whole programme. conference, when not "", keeps only
// that conference's (Entry.Conference, exactly), for a calendar per
// conference.
func (s *Store) Talks(ctx context.Context, conference string) ([]entry.Entry, error) {
	// event_start is UTC text of a fixed width (timeLayout): it sorts as time.
	es, err := s.queryEntries(ctx, selectEntry+
		" WHERE event_start IS NOT NULL AND (? = '' OR conference = ?) ORDER BY event_start, id",
		conference, conference)
	if err != nil {
		if conference != "" {
			return nil, fmt.Errorf("store: talks of conference %q: %w", conference, err)
		}
		return nil, fmt.Errorf("store: talks: %w", err)
	}
	return es, nil
}
