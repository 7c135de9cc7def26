package bareloop

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>` +
	`<item><title>a</title><link>https://example.org/a</link></item>` +
	`<item><title>b</title><link>https://example.org/b</link></item></channel></rss>`

const listing = `<html><body><article class="post"><h2>a</h2></article>` +
	`<article class="post"><h2>b</h2></article><article class="post"><h2>c</h2></article></body></html>`

// A cold run parses every target; a second run with the validators it kept
// gets 304s and parses nothing.
func TestColdThenWarm(t *testing.T) {
	var conditional int
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"`+r.URL.Path+`"`)
		if r.Header.Get("If-None-Match") == `"`+r.URL.Path+`"` {
			conditional++
			w.WriteHeader(http.StatusNotModified)
			return
		}
		switch r.URL.Path {
		case "/feed":
			w.Write([]byte(rss))
		case "/page":
			w.Write([]byte(listing))
		case "/notafeed":
			w.Write([]byte("plain text"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer ts.Close()
	targets := []Target{
		{URL: ts.URL + "/feed"},
		{URL: ts.URL + "/page", ItemSelector: "article.post"},
		{URL: ts.URL + "/notafeed"},
	}
	state := map[string]Validators{}
	cold := Run(context.Background(), ts.Client(), targets, state, 8)
	if cold.Items != 5 || cold.OK != 3 || cold.NotModified != 0 || cold.Failed != 0 {
		t.Fatalf("cold: %+v", cold)
	}
	warm := Run(context.Background(), ts.Client(), targets, state, 8)
	if warm.Items != 0 || warm.OK != 0 || warm.NotModified != 3 || conditional != 3 {
		t.Fatalf("warm: %+v (%d conditional)", warm, conditional)
	}
	missing := Run(context.Background(), ts.Client(), []Target{{URL: ts.URL + "/gone"}}, state, 8)
	if missing.Failed != 1 || !strings.Contains(missing.Errors[0], "HTTP 404") {
		t.Fatalf("404: %+v", missing)
	}
}
