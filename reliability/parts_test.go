package reliability

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/internal/shareddata"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/server"
)

// partsHarness is a harness whose sources name hostile topics and
// conferences, fetched once, with the web server over its store.
func partsHarness(t *testing.T, topic string, conferences ...string) (*harness, http.Handler) {
	t.Helper()
	var sources []config.Source
	for i, c := range conferences {
		good := newGoodServer(t, 2)
		src := feedSource(fmt.Sprintf("s%d", i), good.URL+"/feed")
		src.Conference, src.Tags = c, []string{topic}
		sources = append(sources, src)
	}
	h := newHarness(t, nil, hostileFetch(), sources...)
	h.runner.Config.Topics = []config.Topic{{Name: topic}}
	for name, r := range h.fetchAll(t) {
		if r.Err != nil {
			t.Fatalf("%s: %v", name, r.Err)
		}
	}
	handler, err := server.New(server.Deps{Runner: h.runner, Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return h, handler
}

// filesUnder lists the regular files under dir, relative to it.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// pageProblems is UnsafeHTML for a page of the web server, whose own
// <link rel="alternate"> (feed autodiscovery) an email must not have.
func pageProblems(page string) []string {
	var out []string
	// The page's own search form (site.html.tmpl) is the one form allowed:
	// a name that smuggled in another would still be counted.
	ownForms := strings.Count(page, `<form class="search" role="search" action="`)
	for _, p := range UnsafeHTML(page, Document) {
		switch {
		case strings.HasPrefix(p, "<link> element"):
		case strings.HasPrefix(p, "<form> element") && ownForms > 0:
			ownForms--
		default:
			out = append(out, p)
		}
	}
	return out
}

func TestPartFeeds(t *testing.T) {
	section(t, secParts)

	t.Run("conference named like a path", func(t *testing.T) {
		rec := recordAt(t, 0, secParts, "a source's `conference: ../../../etc/passwd` with `publish: {conferences: true}`",
			"its feeds are written inside `<output>/conferences/` under its slug; nothing outside the output directory")
		h, _ := partsHarness(t, "XDP", "../../../etc/passwd")
		root := t.TempDir()
		out := filepath.Join(root, "a", "b", "out")
		h.runner.Config.Output = out
		h.runner.Config.Publish.Conferences = true
		if _, err := h.runner.PublishParts(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := filesUnder(t, root)
		want := []string{"a/b/out/conferences/etc-passwd.atom", "a/b/out/conferences/etc-passwd.json", "a/b/out/conferences/etc-passwd.rss"}
		if !slices.Equal(got, want) {
			t.Errorf("files %q, want %q", got, want)
		}
		rec.res("written: %s", strings.Join(got, ", "))
	})

	t.Run("conference name of 20,000 characters", func(t *testing.T) {
		rec := recordAt(t, 1, secParts, "a conference name of 20,000 characters, published and served",
			"its slug is cut at a `-` to at most 100 bytes, so the file names stay under the file system's 255; the feed is served at that slug")
		long := strings.Repeat("Netdev 0x19 ", 20000/12)
		h, handler := partsHarness(t, "XDP", long)
		h.runner.Config.Output = t.TempDir()
		h.runner.Config.Publish.Conferences = true
		pub, err := h.runner.PublishParts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		written := pub.Written
		if len(written) != 3 {
			t.Fatalf("written %q", written)
		}
		name := filepath.Base(written[0])
		slug := strings.TrimSuffix(name, ".atom")
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/conferences/"+slug+".atom", nil))
		if w.Code != http.StatusOK || len(slug) > 100 || strings.HasSuffix(slug, "-") {
			t.Errorf("slug %q (%d bytes): GET %d", slug, len(slug), w.Code)
		}
		rec.res("slug of %d bytes (`%s…`); files written; `GET /conferences/<slug>.atom` %d", len(slug), slug[:20], w.Code)
	})

	t.Run("topic named with markup", func(t *testing.T) {
		const topic = `<script>alert(1)</script><img src=x onerror=alert(2)>`
		rec := recordAt(t, 2, secParts, "a topic named `"+topic+"`: its page, its Atom feed, the home page and the 404 page",
			"the name is text everywhere: no unsafe construct in the pages (`UnsafeHTML`, the pages' own autodiscovery `<link>`s and search form aside), the Atom feed valid")
		_, handler := partsHarness(t, topic, "Netdev 0x19")
		s := pipeline.PartSlug(topic)
		var problems []string
		for _, path := range []string{"/topics/" + s, "/", "/topics/nope"} {
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
			if !strings.Contains(w.Body.String(), "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("GET %s (%d) does not show the name as text", path, w.Code)
			}
			for _, p := range pageProblems(w.Body.String()) {
				problems = append(problems, path+": "+p)
			}
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/topics/"+s+".atom", nil))
		report, valid := shareddata.ValidateAtom(t, w.Body.Bytes())
		if len(problems) > 0 || !valid {
			t.Errorf("unsafe: %q; Atom valid %v: %s", problems, valid, report)
		}
		rec.res("served at `/topics/%s`; unsafe constructs: %d; Atom valid: %v", s, len(problems), valid)
	})

	t.Run("unknown and hostile slugs", func(t *testing.T) {
		rec := recordAt(t, 3, secParts, "unknown slugs and hostile paths under `/topics/` and `/conferences/` "+
			"(markup, `..%2f` traversal, NUL, upper case, a 10 KB slug, an unknown format)",
			"a 404 page that lists the known parts, the path shown only as text; never a 500 or a file outside the store")
		_, handler := partsHarness(t, "XDP", "Netdev 0x19")
		paths := []string{
			"/topics/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/topics/..%2F..%2F..%2Fetc%2Fpasswd", "/conferences/%00.atom",
			"/topics/XDP", "/topics/" + strings.Repeat("x", 10000), "/topics/xdp.xml", "/conferences/netdev-0x19.atom.gz",
		}
		statuses := map[int]int{}
		for _, path := range paths {
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
			statuses[w.Code]++
			body := w.Body.String()
			if w.Code != http.StatusNotFound || !strings.Contains(body, `href="../topics/xdp"`) ||
				!strings.Contains(body, `href="../conferences/netdev-0x19"`) || strings.Contains(body, "root:") {
				t.Errorf("GET %s: %d, lists the known parts: %v", path, w.Code, strings.Contains(body, "../topics/xdp"))
			}
			if problems := pageProblems(body); len(problems) > 0 {
				t.Errorf("GET %s: unsafe %q", path, problems)
			}
		}
		rec.res("%d requests: %d answered 404 with a page listing `topics/xdp` and `conferences/netdev-0x19`",
			len(paths), statuses[http.StatusNotFound])
	})
}
