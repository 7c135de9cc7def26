package reliability

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/server"
	"github.com/netdigest/netdigest/templates"
)

// TestReadersAndScrapers: what a feed reader makes of /feed.rss when a
// summary's plain text looks like markup (an IRC nick in angle brackets, a
// script tag quoted in a bug report), and what a Prometheus scraper finds in
// /metrics before the daemon fetched anything.
func TestReadersAndScrapers(t *testing.T) {
	section(t, secReaders)
	const text = `Reported by <L29Ah>: <script>alert(1)</script> in a comment`
	// The source's HTML shows the text, escaped; netdigest's summary is
	// that text, plain.
	src := httptest.NewServer(serveFeed(rssFeed("Mailing list", rssItem{GUID: "m1", Title: "Bug report",
		Link: "https://lists.example.org/m1", Content: "<p>" + htmlEscape(text) + "</p>"})))
	defer src.Close()
	h := newHarness(t, nil, hostileFetch(), feedSource("list", src.URL), feedSource("quiet", src.URL+"/other")) // the same item: a duplicate, /feed.rss has it once
	metrics := server.NewMetrics()
	handler, err := server.New(server.Deps{Config: h.runner.Config, Runner: h.runner, Metrics: metrics, Templates: templates.FS})
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(handler)
	defer web.Close()
	get := func(t *testing.T, path string) []byte {
		t.Helper()
		resp, err := http.Get(web.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
		return b
	}

	t.Run("metrics", func(t *testing.T) {
		rec := recordAt(t, 1, secReaders, "`/metrics` of a daemon with 2 sources, before any fetch or digest",
			"every family has `# HELP` and `# TYPE`; a zero series per source × fetch outcome and per digest outcome")
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(bytes.NewReader(get(t, "/metrics")))
		if err != nil {
			t.Fatalf("Prometheus's parser refuses /metrics: %v", err)
		}
		var untyped []string
		for name, f := range fams {
			if f.GetHelp() == "" || f.GetType().String() == "UNTYPED" {
				untyped = append(untyped, name)
			}
		}
		zero := func(name string) (n int) {
			for _, m := range fams[name].GetMetric() {
				if m.GetCounter() != nil && m.GetCounter().GetValue() == 0 {
					n++
				}
			}
			return n
		}
		fetches, digests := zero("netdigest_fetches_total"), zero("netdigest_digest_sends_total")
		wantFetches, wantDigests := 2*len(pipeline.Outcomes()), len(pipeline.DigestActions())+1
		if len(untyped) > 0 || fetches != wantFetches || digests != wantDigests {
			t.Errorf("families without help or type %q; %d zero fetch series (want %d), %d zero digest series (want %d)",
				untyped, fetches, wantFetches, digests, wantDigests)
		}
		rec.res("%d families, %d without help or type; %d zero `netdigest_fetches_total` series (2 × %d outcomes), "+
			"%d zero `netdigest_digest_sends_total` series", len(fams), len(untyped), fetches, len(pipeline.Outcomes()), digests)
	})

	t.Run("rss", func(t *testing.T) {
		rec := recordAt(t, 2, secReaders, "a summary reading `"+text+"`, in `/feed.rss`",
			"`<description>` is an HTML fragment whose text is the summary, with no element in it")
		if res := h.fetchAll(t)["list"]; res.Err != nil {
			t.Fatal(res.Err)
		}
		f, err := gofeed.NewParser().Parse(bytes.NewReader(get(t, "/feed.rss")))
		if err != nil || len(f.Items) != 1 {
			t.Fatalf("feed: %v, %d items", err, len(f.Items))
		}
		desc := f.Items[0].Description
		shown, elements := htmlFragmentText(t, desc)
		unsafe := UnsafeHTML(desc, Fragment)
		if shown != text || elements > 0 || len(unsafe) > 0 {
			t.Errorf("description %q reads %q as HTML, %d elements, unsafe: %q", desc, shown, elements, unsafe)
		}
		rec.res("a reader's HTML parse shows %s, %d elements, unsafe constructs: %d", quote(shown), elements, len(unsafe))
	})
}

// htmlEscape is the escaping of a text in HTML (the source's own page).
func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// htmlFragmentText parses s as the body of an HTML document, as a reader
// showing a description does: the text it shows, and how many elements.
func htmlFragmentText(t *testing.T, s string) (string, int) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader("<!doctype html><body>" + s))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	elements := -3 // html, head, body
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			b.WriteString(n.Data)
		case html.ElementNode:
			elements++
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return b.String(), elements
}
