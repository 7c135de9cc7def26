package server

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/store"
)

// searchForms returns the page's search forms: GET to the search page
// with a q field.
func searchForms(doc *html.Node, action string) []*html.Node {
	return findAll(doc, func(n *html.Node) bool {
		return n.Data == "form" && attr(n, "action") == action && attr(n, "method") == "get" &&
			len(findAll(n, func(c *html.Node) bool { return c.Data == "input" && attr(c, "name") == "q" })) == 1
	})
}

func TestSearchPage(t *testing.T) {
	f := newFixture(t, nil)

	// The home page links the search with a plain GET form, which its
	// policy lets submit to the server (and nowhere else).
	resp, body := f.get("/")
	if forms := searchForms(parseHTML(t, body), "./search"); len(forms) != 1 {
		t.Errorf("the home page has %d search forms, want 1", len(forms))
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self';") {
		t.Errorf("home page policy %q does not let the form submit", csp)
	}
	// A page without a form keeps form-action 'none'.
	if resp, _ := f.get("/digests/"); !strings.Contains(resp.Header.Get("Content-Security-Policy"), "form-action 'none'") {
		t.Errorf("archive policy %q allows forms", resp.Header.Get("Content-Security-Policy"))
	}

	// No q: the form alone.
	resp, body = f.get("/search")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /search: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	checkSecurityHeaders(t, "GET /search", resp.Header)
	doc := parseHTML(t, body)
	if len(searchForms(doc, "./search")) != 1 || len(findAll(doc, tag("article"))) != 0 || len(findAll(doc, tag("h2"))) != 0 {
		t.Errorf("GET /search without q: want the form alone\n%s", body)
	}

	// Results: the store's order, words found marked, the hostile title as text.
	want, err := f.store.Search(context.Background(), "xdp", 50)
	if err != nil || len(want) < 2 {
		t.Fatalf("store search: %d hits, %v", len(want), err)
	}
	resp, body = f.get("/search?q=xdp")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /search?q=xdp: %d", resp.StatusCode)
	}
	checkSecurityHeaders(t, "GET /search?q=xdp", resp.Header)
	doc = parseHTML(t, body)
	var titles []string
	for _, h4 := range findAll(doc, tag("h4")) {
		titles = append(titles, textOf(h4))
	}
	var wantTitles []string
	for _, h := range want {
		wantTitles = append(wantTitles, strings.Join(strings.Fields(h.Entry.Title), " "))
	}
	if !slices.Equal(titles, wantTitles) {
		t.Errorf("titles %q, want the store's order %q", titles, wantTitles)
	}
	if !slices.Contains(titles, strings.Join(strings.Fields(hostileTitle), " ")) {
		t.Errorf("the hostile title is not shown as text: %q", titles)
	}
	for _, bad := range []string{"script", "img"} {
		if n := findAll(doc, tag(bad)); len(n) > 0 {
			t.Errorf("%d <%s> elements: a title became markup", len(n), bad)
		}
	}
	if strings.Contains(string(body), `<script>alert`) || !strings.Contains(string(body), "&lt;script&gt;") {
		t.Error("the hostile title is not escaped")
	}
	marks := findAll(doc, tag("mark"))
	if len(marks) == 0 || !strings.EqualFold(textOf(marks[0]), "xdp") {
		t.Errorf("the words found are not marked: %d <mark>", len(marks))
	}
	if input := findAll(doc, func(n *html.Node) bool { return n.Data == "input" && attr(n, "name") == "q" }); attr(input[0], "value") != "xdp" {
		t.Errorf("the search box holds %q, want the query", attr(input[0], "value"))
	}
	if links := findAll(doc, func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == want[0].Entry.Link }); len(links) != 1 {
		t.Errorf("the best match is not linked to %s", want[0].Entry.Link)
	}

	tests := []struct {
		q      string
		status int
		text   string // in the page's text
	}{
		{`"xdp`, http.StatusBadRequest, `This search cannot run: a phrase has no closing quote (").`},
		{"-xdp", http.StatusBadRequest, "only excluded words"},
		{strings.Repeat("é", store.MaxQueryBytes), http.StatusBadRequest, "longer than 512 bytes"},
		{`<script>alert(1)</script>`, http.StatusOK, `No entry matches for <script>alert(1)</script>`},
		{"nothing-like-this", http.StatusOK, "No entry matches for nothing-like-this"},
		{"tc workshop", http.StatusOK, "1 match for tc workshop"},
		{"   ", http.StatusOK, ""},
	}
	for _, tt := range tests {
		resp, body := f.get("/search?q=" + url.QueryEscape(tt.q))
		if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("q=%.30q: %d %q, want %d and the page", tt.q, resp.StatusCode, resp.Header.Get("Content-Type"), tt.status)
			continue
		}
		doc := parseHTML(t, body)
		if text := textOf(doc); !strings.Contains(text, tt.text) {
			t.Errorf("q=%.30q: the page lacks %q:\n%s", tt.q, tt.text, text)
		}
		if n := findAll(doc, tag("script")); len(n) > 0 {
			t.Errorf("q=%.30q: %d <script> elements", tt.q, len(n))
		}
		input := findAll(doc, func(n *html.Node) bool { return n.Data == "input" && attr(n, "name") == "q" })
		if len(input) != 1 || len(attr(input[0], "value")) > store.MaxQueryBytes {
			t.Errorf("q=%.30q: the search box is missing or holds more than %d bytes", tt.q, store.MaxQueryBytes)
		}
	}

	if resp, body := f.do(http.MethodHead, "/search?q=xdp"); resp.StatusCode != http.StatusOK || len(body) != 0 {
		t.Errorf("HEAD: %d with %d bytes", resp.StatusCode, len(body))
	}
	if resp, _ := f.do(http.MethodPost, "/search?q=xdp"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
	if err := f.store.Close(); err != nil {
		t.Fatal(err)
	}
	if resp, _ := f.get("/search?q=xdp"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("search with the store closed: %d, want 503", resp.StatusCode)
	}
}

func TestTruncateUTF8(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{{"abc", 5, "abc"}, {"abc", 2, "ab"}, {"aé", 2, "a"}, {"éé", 3, "é"}, {"é", 0, ""}} {
		if got := truncateUTF8(tt.s, tt.n); got != tt.want {
			t.Errorf("truncateUTF8(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
