package normalize

import (
	"slices"
	"testing"
	"time"

	"github.com/netdigest/netdigest/keyword"
)

func mustMatcher(t *testing.T, patterns ...string) *keyword.Matcher {
	t.Helper()
	m, err := keyword.Compile(patterns)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTopicsAndFilters(t *testing.T) {
	doc := &Document{Link: "https://bootlin.com/", Items: []Item{
		{GUID: "1", Title: "Feedback from the Netdev 0x13 conference", Link: "/blog/netdev-0x13/",
			ContentHTML: "<p>The XDP hands-on tutorial, the TC workshop and the QUIC tutorial by Jana Iyengar.</p>"},
		{GUID: "2", Title: "Buildroot 2019.02 released", Link: "/blog/buildroot/",
			ContentHTML: "<p>Packages, toolchains, etc.</p>"},
		{GUID: "3", Title: "Linux 5.0 released, Bootlin contributions", Link: "/blog/linux-5-0/",
			ContentHTML: "<p>Networking: mvpp2 and the DSA switch drivers, plus sponsored posts.</p>"},
	}}
	topics := []Topic{
		{Name: "XDP", Match: mustMatcher(t, "xdp", "express data path")},
		{Name: "TC", Match: mustMatcher(t, "tc", "traffic control")},
		{Name: "QUIC", Match: mustMatcher(t, "quic")},
		{Name: "switchdev/DSA", Match: mustMatcher(t, "switchdev", "dsa")},
	}
	tests := []struct {
		name       string
		include    *keyword.Matcher
		exclude    *keyword.Matcher
		wantTitles []string
		wantTags   map[string][]string
	}{
		{
			name:       "topics only",
			wantTitles: []string{"Feedback from the Netdev 0x13 conference", "Buildroot 2019.02 released", "Linux 5.0 released, Bootlin contributions"},
			wantTags: map[string][]string{
				"Feedback from the Netdev 0x13 conference":  {"blog", "XDP", "TC", "QUIC"},
				"Buildroot 2019.02 released":                {"blog"}, // "etc" is not TC
				"Linux 5.0 released, Bootlin contributions": {"blog", "switchdev/DSA"},
			},
		},
		{
			name:       "include networking",
			include:    mustMatcher(t, "netdev", "networking"),
			wantTitles: []string{"Feedback from the Netdev 0x13 conference", "Linux 5.0 released, Bootlin contributions"},
		},
		{
			name:       "exclude wins",
			include:    mustMatcher(t, "netdev", "networking"),
			exclude:    mustMatcher(t, "sponsored"),
			wantTitles: []string{"Feedback from the Netdev 0x13 conference"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := Source{Name: "bootlin", URL: "https://bootlin.com/feed/", Tags: []string{"blog"}, Include: tt.include, Exclude: tt.exclude}
			got := New(topics...).Entries(src, doc, time.Now())
			var titles []string
			for _, e := range got {
				titles = append(titles, e.Title)
				if want, ok := tt.wantTags[e.Title]; ok && !slices.Equal(e.Tags, want) {
					t.Errorf("%q tags = %q, want %q", e.Title, e.Tags, want)
				}
			}
			if !slices.Equal(titles, tt.wantTitles) {
				t.Errorf("titles = %q, want %q", titles, tt.wantTitles)
			}
		})
	}
}

// A topic added to the config must not make stored entries look changed.
func TestTopicsDoNotChangeContentHash(t *testing.T) {
	doc := &Document{Items: []Item{{GUID: "urn:x:1", Title: "XDP news", ContentHTML: "<p>xdp</p>"}}}
	src := Source{Name: "s", URL: "https://example.org/feed"}
	plain := New().Entries(src, doc, time.Now())[0]
	tagged := New(Topic{Name: "XDP", Match: mustMatcher(t, "xdp")}).Entries(src, doc, time.Now())[0]
	if plain.ContentHash != tagged.ContentHash || !slices.Contains(tagged.Tags, "XDP") {
		t.Errorf("hash %s vs %s, tags %q", plain.ContentHash, tagged.ContentHash, tagged.Tags)
	}
}
