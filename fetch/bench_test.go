package fetch_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/netdigest/netdigest/fetch"
)

// BenchmarkGet is one GET of a 100 KB feed from a local server, answered
// in full or with 304 to the validators of the previous answer.
func BenchmarkGet(b *testing.B) {
	body := bytes.Repeat([]byte("<item><title>x</title><description>lorem ipsum dolor sit amet</description></item>\n"), 1200)
	const etag = `"v1"`
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	defer ts.Close()
	c := fetch.New(fetch.Options{AllowPrivateNetworks: true}) // the server is on 127.0.0.1
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		req  fetch.Request
	}{
		{"200-100KB", fetch.Request{URL: ts.URL}},
		{"304", fetch.Request{URL: ts.URL, ETag: etag}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := c.Get(ctx, tc.req)
				if err != nil {
					b.Fatal(err)
				}
				if resp.NotModified != (tc.req.ETag != "") {
					b.Fatalf("NotModified %v", resp.NotModified)
				}
			}
		})
	}
}
