package render

import (
	"fmt"
	"slices"
	"testing"
)

// Organize is what the web page shows: the digest's groups, in the
// digest's order, every entry once, and the caller's slice untouched.
func TestOrganizeLikeTheDigest(t *testing.T) {
	entries := digestEntries()
	before := slices.Clone(entries)
	info := digestInfo()
	groups := Organize(entries, Organization{Topics: digestTopics, Now: info.End})

	var got []string
	seen := map[string]int{}
	for _, g := range groups {
		got = append(got, g.Kind+":"+g.Name)
		for _, e := range g.Entries {
			seen[e.ID]++
		}
	}
	want := []string{
		"conference:LPC 2025 · Networking track", "conference:Netdev 0x13", "conference:Netdev 1.2",
		"topic:XDP", "topic:eBPF", "other:" + OtherNews,
	}
	if !slices.Equal(got, want) {
		t.Errorf("groups = %q, want %q", got, want)
	}
	for _, e := range entries {
		if seen[e.ID] != 1 {
			t.Errorf("entry %q listed %d times, want once", e.Title, seen[e.ID])
		}
	}
	if fmt.Sprint(entries) != fmt.Sprint(before) {
		t.Error("Organize reordered or changed its input")
	}
	// The same grouping as the digest renders.
	d := renderDigest(t, info, digestEntries())
	if fmt.Sprint(d.Groups) != fmt.Sprint(groups) {
		t.Error("Organize differs from the digest's groups")
	}
	if Organize(nil, Organization{Topics: digestTopics}) != nil {
		t.Error("no entries: want no groups")
	}
}
