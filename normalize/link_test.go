package normalize

import (
	"errors"
	"testing"
)

func TestCanonicalLink(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		bases   []string
		want    string
		wantErr bool
	}{
		{name: "absolute unchanged", raw: "https://example.org/a/b?x=1", want: "https://example.org/a/b?x=1"},
		{name: "relative against xml:base", raw: "post.html", bases: []string{"https://base.example/blog/", "https://site.example/", "https://feed.example/rss"}, want: "https://base.example/blog/post.html"},
		{name: "relative against document link", raw: "/p/1", bases: []string{"", "https://site.example/home", "https://feed.example/rss"}, want: "https://site.example/p/1"},
		{name: "relative against fetch URL", raw: "p/1", bases: []string{"", "", "https://feed.example/feeds/rss.xml"}, want: "https://feed.example/feeds/p/1"},
		{name: "relative xml:base resolved against outer bases", raw: "x", bases: []string{"sub/", "https://site.example/root/"}, want: "https://site.example/root/sub/x"},
		{name: "protocol-relative takes base scheme", raw: "//cdn.example/x", bases: []string{"http://a.example/"}, want: "http://cdn.example/x"},
		{name: "host lower-cased", raw: "HTTPS://LWN.Net/Articles/1/", want: "https://lwn.net/Articles/1/"},
		{name: "http default port dropped", raw: "http://example.org:80/a", want: "http://example.org/a"},
		{name: "https default port dropped", raw: "https://example.org:443/a", want: "https://example.org/a"},
		{name: "other port kept", raw: "https://example.org:8443/a", want: "https://example.org:8443/a"},
		{name: "http port 443 kept", raw: "http://example.org:443/a", want: "http://example.org:443/a"},
		{name: "fragment dropped", raw: "https://example.org/a#section-2", want: "https://example.org/a"},
		{name: "utm params dropped, others kept in order", raw: "https://example.org/a?z=1&utm_source=rss&b=2&UTM_Medium=feed&a=3", want: "https://example.org/a?z=1&b=2&a=3"},
		{name: "only utm params leaves no query", raw: "https://example.org/a?utm_source=rss&utm_campaign=x", want: "https://example.org/a"},
		{name: "query encoding kept", raw: "https://example.org/s?q=a%20b&tag=c%2Bd", want: "https://example.org/s?q=a%20b&tag=c%2Bd"},
		{name: "whitespace in query escaped", raw: "https://example.org/s?q=a b&r=\u00a0x", want: "https://example.org/s?q=a%20b&r=%C2%A0x"},
		{name: "query of one space", raw: "? #", bases: []string{"http://0"}, want: "http://0/?%20"},
		{name: "empty path becomes slash", raw: "https://example.org", want: "https://example.org/"},
		{name: "empty path with query", raw: "https://example.org?p=1", want: "https://example.org/?p=1"},
		{name: "whitespace trimmed", raw: "  https://example.org/a \n", want: "https://example.org/a"},
		{name: "javascript rejected", raw: "javascript:alert(1)", bases: []string{"https://example.org/"}, wantErr: true},
		{name: "mailto rejected", raw: "mailto:a@example.org", wantErr: true},
		{name: "ftp rejected", raw: "ftp://example.org/file", wantErr: true},
		{name: "relative without base rejected", raw: "/a/b", wantErr: true},
		{name: "empty rejected even with base", raw: "", bases: []string{"https://example.org/"}, wantErr: true},
		{name: "unparseable rejected", raw: "https://exa mple.org/%zz", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CanonicalLink(tt.raw, tt.bases...)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("CanonicalLink(%q) = %q, want error", tt.raw, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("CanonicalLink(%q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("CanonicalLink(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestCanonicalLinkNotHTTPIsSentinel(t *testing.T) {
	_, err := CanonicalLink("javascript:void(0)")
	if !errors.Is(err, ErrNotHTTP) {
		t.Errorf("err = %v, want ErrNotHTTP", err)
	}
}
