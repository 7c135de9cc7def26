package normalize

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"Mon, 25 Mar 2019 10:00:00 +0000", "25 Mar 2019 10:00 GMT", "Mon, 25 Mar 2019 10:00:00 PDT",
		"2019-03-25T10:00:00+01:00", "2019-03-25", "March 25, 2019", "2019-03-25 10:00:00",
		"Mon, 25 Mar 2019 10:00:00 -0700 (PDT)", "Tue, 1 Jan 0000 00:00:00 Z", "", "   ", "31 Feb 2019",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseDate(s)
		if !ok {
			if !got.IsZero() {
				t.Errorf("ParseDate(%q) failed but returned %v", s, got)
			}
			return
		}
		if got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %v, not in UTC", s, got)
		}
	})
}

func FuzzCanonicalLink(f *testing.F) {
	for _, s := range []string{
		"/p/1", "https://Example.ORG:443/a?utm_source=x&b=2#frag", "javascript:alert(1)", "//cdn.example.org/x",
		"mailto:a@b", "http://[::1]:80/", "%zz", "https://例え.jp/パス", "",
	} {
		f.Add(s, "https://base.example/dir/page.html")
	}
	f.Fuzz(func(t *testing.T, raw, base string) {
		got, err := CanonicalLink(raw, base)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "http://") && !strings.HasPrefix(got, "https://") {
			t.Errorf("CanonicalLink(%q, %q) = %q: not http(s)", raw, base, got)
		}
		if strings.Contains(got, "#") {
			t.Errorf("CanonicalLink(%q, %q) = %q keeps a fragment", raw, base, got)
		}
		if again, err := CanonicalLink(got); err != nil || again != got {
			t.Errorf("not idempotent: %q -> %q (%v)", got, again, err)
		}
	})
}

// FuzzFeed runs arbitrary bytes through parse and normalize: no panic, and
// whatever comes out keeps the entry invariants.
func FuzzFeed(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a</title><link>/x</link><description>&lt;script&gt;alert(1)&lt;/script&gt;b</description></item></channel></rss>`), "application/rss+xml")
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://e.org/"><entry><id>urn:x</id><title type="html">&lt;b&gt;x&lt;/b&gt;</title><link href="a"/><content type="html">&lt;img src=x onerror=alert(1)&gt;</content></entry></feed>`), "")
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{"id":"1","content_html":"<a href='javascript:x'>y</a>"}]}`), "application/feed+json")
	f.Add([]byte("\xff\xfe<\x00r\x00s\x00s\x00"), "text/xml; charset=utf-16")
	// Broken documents take the recovery path (recover.go).
	f.Add([]byte(`<rss version="2.0"><channel><title>t</title><itunes:category text="x"><item><title>a</title></item><item><title>b</ti`), "")
	f.Add([]byte(`<entry xmlns="http://www.w3.org/2005/Atom"><id>urn:e</id><title>e</title></entry>`), "")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		doc, err := ParseFeed(body, contentType, "https://feed.example.org/feed")
		if err != nil {
			return
		}
		now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
		seen := map[string]bool{}
		for _, e := range New().Entries(Source{Name: "fuzz", URL: "https://feed.example.org/feed"}, doc, now) {
			if e.ID == "" || seen[e.ID] {
				t.Errorf("empty or repeated id %q", e.ID)
			}
			seen[e.ID] = true
			lower := strings.ToLower(e.Content)
			if strings.Contains(lower, "<script") || strings.Contains(lower, "javascript:") {
				t.Errorf("unsafe content survived: %q", e.Content)
			}
			if !utf8.ValidString(e.Title) || !utf8.ValidString(e.Content) || !utf8.ValidString(e.Summary) {
				t.Errorf("invalid UTF-8 in entry %q", e.ID)
			}
			if e.Published.After(now.Add(24 * time.Hour)) {
				t.Errorf("future date kept: %v", e.Published)
			}
		}
	})
}
