package normalize

import (
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/internal/shareddata"
)

// TestSanitizedContent runs item HTML through Entries, as a feed delivers it,
// and checks what reaches Entry.Content.
func TestSanitizedContent(t *testing.T) {
	tests := []struct {
		name      string
		html      string
		want      []string // substrings that must be present
		forbidden []string // substrings that must be gone
	}{
		{name: "script removed", html: `<p>hi</p><script>alert(1)</script>`,
			want: []string{"<p>hi</p>"}, forbidden: []string{"script", "alert"}},
		{name: "onerror removed", html: `<img src="https://example.org/x.png" onerror="alert(1)">`,
			want: []string{`<img src="https://example.org/x.png"`}, forbidden: []string{"onerror", "alert"}},
		{name: "onclick removed", html: `<a href="https://example.org/" onclick="steal()">x</a>`,
			want: []string{`href="https://example.org/"`}, forbidden: []string{"onclick", "steal"}},
		{name: "javascript href removed", html: `<a href="javascript:alert(1)">click</a>`,
			want: []string{"click"}, forbidden: []string{"javascript", "href"}},
		{name: "data URL image removed", html: `<img src="data:image/svg+xml;base64,PHN2Zz4=">`,
			forbidden: []string{"data:"}},
		{name: "iframe removed", html: `<p>before</p><iframe src="https://evil.example/"></iframe><p>after</p>`,
			want: []string{"<p>before</p>", "<p>after</p>"}, forbidden: []string{"iframe", "evil"}},
		{name: "style element and attribute removed", html: `<style>body{display:none}</style><p style="color:red">text</p>`,
			want: []string{"<p>text</p>"}, forbidden: []string{"style", "display", "color"}},
		{name: "form removed", html: `<form action="https://evil.example/"><input name="pw"></form><p>ok</p>`,
			want: []string{"<p>ok</p>"}, forbidden: []string{"form", "input", "evil"}},
		{name: "relative img src made absolute", html: `<img src="/img/a.png" alt="diagram">`,
			want: []string{`<img src="https://site.example/img/a.png" alt="diagram"`}},
		{name: "relative link made absolute against item link", html: `<a href="next.html">next</a>`,
			want: []string{`href="https://site.example/posts/next.html"`}},
		{name: "srcset made absolute", html: `<img src="a.png" srcset="a-2x.png 2x, /b.png 3x">`,
			want: []string{`src="https://site.example/posts/a.png"`}},
		{name: "formatting kept", html: `<p><strong>bold</strong> <em>it</em> <code>ip link</code></p><pre>tc qdisc</pre><ul><li>one</li></ul><blockquote>q</blockquote>`,
			want: []string{"<strong>bold</strong>", "<em>it</em>", "<code>ip link</code>", "<pre>tc qdisc</pre>", "<ul><li>one</li></ul>", "<blockquote>q</blockquote>"}},
		{name: "tables kept", html: `<table><tr><td>a</td></tr></table>`,
			want: []string{"<table>", "<td>a</td>"}},
		{name: "code language class kept", html: `<pre><code class="language-c">int x;</code></pre>`,
			want: []string{`<code class="language-c">`}},
		{name: "links get nofollow", html: `<a href="https://example.org/">x</a>`,
			want: []string{`rel="nofollow"`}},
	}
	n := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := &Document{Items: []Item{{
				GUID: "urn:x:1", Title: "t", Link: "https://site.example/posts/this.html", ContentHTML: tt.html,
			}}}
			es := n.Entries(Source{Name: "s"}, doc, testNow)
			got := es[0].Content
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("content %q lacks %q", got, w)
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(got, f) {
					t.Errorf("content %q still has %q", got, f)
				}
			}
		})
	}
}

