package server

import (
	"net/http"
	"testing"

	"golang.org/x/net/html"
)

// TestPageSourceStateFollowsDecide: the health table reads a source's state
// through pipeline.Decide, so a state learnt of a URL the config no longer
// has (old-wiki's 410, tohojo's Retry-After) shows as a new source, not as
// gone or deferred.
func TestPageSourceStateFollowsDecide(t *testing.T) {
	f := newFixture(t, nil)
	for i := range f.cfg.Sources {
		switch f.cfg.Sources[i].Name {
		case "old-wiki":
			f.cfg.Sources[i].URL = "https://wiki.example.org/netdev/new-feed.xml"
		case "tohojo":
			f.cfg.Sources[i].URL = "https://tohojo.example.org/feed.xml"
		}
	}
	resp, body := f.get("/")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /: %d", resp.StatusCode)
	}
	doc := parseHTML(t, body)
	rows := map[string]*html.Node{}
	for _, tr := range findAll(doc, tag("tr")) {
		if th := findAll(tr, func(n *html.Node) bool { return n.Data == "th" && attr(n, "scope") == "row" }); th != nil {
			rows[textOf(th[0])] = tr
		}
	}
	cell := func(source, label string) string {
		for _, td := range findAll(rows[source], tag("td")) {
			if attr(td, "data-label") == label {
				return textOf(td)
			}
		}
		t.Fatalf("%s: no %q cell", source, label)
		return ""
	}
	for _, source := range []string{"old-wiki", "tohojo"} {
		for label, want := range map[string]string{"State": "not fetched yet", "Failures": "0", "Last error": "—"} {
			if got := cell(source, label); got != want {
				t.Errorf("%s %s = %q, want %q (the old URL's state no longer applies)", source, label, got, want)
			}
		}
		if class := attr(rows[source], "class"); class != "new" {
			t.Errorf("%s row class = %q, want new", source, class)
		}
	}
	// The others keep theirs.
	if got := cell("kernel-org", "State"); got != "failing" {
		t.Errorf("kernel-org State = %q, want failing", got)
	}
}
