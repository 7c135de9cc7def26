package page

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestSelectorErrors(t *testing.T) {
	bootlin := fixture(t, "bootlin-blog.html")
	netdev := fixture(t, "netdev01-news.html")
	day1 := fixture(t, "netdev12-day1.html")
	withRule := func(f func(*Rules)) Rules {
		r := bootlinRules()
		f(&r)
		return r
	}
	tests := []struct {
		name    string
		body    []byte
		article bool
		rules   Rules
		rule    string // SelectorError.Name
		context []string
	}{
		{"item with an unknown class", bootlin, false, Rules{Item: ".news-entry"}, "item",
			[]string{"the page has no element with class news-entry", `its title is "netdev – Bootlin"`}},
		{"item with an unknown element", bootlin, false, Rules{Item: "li.news-entry"}, "item",
			[]string{"the page has no element with class news-entry"}},
		{"item whose tag and class exist apart", bootlin, false, Rules{Item: "section.post"}, "item",
			[]string{"the page has 3 <section> elements and 5 elements with class post, but none is section.post"}},
		{"item in a missing container", bootlin, false, Rules{Item: "div.news article"}, "item",
			[]string{"the page has 5 elements matching article, but the enclosing div.news does not exist: the page has no element with class news"}},
		{"item in a container that exists elsewhere", bootlin, false, Rules{Item: "aside article"}, "item",
			[]string{"the enclosing aside exists (1 match) and the page has 5 elements matching article, but not inside it"}},
		{"item on a page with no such tag", netdev, false, Rules{Item: "article"}, "item",
			[]string{"the page has no <article> elements at all", `its title is "Netdev 0.1 - News"`}},
		{"per-item date matching in no item", bootlin, false, withRule(func(r *Rules) { r.Date = "time.publshed" }), "date",
			[]string{"none inside any of the 5 elements matching item=article.post", "the page has no element with class publshed"}},
		{"per-item author found outside the items only", bootlin, false, withRule(func(r *Rules) { r.Author = ".site-title a" }), "author",
			[]string{"none inside any of the 5 elements matching item=article.post, though the page has 2 matches elsewhere"}},
		{"per-item title matching in no item", bootlin, false, withRule(func(r *Rules) { r.Title = "h3.entry-title" }), "title",
			[]string{"class entry-title"}},
		{"split heading", netdev, false, Rules{Split: &Split{Heading: "h2.news"}}, "heading",
			[]string{"the page has no <h2> elements at all"}},
		{"article split heading outside the content", day1, true, Rules{Content: ".entry-content", Split: &Split{Heading: "h2.widget-title"}}, "heading",
			[]string{"none inside content=.entry-content, though the page has 4 matches elsewhere"}},
		{"article content", day1, true, Rules{Content: "div.post-body"}, "content",
			[]string{"the page has no element with class post-body"}},
		{"article title", day1, true, Rules{Title: "h1.post-title"}, "title", []string{"class post-title"}},
		{"article date", day1, true, Rules{Date: "span.date"}, "date", []string{"class date"}},
		{"article author", day1, true, Rules{Author: "#author"}, "author", []string{"the page has no element with id author"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.article {
				_, err = ParseArticle(tc.body, "text/html", "https://example.org/", tc.rules)
			} else {
				_, err = ParseListing(tc.body, "text/html", "https://example.org/", tc.rules)
			}
			var se *SelectorError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SelectorError", err)
			}
			if se.Name != tc.rule {
				t.Errorf("Name = %q, want %q (%v)", se.Name, tc.rule, err)
			}
			for _, c := range tc.context {
				if !strings.Contains(se.Context, c) {
					t.Errorf("Context %q lacks %q", se.Context, c)
				}
			}
			if !strings.Contains(err.Error(), "matched 0 elements") {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestNotHTML(t *testing.T) {
	tests := []struct {
		name, body, contentType string
		want                    error
		msg                     string
	}{
		{"empty", "", "text/html", ErrEmptyBody, "empty body"},
		{"whitespace", " \n\t ", "text/html", ErrEmptyBody, "only whitespace"},
		{"byte order mark only", "\xef\xbb\xbf", "text/html", ErrEmptyBody, "empty body"},
		{"JSON object", `{"items": [{"title": "<b>x</b>"}]}`, "text/html", ErrNotHTML, "the body is JSON"},
		{"JSON array", ` [1, 2]`, "", ErrNotHTML, "the body is JSON"},
		{"JSON content type", `<p>x</p>`, "application/json; charset=utf-8", ErrNotHTML, "content type application/json"},
		{"RSS served as HTML", `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>`, "text/html", ErrNotHTML, "a feed (<rss>; use kind feed)"},
		{"Atom", `<?xml version="1.0"?><!-- c --><feed xmlns="http://www.w3.org/2005/Atom"></feed>`, "", ErrNotHTML, "a feed (<feed>"},
		{"Atom content type", `<html><body><p>x</p></body></html>`, "application/atom+xml", ErrNotHTML, "is a feed"},
		{"plain text", "2015-03-30: Links available\n\nThe sessions page has been updated.", "text/plain", ErrNotHTML, "no HTML tags"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, parse := range []func([]byte, string, string, Rules) (any, error){
				func(b []byte, ct, u string, r Rules) (any, error) { return ParseListing(b, ct, u, r) },
				func(b []byte, ct, u string, r Rules) (any, error) { return ParseArticle(b, ct, u, r) },
			} {
				doc, err := parse([]byte(tc.body), tc.contentType, "https://example.org/", Rules{Item: "p", Split: nil})
				if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
					t.Errorf("err = %v, want %v with %q", err, tc.want, tc.msg)
				}
				if doc != nil && fmt.Sprint(doc) != "<nil>" {
					t.Errorf("doc = %v with an error", doc)
				}
			}
		})
	}
}

func TestBadRules(t *testing.T) {
	body := []byte(`<html><body><article><h2>A</h2></article></body></html>`)
	tests := []struct {
		name  string
		rules Rules
		msg   string
	}{
		{"no item and no split", Rules{Title: "h2"}, "needs an item selector or split.heading"},
		{"item and split", Rules{Item: "article", Split: &Split{Heading: "h2"}}, "either an item selector or split"},
		{"split without heading", Rules{Split: &Split{}}, "split needs a heading selector"},
		{"invalid item selector", Rules{Item: "div[["}, `selector item="div[["`},
		{"invalid date selector", Rules{Item: "article", Date: "time:nosuch"}, `selector date="time:nosuch"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseListing(body, "text/html", "https://example.org/", tc.rules)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v, want %q", err, tc.msg)
			}
		})
	}
}

const listingPage = `<!DOCTYPE html>
<html><head><title>News</title><base href="/news/"></head><body>
<div class="news">
 <div class="entry"><h2><a href="a.html">Alpha</a></h2><time datetime="2024-05-01T10:00:00Z">May 1</time>
  <span class="by">Ann</span><span class="by">Bob</span><div class="body"><p>Alpha text.</p></div></div>
 <div class="entry"><h2><a href="b.html">Beta</a></h2><div class="body"><p>Beta text.</p></div></div>
 <div class="entry"><h2><a href="c.html">Gamma</a></h2><time>sometime soon</time><span class="by">Cy</span>
  <div class="body"><p>Gamma text.</p></div></div>
 <div class="entry"><h2></h2><div class="body"> </div></div>
 <div class="entry"><div class="body"><p>Untitled text.</p></div></div>
</div></body></html>`

func TestListingWarnings(t *testing.T) {
	doc, err := ParseListing([]byte(listingPage), "text/html", "https://example.org/index.html", Rules{
		Item: "div.entry", Date: "time", Author: ".by", Content: ".body",
	})
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings := []string{
		`item 2 ("Beta"): date: no match for time`,
		`item 2 ("Beta"): author: no match for .by`,
		`item 3 ("Gamma"): date: cannot parse "sometime soon"`,
		`item 4: link: no a[href] in the title or the item`,
		`item 4: date: no match for time`,
		`item 4: author: no match for .by`,
		`item 4: skipped: no title and no content`,
		`item 5: link: no a[href] in the title or the item`,
		`item 5: date: no match for time`,
		`item 5: author: no match for .by`,
	}
	if strings.Join(doc.Warnings, "\n") != strings.Join(wantWarnings, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(doc.Warnings, "\n"), strings.Join(wantWarnings, "\n"))
	}
	type item struct {
		title, link, authors, content string
		date                          time.Time
	}
	want := []item{
		{"Alpha", "a.html", "Ann,Bob", "<p>Alpha text.</p>", date("2024-05-01T10:00:00Z")},
		{"Beta", "b.html", "", "<p>Beta text.</p>", time.Time{}},
		{"Gamma", "c.html", "Cy", "<p>Gamma text.</p>", time.Time{}},
		{"", "", "", "<p>Untitled text.</p>", time.Time{}},
	}
	if len(doc.Items) != len(want) {
		t.Fatalf("%d items, want %d", len(doc.Items), len(want))
	}
	for i, w := range want {
		it := doc.Items[i]
		got := item{it.Title, it.Link, strings.Join(it.Authors, ","), it.ContentHTML, it.Published}
		if got != w {
			t.Errorf("item %d = %+v, want %+v", i+1, got, w)
		}
		if it.BaseURL != "https://example.org/news/" {
			t.Errorf("item %d base %q", i+1, it.BaseURL)
		}
	}
	if doc.Title != "News" || doc.Link != "https://example.org/index.html" {
		t.Errorf("document %q %q", doc.Title, doc.Link)
	}
}

func TestListingDefaults(t *testing.T) {
	// No title, link or content rule: the first heading, its link, and
	// the item's HTML (item 4, with neither heading text nor text, is
	// skipped).
	doc, err := ParseListing([]byte(listingPage), "text/html", "https://example.org/", Rules{Item: "div.entry"})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Items) != 4 {
		t.Fatalf("%d items, want 4", len(doc.Items))
	}
	if it := doc.Items[1]; it.Title != "Beta" || it.Link != "b.html" || !strings.Contains(it.ContentHTML, "<p>Beta text.</p>") {
		t.Errorf("item 2 = %+v", it)
	}
	// Link and content rules with several matches: the link's attribute is
	// read from inside the matched element; several content matches are
	// kept one after the other.
	doc, err = ParseListing([]byte(listingPage), "text/html", "https://example.org/", Rules{Item: "div.entry", Link: "h2", Content: "p, span.by"})
	if err != nil {
		t.Fatal(err)
	}
	if it := doc.Items[0]; it.Link != "a.html" || it.ContentHTML != `<span class="by">Ann</span>`+"\n"+`<span class="by">Bob</span>`+"\n<p>Alpha text.</p>" {
		t.Errorf("item 1 link %q content %q", it.Link, it.ContentHTML)
	}
}

func TestWarningsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("<html><body>")
	for i := range 100 {
		fmt.Fprintf(&b, `<div class="e"><h2>Item %d</h2><p>text</p></div>`, i)
	}
	b.WriteString(`<div class="e"><h2>Dated</h2><time>2024-01-02</time></div></body></html>`)
	doc, err := ParseListing([]byte(b.String()), "text/html", "https://example.org/", Rules{Item: "div.e", Date: "time"})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Items) != 101 || len(doc.Warnings) != maxWarnings+1 {
		t.Fatalf("%d items, %d warnings", len(doc.Items), len(doc.Warnings))
	}
	// 100 items without a date, 101 without a link
	if last := doc.Warnings[maxWarnings]; last != fmt.Sprintf("… and %d more warnings", 201-maxWarnings) {
		t.Errorf("last warning %q", last)
	}
}

func TestSplitWarnings(t *testing.T) {
	page := `<html><head><title>News</title></head><body><div id="content">
<p>Preamble, in no entry.</p>
<h3>2015-02-21: Please submit slides</h3><p>PDF please.</p>
<h3>Announcement without a date</h3><p>Body.</p>
<h3>2015-13-45: Impossible date</h3><p>Body.</p>
<h3></h3>
<h3>2015-02-01: Title only</h3>
</div></body></html>`
	doc, err := ParseListing([]byte(page), "text/html", "https://example.org/news.html", netdev01Rules())
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings := []string{
		`item 2 ("Announcement without a date"): heading does not match pattern ^(?P<date>\d{4}-\d{2}-\d{2}):\s*(?P<title>.+)$; the title is the heading's text`,
		`item 3 ("Impossible date"): date: cannot parse "2015-13-45" from the heading`,
		`item 4: heading does not match pattern ^(?P<date>\d{4}-\d{2}-\d{2}):\s*(?P<title>.+)$; the title is the heading's text`,
		`item 4: skipped: the heading has no text and nothing follows it`,
	}
	if strings.Join(doc.Warnings, "\n") != strings.Join(wantWarnings, "\n") {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(doc.Warnings, "\n"), strings.Join(wantWarnings, "\n"))
	}
	type item struct{ title, date, content, anchor string }
	want := []item{
		{"Please submit slides", "2015-02-21", "<p>PDF please.</p>", "2015-02-21-please-submit-slides"},
		{"Announcement without a date", "0001-01-01", "<p>Body.</p>", "announcement-without-a-date"},
		{"Impossible date", "0001-01-01", "<p>Body.</p>", "2015-13-45-impossible-date"},
		{"Title only", "2015-02-01", "", "2015-02-01-title-only"},
	}
	if len(doc.Items) != len(want) {
		t.Fatalf("%d items, want %d", len(doc.Items), len(want))
	}
	for i, w := range want {
		it := doc.Items[i]
		if got := (item{it.Title, it.Published.Format("2006-01-02"), it.ContentHTML, it.Anchor}); got != w {
			t.Errorf("item %d = %+v, want %+v", i+1, got, w)
		}
	}
}

func TestSplitStructures(t *testing.T) {
	type item struct{ title, content, anchor string }
	tests := []struct {
		name    string
		page    string
		heading string
		want    []item
	}{
		{
			"run of headings and paragraphs",
			`<div><h3>A</h3><p>a1</p><p>a2</p><h3>B</h3><p>b</p></div><p>after the container</p>`,
			"h3",
			[]item{{"A", "<p>a1</p><p>a2</p>", "a"}, {"B", "<p>b</p>", "b"}},
		},
		{
			"each entry in its own container",
			`<div class="n"><div class="i"><h3>A</h3><p>a</p></div><div class="i"><h3>B</h3><p>b</p><p>b2</p></div></div>`,
			"h3",
			[]item{{"A", "<p>a</p>", "a"}, {"B", "<p>b</p><p>b2</p>", "b"}},
		},
		{
			"heading alone in its wrapper",
			`<div><p><strong>Talk one</strong></p><p>one</p><p><strong>Talk two</strong></p><p>two</p></div>`,
			"p > strong",
			[]item{{"Talk one", "<p>one</p>", "talk-one"}, {"Talk two", "<p>two</p>", "talk-two"}},
		},
		{
			"a sibling holding the next heading ends the entry",
			`<div><h2>A</h2><p>a</p><section><h2>B</h2><p>b</p></section></div>`,
			"h2",
			[]item{{"A", "<p>a</p>", "a"}, {"B", "<p>b</p>", "b"}},
		},
		{
			"text between headings",
			`<div><h3>A</h3>plain<b>text</b> <br>more<h3>B</h3>b</div>`,
			"h3",
			[]item{{"A", "plain<b>text</b> <br/>more", "a"}, {"B", "b", "b"}},
		},
		{
			"ids and duplicate titles",
			`<div id="intro"></div><h2 id="xdp">XDP</h2><p>1</p><h2>Intro</h2><p>2</p><h2>Intro</h2><p>3</p><h2><span id="tc">TC</span></h2><p>4</p><h2><a name="bpf"></a>BPF</h2><p>5</p><h2 id="a b">Odd id</h2><p>6</p><h2>Ondřej Zajíček: BIRD</h2><p>7</p><h2>ネットワーク</h2><p>8</p>`,
			"h2",
			[]item{{"XDP", "<p>1</p>", "xdp"}, {"Intro", "<p>2</p>", "intro-2"}, {"Intro", "<p>3</p>", "intro-3"},
				{"TC", "<p>4</p>", "tc"}, {"BPF", "<p>5</p>", "bpf"}, {"Odd id", "<p>6</p>", "a%20b"},
				{"Ondřej Zajíček: BIRD", "<p>7</p>", "ondrej-zajicek-bird"}, {"ネットワーク", "<p>8</p>", "h-cf81dc1c"}},
		},
		{
			"nested matches and boilerplate",
			`<nav><h2>Menu</h2><p>m</p></nav><h2><span class="t">A</span></h2><p>a</p><div class="share"><p>Share</p></div><script>x()</script><!-- c --><aside><h2>Recent</h2></aside><h2>B</h2><p>b</p><footer class="site-footer"><p>© site</p></footer>`,
			"h2, h2 .t",
			[]item{{"A", "<p>a</p>", "a"}, {"B", "<p>b</p>", "b"}},
		},
		{
			"all headings in boilerplate still split",
			`<div class="sidebar-layout"><h4>A</h4><p>a</p><h4>B</h4><p>b</p></div>`,
			"h4",
			[]item{{"A", "<p>a</p>", "a"}, {"B", "<p>b</p>", "b"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := "<html><head><title>T</title></head><body>" + tc.page + "</body></html>"
			doc, err := ParseListing([]byte(body), "text/html", "https://example.org/p", Rules{Split: &Split{Heading: tc.heading}})
			if err != nil {
				t.Fatal(err)
			}
			var got []item
			for _, it := range doc.Items {
				got = append(got, item{it.Title, it.ContentHTML, it.Anchor})
			}
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tc.want) {
				t.Errorf("items\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestSplitPerEntryRules(t *testing.T) {
	page := `<html><body>
<h3><a href="/news/2.html">Second</a></h3><p class="meta">By <span class="who">Ann</span> on <span class="when">March 3rd, 2015</span></p><p>two</p>
<h3>First</h3><p class="meta">By <span class="who">Bob</span></p><p>one</p>
</body></html>`
	doc, err := ParseListing([]byte(page), "text/html", "https://example.org/news.html", Rules{
		Link: "a", Date: ".when", Author: ".who", Split: &Split{Heading: "h3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Items) != 2 {
		t.Fatalf("%d items", len(doc.Items))
	}
	a, b := doc.Items[0], doc.Items[1]
	if a.Title != "Second" || a.Link != "/news/2.html" || a.Anchor != "" || !a.Published.Equal(date("2015-03-03T00:00:00Z")) || strings.Join(a.Authors, ",") != "Ann" {
		t.Errorf("item 1 = %+v", a)
	}
	if b.Title != "First" || b.Link != "https://example.org/news.html" || b.Anchor != "first" || !b.Published.IsZero() || strings.Join(b.Authors, ",") != "Bob" {
		t.Errorf("item 2 = %+v", b)
	}
	if strings.Join(doc.Warnings, "\n") != "item 2 (\"First\"): date: no match for .when\nitem 2 (\"First\"): link: no match for a" {
		t.Errorf("warnings %q", doc.Warnings)
	}
}

func TestArticleDefaultsAndFallbacks(t *testing.T) {
	tests := []struct {
		name, page                    string
		title, date, authors, content string
		link                          string
		warnings                      string
	}{
		{
			name: "open graph and meta",
			page: `<html><head><title>Site</title><meta property="og:title" content="OG title">
<meta property="article:published_time" content="2016-10-05T10:31:22+09:00"><meta name="author" content="Ann">
<link rel="canonical" href="/posts/1"></head><body><div class="c"><p>` + strings.Repeat("Long enough paragraph. ", 3) + `</p></div>
<div class="comments"><p>` + strings.Repeat("A much longer comment paragraph that must not win. ", 5) + `</p></div></body></html>`,
			title: "OG title", date: "2016-10-05T01:31:22Z", authors: "Ann",
			content: "<p>" + strings.Repeat("Long enough paragraph. ", 3) + "</p>",
			link:    "https://example.org/posts/1",
		},
		{
			name:  "time element, rel=author, <title>",
			page:  `<html><head><title>Only title</title></head><body><main><time datetime="2020-01-02">Jan 2</time><a rel="author" href="/u">Bob</a><a rel="author" href="/v">Cy</a><div>No paragraphs here</div></main></body></html>`,
			title: "Only title", date: "2020-01-02T00:00:00Z", authors: "Bob,Cy",
			content: `<time datetime="2020-01-02">Jan 2</time><a href="/u" rel="author">Bob</a><a href="/v" rel="author">Cy</a><div>No paragraphs here</div>`,
			link:    "https://example.org/a",
		},
		{
			name:    "nothing but text",
			page:    `<html><body><div>Text without a title.</div></body></html>`,
			content: "<div>Text without a title.</div>", date: "0001-01-01T00:00:00Z",
			link:     "https://example.org/a",
			warnings: "title: none found (no h1, og:title or <title>)\ndate: none found (no article:published_time meta or time[datetime])",
		},
		{
			name:  "unparseable date",
			page:  `<html><body><h1>T</h1><time datetime="soon">soon</time><p>x</p></body></html>`,
			title: "T", date: "0001-01-01T00:00:00Z", content: "<h1>T</h1><time datetime=\"soon\">soon</time><p>x</p>",
			link: "https://example.org/a", warnings: `date: cannot parse "soon"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := ParseArticle([]byte(tc.page), "text/html", "https://example.org/a", Rules{})
			if err != nil {
				t.Fatal(err)
			}
			if len(doc.Items) != 1 {
				t.Fatalf("%d items", len(doc.Items))
			}
			it := doc.Items[0]
			if it.Title != tc.title || it.Published.Format(time.RFC3339) != tc.date || strings.Join(it.Authors, ",") != tc.authors ||
				it.ContentHTML != tc.content || it.Link != tc.link {
				t.Errorf("item title %q date %v authors %q link %q content %q", it.Title, it.Published, it.Authors, it.Link, it.ContentHTML)
			}
			if got := strings.Join(doc.Warnings, "\n"); got != tc.warnings {
				t.Errorf("warnings %q, want %q", got, tc.warnings)
			}
		})
	}
}

func TestArticleWithoutTitleOrText(t *testing.T) {
	_, err := ParseArticle([]byte(`<html><body><div><img src="x.png"></div></body></html>`), "text/html", "https://example.org/", Rules{})
	if err == nil || !strings.Contains(err.Error(), "no title and no text") {
		t.Errorf("err = %v", err)
	}
}

func TestArticleRules(t *testing.T) {
	// Configured rules win over the defaults; the date layout is tried first.
	page := `<html><head><meta property="og:title" content="OG"></head><body>
<h1 class="x">Rule title</h1><span class="d">05.10.2016</span><span class="a">Ann</span><span class="a">Ann</span>
<a class="perma" href="/p/1">permalink</a><div class="s">Summary</div><div class="c"><p>Body</p><div class="sharedaddy"><h3>Share this:</h3></div></div></body></html>`
	doc, err := ParseArticle([]byte(page), "text/html", "https://example.org/x?utm=1", Rules{
		Title: "h1.x", Date: ".d", DateLayouts: []string{"02.01.2006"}, Author: ".a", Link: "a.perma", Summary: ".s", Content: ".c",
	})
	if err != nil {
		t.Fatal(err)
	}
	it := doc.Items[0]
	if it.Title != "Rule title" || !it.Published.Equal(date("2016-10-05T00:00:00Z")) || strings.Join(it.Authors, ",") != "Ann" ||
		it.Link != "https://example.org/p/1" || it.SummaryHTML != "Summary" || it.ContentHTML != "<p>Body</p>" || doc.Link != it.Link {
		t.Errorf("item %+v, document link %q", it, doc.Link)
	}
}

func TestCharset(t *testing.T) {
	// ISO-8859-1 bytes, declared in the Content-Type only.
	body := []byte("<html><head><title>Ond\xf8ej</title></head><body><div class=\"e\"><h2>Zaj\xedcek</h2><p>caf\xe9</p></div></body></html>")
	doc, err := ParseListing(body, "text/html; charset=iso-8859-1", "https://example.org/", Rules{Item: "div.e"})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Title != "Ondøej" || doc.Items[0].Title != "Zajícek" || !strings.Contains(doc.Items[0].ContentHTML, "café") {
		t.Errorf("title %q item %+v", doc.Title, doc.Items[0])
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		layouts []string
		want    string // RFC 3339, "" when it does not parse
	}{
		{"2015-02-21", nil, "2015-02-21T00:00:00Z"},
		{"February 21, 2015", nil, "2015-02-21T00:00:00Z"},
		{"2018-03-16T17:49:17+00:00", nil, "2018-03-16T17:49:17Z"},
		{" 2016-10-05T10:31:22+09:00 ", nil, "2016-10-05T01:31:22Z"},
		{"Mon, 13 Mar 2017 10:21:54 +0000", nil, "2017-03-13T10:21:54Z"},
		{"21/02/2015", []string{"02/01/2006"}, "2015-02-21T00:00:00Z"},
		{"2015-02-21", []string{"02/01/2006"}, "2015-02-21T00:00:00Z"}, // falls back on the common forms
		{"2015/02/21", nil, "2015-02-21T00:00:00Z"},
		{"2015.02.21", nil, "2015-02-21T00:00:00Z"},
		{"March 3rd, 2015", nil, "2015-03-03T00:00:00Z"},
		{"Sept. 21, 2015", nil, "2015-09-21T00:00:00Z"},
		{"Jan. 2, 2015", nil, "2015-01-02T00:00:00Z"},
		{"Saturday, February 21, 2015", nil, "2015-02-21T00:00:00Z"},
		{"21 February, 2015", nil, "2015-02-21T00:00:00Z"},
		{"February 21, 2015 at 3:04 pm", nil, "2015-02-21T15:04:00Z"},
		{"sometime soon", nil, ""},
		{"", nil, ""},
		{"2015-13-45", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := parseDate(tc.in, tc.layouts)
			if s := got.Format(time.RFC3339); (tc.want == "" && ok) || (tc.want != "" && s != tc.want) {
				t.Errorf("parseDate(%q) = %s, %v; want %q", tc.in, s, ok, tc.want)
			}
		})
	}
}

func TestPatternWithoutTitleGroup(t *testing.T) {
	page := `<html><body><h3>2015-02-21 Slides</h3><p>x</p></body></html>`
	doc, err := ParseListing([]byte(page), "text/html", "https://example.org/", Rules{Split: &Split{
		Heading: "h3", Pattern: regexp.MustCompile(`^(?P<date>\d{4}-\d{2}-\d{2})`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if it := doc.Items[0]; it.Title != "2015-02-21 Slides" || !it.Published.Equal(date("2015-02-21T00:00:00Z")) {
		t.Errorf("item %+v", it)
	}
}
