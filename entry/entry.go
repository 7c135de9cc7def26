// Package entry holds Entry, the one shape every item from every source takes
// between the normalize, store and render stages. It is a leaf: it imports
// nothing of netdigest so that all stages can share it without cycles.
package entry

import "time"

// Entry is a normalized item. Normalize fills everything it can from the
// source; the store fills FirstSeen (and Published when the item had no date)
// so dates never move on later fetches.
type Entry struct {
	// ID is stable across fetches: the item's GUID when it is an absolute URI,
	// otherwise a tag derived from the source and the GUID, the canonical
	// link, or a hash of title and date (see normalize.EntryID).
	ID string `json:"id"`
	// GUID is the item's own identifier as published, possibly empty.
	GUID string `json:"guid,omitempty"`
	// Source is the configured name of the source this entry came from.
	Source string `json:"source"`
	Title  string `json:"title"`
	// Link is canonical: absolute, host lower-cased, no utm_*, no fragment
	// except the anchor of an item that shares its page with others.
	Link    string   `json:"link,omitempty"`
	Authors []string `json:"authors,omitempty"`
	// Published is the item's own date, or the first time netdigest saw it.
	// Zero out of normalize when the item has no usable date.
	Published time.Time `json:"published,omitzero"`
	// Updated is the item's update date, or Published.
	Updated time.Time `json:"updated,omitzero"`
	// FirstSeen is when netdigest first stored the entry (set by the store).
	FirstSeen time.Time `json:"first_seen,omitzero"`
	// Content is sanitized HTML with absolute links.
	Content string `json:"content,omitempty"`
	// Summary is plain text, about 300 characters, cut at a word.
	Summary    string   `json:"summary,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	Conference string   `json:"conference,omitempty"`
	// ContentHash identifies the item's content so that a changed item is
	// detected without comparing whole bodies.
	ContentHash string `json:"content_hash"`
	// NormVersion is the version of normalize's output rules that made
	// Content, Summary and ContentHash (normalize.Version; 0 when not made by
	// normalize). A stored entry of an older version whose hash differs
	// changed because netdigest's output did, not the source: the store
	// rewrites it without marking it updated.
	NormVersion int `json:"norm_version,omitempty"`
	// RawHash identifies the parsed item this entry was made from
	// (normalize.RawHash): an item seen again with the same raw hash is
	// not normalized again.
	RawHash string `json:"raw_hash,omitempty"`
}

// Date is the time to sort and show an entry by: Published, else FirstSeen.
func (e *Entry) Date() time.Time {
	if !e.Published.IsZero() {
		return e.Published
	}
	return e.FirstSeen
}
