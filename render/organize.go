package render

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/netdigest/netdigest/entry"
)

// Talk is one talk of a conference as the digest and the web page show it:
// one card for all its traces (abstract, write-ups, notes, slides…).
type Talk struct {
	// Main is the trace whose title and text the card shows: the abstract,
	// else a report, else the first trace by role.
	Main entry.Entry
	// Traces are all the talk's entries, Main included, by role then source.
	Traces []entry.Entry
	// Start and End are the talk's time: the earliest EventStart of its
	// traces and that trace's EventEnd (zero when no trace gives one).
	Start, End time.Time
}

// Organization is what Organize needs besides the entries.
type Organization struct {
	// Topics are topic names in config order: the grouping order after
	// conferences.
	Topics []string
	// Related maps an entry id to the ids of the other traces of its talk,
	// besides those its entry.Related (the store's links) names. It may be
	// nil or one-sided: traces are joined when either names the other.
	Related map[string][]string
	// Now tells talks coming up (EventStart after Now) from the others; a
	// zero Now puts none in Coming.
	Now time.Time
}

// roleNews is roleRank's answer for an entry not about one talk.
const roleNews = 5

// roleRank orders the roles of a talk's traces as a card prefers them for
// its text and lists them: abstract, report, notes, slides, video; then news.
func roleRank(r entry.Role) int {
	switch r {
	case entry.RoleAbstract:
		return 0
	case entry.RoleReport:
		return 1
	case entry.RoleNotes:
		return 2
	case entry.RoleSlides:
		return 3
	case entry.RoleVideo:
		return 4
	}
	return roleNews
}

// isTalk says whether an entry of a conference is about one talk: a talk
// role, or a time of its own.
func isTalk(e *entry.Entry) bool {
	return roleRank(e.Role) < roleNews || !e.EventStart.IsZero()
}

// Organize is the one grouping of entries that the digest and the web page
// show. Groups: one per conference (newest first), then one per topic of
// o.Topics that an entry without conference carries as a tag (the first such
// topic wins), then OtherNews; empty groups are left out. Within a
// conference, its talks (traces joined by o.Related into one Talk) go to
// Coming (EventStart after o.Now, soonest first) or Talks (in time order:
// EventStart, talks without one after, then by date and the order entries
// came in, which for entries of one page is the page's), and the rest to
// News, newest first. Topic and other groups list their entries newest
// first. Every group's Entries holds each of its entries once, in listing
// order. entries is not modified.
func Organize(entries []entry.Entry, o Organization) []DigestGroup {
	groups := groupEntries(entries, o.Topics)
	pos := make(map[string]int, len(entries))
	for i := len(entries) - 1; i >= 0; i-- {
		pos[entries[i].ID] = i
	}
	for i := range groups {
		if groups[i].Kind == KindConference {
			organizeConference(&groups[i], o, pos)
		}
	}
	return groups
}

// organizeConference splits a conference group's entries (newest first)
// into talks and news, and lists Entries in that order. pos is each
// entry's position in Organize's input.
func organizeConference(g *DigestGroup, o Organization, pos map[string]int) {
	var talkEntries []entry.Entry
	for _, e := range g.Entries {
		if isTalk(&e) {
			talkEntries = append(talkEntries, e)
		} else {
			g.News = append(g.News, e)
		}
	}
	// Oldest first, then the order entries came in (a page's order for
	// the talks split from one page, which share its date).
	slices.SortStableFunc(talkEntries, func(a, b entry.Entry) int {
		return cmp.Or(a.Date().Compare(b.Date()), cmp.Compare(pos[a.ID], pos[b.ID]))
	})

	// Union the traces the relation joins, within this group only.
	index := make(map[string]int, len(talkEntries))
	for i, e := range talkEntries {
		if _, dup := index[e.ID]; !dup {
			index[e.ID] = i
		}
	}
	parent := make([]int, len(talkEntries))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i, e := range talkEntries {
		// The store's links come with the entries (entry.Related); o.Related
		// adds to them.
		ids := o.Related[e.ID]
		for _, r := range e.Related {
			ids = append(ids, r.ID)
		}
		for _, id := range ids {
			if j, ok := index[id]; ok {
				a, b := find(i), find(j)
				// The earlier entry stays the root: a talk keeps the
				// position of its first trace.
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	byRoot := map[int]int{}
	var talks []Talk
	for i, e := range talkEntries {
		r := find(i)
		k, ok := byRoot[r]
		if !ok {
			k = len(talks)
			byRoot[r] = k
			talks = append(talks, Talk{})
		}
		talks[k].Traces = append(talks[k].Traces, e)
	}
	for k := range talks {
		t := &talks[k]
		slices.SortStableFunc(t.Traces, func(a, b entry.Entry) int {
			return cmp.Or(cmp.Compare(roleRank(a.Role), roleRank(b.Role)), strings.Compare(a.Source, b.Source))
		})
		t.Main = t.Traces[0]
		for _, e := range t.Traces {
			if !e.EventStart.IsZero() && (t.Start.IsZero() || e.EventStart.Before(t.Start)) {
				t.Start, t.End = e.EventStart, e.EventEnd
			}
		}
	}
	// Time order; talks without a time keep their place among themselves.
	slices.SortStableFunc(talks, func(a, b Talk) int {
		switch {
		case a.Start.IsZero() && b.Start.IsZero():
			return 0
		case a.Start.IsZero():
			return 1
		case b.Start.IsZero():
			return -1
		}
		return a.Start.Compare(b.Start)
	})
	for _, t := range talks {
		if !o.Now.IsZero() && t.Start.After(o.Now) {
			g.Coming = append(g.Coming, t)
		} else {
			g.Talks = append(g.Talks, t)
		}
	}
	g.Entries = g.Entries[:0:0]
	for _, t := range slices.Concat(g.Coming, g.Talks) {
		g.Entries = append(g.Entries, t.Traces...)
	}
	g.Entries = append(g.Entries, g.News...)
}

// dated says whether an entry's date is its own. The store stamps an item
// without one with the time it first saw it, so Published equal to
// FirstSeen is a first sighting, not a publication date.
func dated(e *entry.Entry) bool {
	return !e.Published.IsZero() && !e.Published.Equal(e.FirstSeen)
}
