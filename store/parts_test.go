package store

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
)

func entryIDs(es []entry.Entry) []string {
	out := make([]string, len(es))
	for i := range es {
		out[i] = es[i].ID
	}
	return out
}

func TestLatestOfParts(t *testing.T) {
	c := newClock()
	s := openMem(t, c)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2026, 11, d, 12, 0, 0, 0, time.UTC) }
	tagged := func(e entry.Entry, conf string, tags ...string) entry.Entry {
		e.Conference, e.Tags = conf, tags
		return e
	}
	saveFetch(t, s, "a",
		tagged(item("a1", "a", "https://a/1", "h1", day(1)), "Netdev 0.1", "XDP"),
		tagged(item("a2", "a", "https://a/2", "h2", day(3)), "Netdev 0.1", "xdp", "eBPF"),
		tagged(item("a3", "a", "https://a/3", "h3", day(2)), "", "TC"),
		// A tag that only contains "XDP" is another tag.
		tagged(item("a4", "a", "https://a/4", "h4", day(4)), "netdev 0.1", "XDP-offload"),
	)
	saveFetch(t, s, "b",
		tagged(item("b1", "b", "https://b/1", "h5", day(5)), "LPC 2015 · Networking MC", "XDP"),
		tagged(item("b2", "b", "https://b/2", "h6", day(6)), "LPC 2015 · Networking MC"),
	)

	for _, tc := range []struct {
		name  string
		query func(names []string, n int) ([]entry.Entry, error)
		names []string
		n     int
		want  []string
	}{
		{"one tag, newest first", func(n []string, l int) ([]entry.Entry, error) { return s.LatestTagged(ctx, n, l) },
			[]string{"XDP"}, 10, []string{"b1", "a1"}},
		{"every spelling given", func(n []string, l int) ([]entry.Entry, error) { return s.LatestTagged(ctx, n, l) },
			[]string{"XDP", "xdp"}, 10, []string{"b1", "a2", "a1"}},
		{"limit", func(n []string, l int) ([]entry.Entry, error) { return s.LatestTagged(ctx, n, l) },
			[]string{"XDP", "xdp"}, 2, []string{"b1", "a2"}},
		{"unknown tag", func(n []string, l int) ([]entry.Entry, error) { return s.LatestTagged(ctx, n, l) },
			[]string{"QUIC"}, 10, nil},
		{"no tags", func(n []string, l int) ([]entry.Entry, error) { return s.LatestTagged(ctx, n, l) },
			nil, 10, nil},
		{"a quote in a name is data", func(n []string, l int) ([]entry.Entry, error) { return s.LatestTagged(ctx, n, l) },
			[]string{`XDP"]`, "') OR 1=1 --"}, 10, nil},
		{"conference", func(n []string, l int) ([]entry.Entry, error) { return s.LatestOfConference(ctx, n, l) },
			[]string{"Netdev 0.1"}, 10, []string{"a2", "a1"}},
		{"conference spellings", func(n []string, l int) ([]entry.Entry, error) { return s.LatestOfConference(ctx, n, l) },
			[]string{"Netdev 0.1", "netdev 0.1"}, 10, []string{"a4", "a2", "a1"}},
		{"conference with punctuation", func(n []string, l int) ([]entry.Entry, error) { return s.LatestOfConference(ctx, n, l) },
			[]string{"LPC 2015 · Networking MC"}, 1, []string{"b2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, err := tc.query(tc.names, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if got := entryIDs(es); !slices.Equal(got, tc.want) {
				t.Errorf("ids %q, want %q", got, tc.want)
			}
			for _, e := range es {
				if e.Title == "" || e.Published.IsZero() {
					t.Errorf("entry %s read without its fields: %+v", e.ID, e)
				}
			}
		})
	}
	if _, err := s.LatestTagged(ctx, []string{"XDP"}, 0); err == nil {
		t.Error("limit 0: no error")
	}

	tags, err := s.Tags(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"TC", "XDP", "XDP-offload", "eBPF", "xdp"}; !slices.Equal(tags, want) {
		t.Errorf("Tags = %q, want %q", tags, want)
	}
	confs, err := s.Conferences(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"LPC 2015 · Networking MC", "Netdev 0.1", "netdev 0.1"}; !slices.Equal(confs, want) {
		t.Errorf("Conferences = %q, want %q", confs, want)
	}
}
