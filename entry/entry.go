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

	// Talk fields: what the entry says of the conference talk it is about.
	// EventStart and EventEnd are the talk's time in its own time zone when
	// the source gives it (zero otherwise). Unlike Published they may lie in
	// the future and are never clamped. A talk known only by its day (notes
	// with a configured date) starts at 00:00 UTC of that day, without end.
	EventStart time.Time `json:"event_start,omitzero"`
	EventEnd   time.Time `json:"event_end,omitzero"`
	// Speakers are the talk's speakers, which are not the item's Authors
	// (the blogger who wrote a report, nobody for a schedule's abstract).
	Speakers []Speaker `json:"speakers,omitempty"`
	Session  string    `json:"session,omitempty"`
	Track    string    `json:"track,omitempty"`
	// Role says what the entry is to its talk; RoleNews for anything else.
	Role Role `json:"role,omitempty"`

	// Related are the other traces of the entry's talk: the entries of
	// other sources that normalize/talks linked it to. The store fills it on
	// read (never from a source, never in ContentHash), ordered by role
	// then source.
	Related []Related `json:"related,omitempty"`
}

// Related is another entry about the same talk, as the outputs show it.
type Related struct {
	ID     string `json:"id"`
	Link   string `json:"link,omitempty"`
	Source string `json:"source"`
	Role   Role   `json:"role,omitempty"`
	Title  string `json:"title"`
}

// Label names the trace in one line of traces ("Notes · Write-up by
// bootlin · Slides"): its role, with the source for a write-up and for
// an entry that is no particular kind of trace.
func (r Related) Label() string {
	switch r.Role {
	case RoleAbstract:
		return "Abstract"
	case RoleReport:
		return "Write-up by " + r.Source
	case RoleNotes:
		return "Notes"
	case RoleSlides:
		return "Slides"
	case RoleVideo:
		return "Video"
	}
	return r.Source
}

// Speaker is a person giving a talk.
type Speaker struct {
	Name        string `json:"name"`
	Affiliation string `json:"affiliation,omitempty"`
}

// String is "Name (Affiliation)", the affiliation only when known.
func (s Speaker) String() string {
	if s.Affiliation == "" {
		return s.Name
	}
	return s.Name + " (" + s.Affiliation + ")"
}

// Role is what an entry is to the talk it is about.
type Role string

// The roles, in the words a config's role: uses.
const (
	RoleAbstract Role = "abstract" // the talk as scheduled (Indico, a schedule page)
	RoleReport   Role = "report"   // a write-up after the talk
	RoleNotes    Role = "notes"    // notes taken in the room
	RoleSlides   Role = "slides"
	RoleVideo    Role = "video"
	RoleNews     Role = "news" // not about one talk: the default
)

// Roles lists every role, for validation and messages (a new slice each
// call: no package-level state to mutate).
func Roles() []Role {
	return []Role{RoleAbstract, RoleReport, RoleNotes, RoleSlides, RoleVideo, RoleNews}
}

// Byline is who an entry is by, for the outputs that show one line of
// people: its authors, else its speakers as "Name (Affiliation)". nil when
// it has neither.
func (e *Entry) Byline() []string {
	if len(e.Authors) > 0 {
		return e.Authors
	}
	var out []string
	for _, s := range e.Speakers {
		if s.Name != "" {
			out = append(out, s.String())
		}
	}
	return out
}

// Date is the time to sort and show an entry by: Published, else FirstSeen.
func (e *Entry) Date() time.Time {
	if !e.Published.IsZero() {
		return e.Published
	}
	return e.FirstSeen
}
