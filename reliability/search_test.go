package reliability

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/server"
	"github.com/netdigest/netdigest/store"
	"github.com/netdigest/netdigest/templates"
)

// searchPage requests GET /search?q= of web; it returns the status and
// the body.
func searchPage(t *testing.T, web *httptest.Server, q string) (int, string) {
	t.Helper()
	resp, err := http.Get(web.URL + "/search?q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// pageMain is the <main> element of a page as HTML: what the page shows of
// the store, without the page's own form.
func pageMain(t *testing.T, page string) (string, int) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var main *html.Node
	forms := 0
	for n := range doc.Descendants() {
		switch {
		case n.Type == html.ElementNode && n.Data == "main":
			main = n
		case n.Type == html.ElementNode && n.Data == "form":
			forms++
		}
	}
	if main == nil {
		t.Fatalf("no <main> in the page:\n%s", page)
	}
	var b bytes.Buffer
	if err := html.Render(&b, main); err != nil {
		t.Fatal(err)
	}
	return b.String(), forms
}

func TestSearch(t *testing.T) {
	section(t, secSearch)
	vs := XSSVectors()
	rss, atom := vectorFeeds(vs)
	rssSrv := httptest.NewServer(serveFeed(rss))
	defer rssSrv.Close()
	atomSrv := httptest.NewServer(serveFeed(atom))
	defer atomSrv.Close()
	h := newHarness(t, nil, hostileFetch(), feedSource("vectors-rss", rssSrv.URL), feedSource("vectors-atom", atomSrv.URL),
		feedSource("good", newGoodServer(t, 5).URL))
	for name, res := range h.fetchAll(t) {
		if res.Err != nil {
			t.Fatalf("%s: %v", name, res.Err)
		}
	}
	stored, err := h.store.CountEntries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	handler, err := server.New(server.Deps{Config: h.runner.Config, Runner: h.runner, Templates: templates.FS})
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(handler)
	defer web.Close()

	t.Run("vectors", func(t *testing.T) {
		rec := recordAt(t, 0, secSearch, "well-known vectors in titles and summaries → `GET /search` (each vector's name as the query)",
			fmt.Sprintf("%d vectors: each found; the results (`<main>`, as entry HTML) hold nothing unsafe; the page's one form is its own", len(vs)))
		shown, survivors, notFound := 0, 0, 0
		for _, v := range vs {
			status, page := searchPage(t, web, `"`+v.Name+`"`)
			if status != http.StatusOK {
				t.Errorf("%s: status %d", v.Name, status)
				continue
			}
			main, forms := pageMain(t, page)
			if forms != 1 {
				t.Errorf("%s: %d forms on the page, want the search form only", v.Name, forms)
			}
			if strings.Contains(main, "No entry matches") {
				notFound++
				t.Errorf("%s: not found by its name", v.Name)
			}
			shown += strings.Count(main, "<article>")
			for _, p := range UnsafeHTML(main, Fragment) {
				survivors++
				t.Errorf("%s: %s", v.Name, p)
			}
		}
		rec.res("%d results shown for %d queries, %d not found: %d survivors", shown, len(vs), notFound, survivors)
	})

	t.Run("queries", func(t *testing.T) {
		queries := []string{
			`NEAR(xdp`, `xdp AND (`, `"`, `*`, `^xdp`, `title:`, `{title}: xdp`, `xdp NOT`, `OR`, `xdp OR`,
			"xdp\x00talk", "xdp \xff\xfe", `'; DROP TABLE entries; --`, `%' OR 1=1 --`, `-"xdp"`,
			strings.Repeat("xdp OR ", 100) + "xdp", strings.Repeat("talk ", 40), strings.Repeat("x", 10_000),
		}
		rec := recordAt(t, 1, secSearch, fmt.Sprintf("%d hostile queries (FTS5 syntax, SQL, NUL, broken UTF-8, 100 ORs, 40 words, 10 KB) → `GET /search`", len(queries)),
			"each 200 or 400 with the reason on the page; none 5xx; the store unchanged")
		codes := map[int]int{}
		var reasons []string
		for _, q := range queries {
			status, page := searchPage(t, web, q)
			codes[status]++
			switch status {
			case http.StatusOK:
			case http.StatusBadRequest:
				main, _ := pageMain(t, page)
				doc, _ := html.Parse(strings.NewReader(main))
				reason := ""
				for n := range doc.Descendants() {
					if n.Type == html.TextNode && strings.Contains(n.Data, "cannot run") {
						reason = strings.TrimSuffix(strings.TrimPrefix(n.Data, "This search cannot run: "), ".")
					}
				}
				if reason == "" {
					t.Errorf("%.30q: 400 without a reason on the page", q)
				}
				if !slices.Contains(reasons, reason) {
					reasons = append(reasons, reason)
				}
			default:
				t.Errorf("%.30q: status %d", q, status)
			}
		}
		after, err := h.store.CountEntries(context.Background())
		if err != nil || after != stored {
			t.Errorf("entries %d after the queries (%v), %d before", after, err, stored)
		}
		hits, err := h.store.Search(context.Background(), "xdp talk", 10)
		if err != nil || len(hits) != 5 {
			t.Errorf("search after the queries: %d hits, %v; want the good source's 5", len(hits), err)
		}
		rec.res("%d answered 200, %d answered 400 (%s), %d other; %d entries before and after", codes[http.StatusOK],
			codes[http.StatusBadRequest], strings.Join(reasons, "; "), len(queries)-codes[http.StatusOK]-codes[http.StatusBadRequest], after)
	})

	t.Run("backup", func(t *testing.T) {
		rec := recordAt(t, 2, secSearch, "search in a backup of the store (`VACUUM INTO`)", "the same hits as the live store")
		path := filepath.Join(t.TempDir(), "backup.db")
		if err := h.store.Backup(context.Background(), path); err != nil {
			t.Fatal(err)
		}
		b, err := store.Open(context.Background(), path, h.clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		live, err := h.store.Search(context.Background(), "script", 100)
		if err != nil {
			t.Fatal(err)
		}
		copied, err := b.Search(context.Background(), "script", 100)
		if err != nil {
			t.Fatal(err)
		}
		same := len(live) == len(copied) && len(live) > 0
		for i := 0; same && i < len(live); i++ {
			same = live[i].Entry.ID == copied[i].Entry.ID
		}
		if !same {
			t.Errorf("backup found %d, live %d, or in another order", len(copied), len(live))
		}
		rec.res("%d hits for `script` in each, same order: %v", len(live), same)
	})
}