func TestAbsolutizeHTML(t *testing.T) {
	got := AbsolutizeHTML(`<a href="../x">x</a> <img src="y.png" srcset="y1.png 1x, https://cdn.example/y2.png 2x"> <a href="#frag">f</a> <a href="mailto:a@b">m</a>`,
		"https://example.org/a/b/c.html")
	for _, w := range []string{
		`href="https://example.org/a/x"`,
		`src="https://example.org/a/b/y.png"`,
		`srcset="https://example.org/a/b/y1.png 1x, https://cdn.example/y2.png 2x"`,
		`href="https://example.org/a/b/c.html#frag"`,
		`href="mailto:a@b"`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("%q lacks %q", got, w)
		}
	}
	if in := `<a href="x">x</a>`; AbsolutizeHTML(in, "not a base") != in {
		t.Errorf("relative base should leave the fragment alone")
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain  text\n here", "plain text here"},
		{"<p>One</p><p>Two</p>", "One Two"},
		{"a <b>bold</b> word", "a bold word"},
		{"AT&amp;T &lt;3 caf&eacute; &#8217;", "AT&T <3 café ’"},
		{"Fix &lt;b&gt;bold&lt;/b&gt; titles", "Fix <b>bold</b> titles"}, // entity-escaped markup is text
		{"<script>var x = 1;</script>Text<style>p{}</style>", "Text"},
		{"struct <sk_buff> and <linux/if.h>", "struct <sk_buff> and <linux/if.h>"},
		{"ip link set <dev> up; Signal<Value>", "ip link set <dev> up; Signal<Value>"},
		{"<L29Ah> yay <Minoru> hi", "<L29Ah> yay <Minoru> hi"},
		{"obsolete <datagrid>grid</datagrid> element", "obsolete grid element"},
		// The unknown tags come after markup, opened before they are closed:
		// the pass that pairs them must still see the whole fragment.
		{"<p>a</p><x-note>b</x-note> <q-v> c", "a b <q-v> c"},
		{"line<br>break", "line break"},
		{"<!-- comment -->kept", "kept"},
		{"<p>a</p><p><iframe src='x' /></p>", "a"}, // <iframe/> opens raw text as <iframe> does
		{"<p>a</p><object data='x'/><p>b</p>", "a b"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short text", 300, "short text"},
		{"one two three four", 12, "one two…"},
		{"one two three four", 14, "one two three…"},
		{"one two, three", 10, "one two…"},
		{"supercalifragilistic", 10, "supercali…"},
		{"àéîõü àéîõü àéîõü", 12, "àéîõü àéîõü…"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Truncate(tt.in, tt.max)
			if got != tt.want {
				t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
			}
			if utf8.RuneCountInString(got) > tt.max {
				t.Errorf("result has %d runes, over %d", utf8.RuneCountInString(got), tt.max)
			}
		})
	}
}

func TestSummaryCutAtWord(t *testing.T) {
	word := "netfilter "
	long := "<p>" + strings.Repeat(word, 60) + "</p>" // 600 characters
	n := New()
	doc := &Document{Items: []Item{{GUID: "urn:x:1", Title: "t", SummaryHTML: long}}}
	s := n.Entries(Source{Name: "s"}, doc, testNow)[0].Summary
	if c := utf8.RuneCountInString(s); c > summaryRunes || c < summaryRunes-len(word) {
		t.Errorf("summary has %d runes, want about %d", c, summaryRunes)
	}
	if !strings.HasSuffix(s, "netfilter…") {
		t.Errorf("summary %q not cut after a whole word", s)
	}
	if strings.Contains(s, "<") {
		t.Errorf("summary %q has markup", s)
	}
}

// urlAttrValues lists the URL-bearing attribute values of a fragment in
// document order, as the tokenizer reads them.
func urlAttrValues(fragment string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			_, more := z.TagName()
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				if isURLAttr(string(k)) || string(k) == "srcset" {
					out = append(out, string(k)+"="+string(v))
				}
			}
		}
	}
}

// distinct sorts l and drops repeated values.
func distinct(l []string) []string {
	slices.Sort(l)
	return slices.Compact(l)
}

func TestAbsolutizeHTMLSkipsFragmentsWithoutRelativeURLs(t *testing.T) {
	const base = "https://example.org/a/b.html"
	tests := []struct {
		name, in string
		proven   bool // the byte scan proves every URL absolute
		rewrite  bool // a URL changes
	}{
		{"text only", "Fish & chips <3", true, false},
		{"absolute links, malformed markup kept verbatim", `<p>A <A HREF="https://x.example/1">b<br>c<p>d`, true, false},
		{"quoted and unquoted, spaces around =", `<a href = 'http://x.example/'>x</a><a href=https://y.example/>y</a>`, true, false},
		{"every URL attribute absolute", `<img src="http://i.example/a.png">` +
			`<blockquote cite="https://q.example/"></blockquote><video poster="https://v.example/p.jpg"></video>` +
			`<form action="https://f.example/"></form><img longdesc="https://d.example/">`, true, false},
		{"other schemes", `<a href="mailto:a@b.example">m</a> <a href="javascript:alert(1)">j</a> <a href="tel:+1">t</a>`, true, false},
		{"absolute srcset", `<img srcset="https://i.example/a.png 1x, https://i.example/b.png 2x">`, false, false},
		{"entity spelling an absolute URL", `<a href="&#104;ttps://x.example/">x</a>`, false, false},
		{"attribute-like text outside tags", `he said href="x" and took action / cited it`, false, false},
		{"relative link inside a script is text", `<script>var a = '<a href="x">';</script>`, false, false},
		{"namespaced attribute", `<svg><a xlink:href="x"></a></svg>`, true, false},
		{"math without attributes", `<math><mi>x</math>`, true, false},
		{"relative href", `<a href="x.html">x</a>`, false, true},
		{"root-relative src", `<img src="/i.png">`, false, true},
		{"fragment-only href", `<a href="#s2">s2</a>`, false, true},
		{"empty href resolves to the base", `<a href="">self</a>`, false, true},
		{"valueless href", `<a href>self</a>`, false, true},
		{"upper-case unquoted", `<A HREF=x.html>x</A>`, false, true},
		{"entity spelling a relative URL", `<a href="&#x2F;x">x</a>`, false, true},
		{"relative after absolute", `<a href="https://x.example/">a</a><a href="y">b</a>`, false, true},
		{"right after a quoted value", `<a title="t"href="y">b</a>`, false, true},
		{"srcset with one relative candidate", `<img srcset="https://i.example/a.png 1x, b.png 2x">`, false, true},
		{"srcset absolute but respaced", `<img srcset="https://i.example/a.png 1x,https://i.example/b.png 2x">`, false, true},
		{"cite", `<q cite="q.html">q</q>`, false, true},
		{"poster", `<video poster="p.jpg"></video>`, false, true},
		{"action", `<form action="post"></form>`, false, true},
		{"longdesc", `<img longdesc="d.html">`, false, true},
		{"after a slash separator", `<img/src="i.png">`, false, true},
		{"svg with a relative link", `<svg><style><a href="x">x</a></style></svg>`, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := allURLsAbsolute(tt.in); got != tt.proven {
				t.Errorf("allURLsAbsolute = %v, want %v", got, tt.proven)
			}
			if tt.proven && tt.rewrite {
				t.Fatal("bad case: a proven fragment is never rewritten")
			}
			rewrite := tt.rewrite
			got := AbsolutizeHTML(tt.in, base)
			if !rewrite && got != tt.in {
				t.Errorf("AbsolutizeHTML = %q, want the fragment as it was", got)
			}
			if rewrite && got == tt.in {
				t.Errorf("AbsolutizeHTML left %q as it was", got)
			}
		})
	}
}

