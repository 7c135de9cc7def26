package server

import (
	"testing"

	"github.com/netdigest/netdigest/config"
)

func TestPublicError(t *testing.T) {
	http := config.Source{Name: "s", URL: "http://user:S3cretPass@127.0.0.1:8080/feed.json?token=PRIVATE",
		PublicURL: "http://127.0.0.1:8080/feed.json"}
	file := config.Source{Name: "f", URL: "file:///home/op/snap%20shots/talks.html"}
	tests := []struct {
		name string
		src  config.Source
		in   string
		want string
	}{
		{"already redacted", http, `source "s": GET http://127.0.0.1:8080/feed.json: HTTP 500 Internal Server Error`,
			`source "s": GET http://127.0.0.1:8080/feed.json: HTTP 500 Internal Server Error`},
		{"recorded by an older version", http, `source "s": GET http://user:xxxxx@127.0.0.1:8080/feed.json?token=PRIVATE: HTTP 500`,
			`source "s": GET http://127.0.0.1:8080/feed.json: HTTP 500`},
		{"the full URL", http, `source "s": ` + http.URL + ` is gone`, `source "s": http://127.0.0.1:8080/feed.json is gone`},
		{"a snapshot's path", file, `source "f": read file: open /home/op/snap shots/talks.html: no such file or directory`,
			`source "f": read file: open (the source's local file): no such file or directory`},
		{"a snapshot's URL", file, `source "f": read file:///home/op/snap%20shots/talks.html: context canceled`,
			`source "f": read (the source's local file): context canceled`},
		{"a source with a base", config.Source{Name: "b", URL: "https://example.org/feeds/S3cret/rss", Base: "https://example.org/"},
			`source "b": GET https://example.org/feeds/S3cret/rss: HTTP 404 Not Found`, `source "b": GET (the source's url): HTTP 404 Not Found`},
		{"none", http, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := publicError(tt.src, tt.in); got != tt.want {
				t.Errorf("publicError =\n %q\nwant\n %q", got, tt.want)
			}
		})
	}
}
