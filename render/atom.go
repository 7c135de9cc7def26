// Package render turns entries into output documents: the merged Atom feed
// (and later the digest). Pure functions: no I/O, no store, no config.
package render

import (
	"errors"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// FeedInfo describes the merged feed itself.
type FeedInfo struct {
	ID        string // stable URI
	Title     string
	Link      string // public alternate link (where people read it)
	SelfLink  string // URL the feed is served from
	Generator string // e.g. "netdigest"
	Version   string
	// Updated is used when there are no entries (otherwise the newest entry's).
	Updated time.Time
	// Sources describes each source by name for the entries' <source> element.
	Sources map[string]SourceInfo
}

// SourceInfo is what an entry's <source> element says of its origin.
type SourceInfo struct {
	Title string // the source's name as configured
	URL   string // the source's fetch URL (used as id and link)
}

// Atom renders a valid RFC 4287 feed of entries in the given order.
func Atom(info FeedInfo, entries []entry.Entry) ([]byte, error) {
	return nil, errors.New("render: not implemented")
}