// TestAbsolutizeHTMLRewritesOnlyChangedTags: outside the tags whose URLs
// change, the markup comes back byte for byte.
func TestAbsolutizeHTMLRewritesOnlyChangedTags(t *testing.T) {
	const base = "https://example.org/a/b.html"
	tests := []struct{ in, want string }{
		{`<p>A<br>b <A HREF=x.html TITLE='T'>x</A> &amp; <img src="https://i.example/i.png">`,
			`<p>A<br>b <a href="https://example.org/a/x.html" title="T">x</A> &amp; <img src="https://i.example/i.png">`},
		{`<img srcset="a.png 1x,b.png 2x" alt="&quot;q&quot;"/><td>stray cell`,
			`<img srcset="https://example.org/a/a.png 1x, https://example.org/a/b.png 2x" alt="&#34;q&#34;"/><td>stray cell`},
		{`<!-- <a href="c"> --><a href="#n">n</a><script>x = '<a href="s">'</script>`,
			`<!-- <a href="c"> --><a href="https://example.org/a/b.html#n">n</a><script>x = '<a href="s">'</script>`},
		{`<a href="x">unfinished <b`, `<a href="https://example.org/a/x">unfinished `},
		// foreign content goes through the parser
		{`<svg><a href="x"><title>t</title></a></svg>`, `<svg><a href="https://example.org/a/x"><title>t</title></a></svg>`},
	}
	for _, tt := range tests {
		if got := AbsolutizeHTML(tt.in, base); got != tt.want {
			t.Errorf("AbsolutizeHTML(%q)\n = %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// TestAbsolutizeHTMLSkipLosesNoURL checks AbsolutizeHTML against the
// parser on the real corpus: skipped or rewritten token by token, every
// fragment ends with exactly the URL attributes that parsing and
// absolutizing its tree gives.
func TestAbsolutizeHTMLSkipLosesNoURL(t *testing.T) {
	dir := shareddata.Path(t, "corpus", "realworld")
	skipped, rewritten := 0, 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := ParseFeed(data, "", "https://feed.example/dir/feed")
		if err != nil {
			return nil // not a feed netdigest reads
		}
		base, _ := url.Parse("https://feed.example/dir/post.html")
		for _, it := range doc.Items {
			for _, frag := range []string{it.ContentHTML, it.SummaryHTML} {
				if strings.TrimSpace(frag) == "" {
					continue
				}
				got := AbsolutizeHTML(frag, base.String())
				if got == frag {
					skipped++
				} else {
					rewritten++
				}
				// As sets: the parser repairs misnested links by cloning
				// them (the adoption agency), so it can hold one twice.
				tree := absolutizeTree(frag, base)
				if a, b := distinct(urlAttrValues(got)), distinct(urlAttrValues(tree)); !slices.Equal(a, b) {
					t.Errorf("%s: item %q (byte scan %v): URLs differ from the parser's\n got  %q\n tree %q",
						path, it.Title, allURLsAbsolute(frag), a, b)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if skipped == 0 || rewritten == 0 {
		t.Errorf("%d fragments skipped, %d rewritten: the corpus should have both", skipped, rewritten)
	}
	t.Logf("%d fragments skipped, %d rewritten", skipped, rewritten)
}
