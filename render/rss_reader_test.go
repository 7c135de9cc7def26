package render

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	_ "modernc.org/sqlite" // to read newsboat's cache

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/internal/tooltest"
)

// markupSummary is plain text that looks like markup: a reader that takes
// <description> as HTML (they all do) must still show it whole.
const markupSummary = `Reported by <L29Ah> & <b>friends</b>: a < b && c > d`

func markupEntries() []entry.Entry {
	at := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)
	return []entry.Entry{
		{ID: "urn:m:1", Source: "lwn", Title: "With content", Link: "https://lwn.net/Articles/1/", Published: at,
			Summary: markupSummary, Content: "<p>The <em>full</em> text.</p>"},
		{ID: "urn:m:2", Source: "lwn", Title: "Summary only", Link: "https://lwn.net/Articles/2/", Published: at.Add(-time.Hour),
			Summary: markupSummary},
	}
}

// htmlTextOf is the text an HTML reader shows for a fragment.
func htmlTextOf(t *testing.T, fragment string) string {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return b.String()
}

// TestRSSDescriptionIsHTML: <description> is an HTML fragment (the summary
// HTML-escaped, then XML-escaped), so the HTML a reader parses from it shows
// the summary's text, markup-like parts included; and each item's elements
// come in the RSS 2.0 profile's order, description before content:encoded.
func TestRSSDescriptionIsHTML(t *testing.T) {
	doc, err := RSS(testInfo(), markupEntries())
	if err != nil {
		t.Fatal(err)
	}
	f, err := gofeed.NewParser().ParseString(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range f.Items {
		if got := htmlTextOf(t, it.Description); got != markupSummary {
			t.Errorf("%s: description %q reads as %q in HTML, want %q", it.Title, it.Description, got, markupSummary)
		}
	}

	// Element order within each item.
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var order [][]string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if tok.Name.Local == "item" {
				order = append(order, nil)
			} else if depth == 4 && len(order) > 0 { // rss > channel > item > child
				order[len(order)-1] = append(order[len(order)-1], tok.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
	want := [][]string{
		{"title", "link", "description", "encoded", "creator", "guid", "pubDate", "source"},
		{"title", "link", "description", "creator", "guid", "pubDate", "source"},
	}
	if len(order) != len(want) {
		t.Fatalf("items %q", order)
	}
	for i := range want {
		if strings.Join(order[i], " ") != strings.Join(want[i], " ") {
			t.Errorf("item %d elements %q, want %q", i, order[i], want[i])
		}
	}
}

// TestRSSDescriptionInNewsboat: Debian's newsboat, a real RSS reader,
// stores the item's HTML (content:encoded when there is one, else the
// description); the text of that HTML is the summary, whole.
func TestRSSDescriptionInNewsboat(t *testing.T) {
	bin := tooltest.Find(t, "newsboat", "newsboat")
	doc, err := RSS(testInfo(), markupEntries())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(doc)
	}))
	defer srv.Close()
	dir := t.TempDir()
	for name, data := range map[string]string{"urls": srv.URL + "/feed.rss\n", "config": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cache := filepath.Join(dir, "cache.db")
	cmd := exec.CommandContext(ctx, bin, "-u", filepath.Join(dir, "urls"), "-c", cache,
		"-C", filepath.Join(dir, "config"), "-x", "reload")
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "XDG_DATA_HOME="+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("newsboat: %v\n%s", err, out)
	}
	db, err := sql.Open("sqlite", "file:"+cache+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := map[string]string{}
	rows, err := db.Query(`SELECT title, content FROM rss_item`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var title, content string
		if err := rows.Scan(&title, &content); err != nil {
			t.Fatal(err)
		}
		got[title] = content
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if c := got["Summary only"]; htmlTextOf(t, c) != markupSummary {
		t.Errorf("newsboat's summary-only item: HTML %q reads %q, want %q", c, htmlTextOf(t, c), markupSummary)
	}
	if c := got["With content"]; htmlTextOf(t, c) != "The full text." {
		t.Errorf("newsboat's item with content: %q, want the content:encoded HTML", c)
	}
}
