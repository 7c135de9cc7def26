package normalize

import (
	"strings"
	"testing"
	"time"
)

func TestEntryID(t *testing.T) {
	date := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name                      string
		source, guid, link, title string
		date                      time.Time
		want                      string
		wantPrefix                string
	}{
		{name: "http guid as-is", source: "lwn", guid: "https://lwn.net/Articles/1000/", link: "https://lwn.net/x", want: "https://lwn.net/Articles/1000/"},
		{name: "urn guid as-is", source: "lwn", guid: "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a", want: "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a"},
		{name: "tag guid as-is", source: "lwn", guid: "tag:example.org,2003:3.2397", want: "tag:example.org,2003:3.2397"},
		{name: "plain guid scoped to source", source: "netdev", guid: "123", link: "https://example.org/1", want: "tag:netdigest,2026:netdev:123"},
		{name: "plain guid escaped", source: "Netdev conf", guid: "post 42/a?b", want: "tag:netdigest,2026:Netdev%20conf:post%2042%2Fa%3Fb"},
		{name: "colon in source escaped", source: "a:b", guid: "c", want: "tag:netdigest,2026:a%3Ab:c"},
		{name: "guid with space is not a URI", source: "s", guid: "http://x y", want: "tag:netdigest,2026:s:http:%2F%2Fx%20y"},
		{name: "hostless http guid is not a URI", source: "s", guid: "http:123", want: "tag:netdigest,2026:s:http:123"},
		{name: "no guid uses link", source: "s", link: "https://example.org/p/1", title: "T", want: "https://example.org/p/1"},
		{name: "nothing uses hash", source: "s", title: "Hello", date: date, wantPrefix: "urn:sha256:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := EntryID(tt.source, tt.guid, tt.link, tt.title, tt.date)
			if tt.wantPrefix != "" {
				if !strings.HasPrefix(got, tt.wantPrefix) || len(got) != len(tt.wantPrefix)+64 {
					t.Errorf("EntryID = %q, want %s + 64 hex digits", got, tt.wantPrefix)
				}
				return
			}
			if got != tt.want {
				t.Errorf("EntryID = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEntryIDHashStableAndDistinct(t *testing.T) {
	date := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a := EntryID("src", "", "", "Title", date)
	if b := EntryID("src", "", "", "Title", date.In(time.FixedZone("X", 3600))); a != b {
		t.Errorf("same instant in another zone: %q != %q", a, b)
	}
	for name, other := range map[string]string{
		"source": EntryID("other", "", "", "Title", date),
		"title":  EntryID("src", "", "", "Title 2", date),
		"date":   EntryID("src", "", "", "Title", date.Add(time.Second)),
	} {
		if other == a {
			t.Errorf("changing the %s did not change the id %q", name, a)
		}
	}
	if x, y := EntryID("one", "7", "", "", time.Time{}), EntryID("two", "7", "", "", time.Time{}); x == y {
		t.Errorf("plain guid 7 of two sources share id %q", x)
	}
}
