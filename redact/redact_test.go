package redact

import (
	"net/url"
	"testing"
)

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.org/feed.xml", "https://example.org/feed.xml"},
		{"http://user:S3cretPass@127.0.0.1:8080/feed.json?token=PRIVATE", "http://127.0.0.1:8080/feed.json"},
		{"https://user@example.org/a?x=1#frag", "https://example.org/a"},
		{"https://example.org/?token=PRIVATE", "https://example.org/"},
		{"https://example.org/a%2Fb/c", "https://example.org/a%2Fb/c"},
		{"https://example.org", "https://example.org"},
		{"file:///srv/snap/x.html", "file:///srv/snap/x.html"},
		{"mailto:someone@example.org?subject=x", "mailto:…"},
		{"http://[::1]:namedport", Invalid},
		{"", ""},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestURLNil(t *testing.T) {
	var u *url.URL
	if got := URL(u); got != "" {
		t.Errorf("URL(nil) = %q, want \"\"", got)
	}
}
