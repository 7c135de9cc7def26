package corpusgen

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/internal/shareddata"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/normalize/page"
)

// templates cover every rewrite path: each format, tag: and urn: ids, ids
// that are not URIs, xml:base, root-relative links, JSON's escaped slashes,
// RSS 0.90 and non-UTF-8 charsets. (The harness checks all 55 templates at
// every run: netdigest must store exactly the manifest's entries.)
var templates = []string{
	"netnewswire/feeds/DaringFireball.atom", // tag: ids
	"netnewswire/feeds/root-author.atom",    // urn:uuid ids
	"netnewswire/feeds/qemu.atom",           // root-relative links and ids
	"netnewswire/feeds/adobe.atom",          // xml:base
	"netnewswire/feeds/curt.json",           // http:\/\/ escapes
	"netnewswire/feeds/allthis.json",        // JSON Feed 1
	"netnewswire/feeds/bio.rdf",             // RSS 1.0
	"miniflux/parser/rdf_UTF8.xml",          // RSS 0.90
	"netnewswire/feeds/scriptingNews.rss",   // duplicate guids within the feed
	"netnewswire/feeds/kc0011.rss",          // GB2312
	"miniflux/parser/encoding_WINDOWS-1251.xml",
	"miniflux/parser/no_encoding_ISO-8859-1.xml", // no declaration at all
}

func options(t *testing.T, dir string, n int, seed uint64) Options {
	t.Helper()
	root, err := shareddata.ModuleRoot()
	if err != nil {
		t.Skip(err)
	}
	return Options{
		Dir:          dir,
		Sources:      n,
		Seed:         seed,
		HTMLFraction: 0.1,
		Realworld:    shareddata.Path(t, "corpus", "realworld"),
		Page:         filepath.Join(root, "normalize", "page", "testdata", "bootlin-blog.html"),
		Templates:    templates,
	}
}

func TestSameSeedSameBytes(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	ma, err := Generate(options(t, a, 40, 7))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(options(t, b, 40, 7)); err != nil {
		t.Fatal(err)
	}
	// A smaller N is a prefix of a larger one: one corpus serves every N.
	if _, err := Generate(options(t, c, 15, 7)); err != nil {
		t.Fatal(err)
	}
	for i, s := range ma.Sources {
		x := readFile(t, a, s.File)
		if y := readFile(t, b, s.File); !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs with the same seed", s.File)
		}
		if i < 15 {
			if z := readFile(t, c, s.File); !bytes.Equal(x, z) {
				t.Errorf("%s differs between N=40 and N=15", s.File)
			}
		}
	}
	if x, y := readFile(t, a, ManifestFile), readFile(t, b, ManifestFile); !bytes.Equal(x, y) {
		t.Error("manifests differ between two runs with the same seed")
	}
	d := t.TempDir()
	md, err := Generate(options(t, d, 40, 8))
	if err != nil {
		t.Fatal(err)
	}
	same := 0
	for i := range md.Sources {
		if md.Sources[i].Template == ma.Sources[i].Template {
			same++
		}
	}
	if same == len(md.Sources) {
		t.Error("seeds 7 and 8 picked the same templates in the same order")
	}
}

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Two sources made from the same template share no id, link or title, and
// each keeps all of its template's entries.
func TestNothingDedupesAcrossSources(t *testing.T) {
	dir := t.TempDir()
	// Twice the templates: every template is used at least twice.
	opts := options(t, dir, 1, 1)
	feeds, err := FeedTemplates(opts.Realworld, opts.Templates...)
	if err != nil {
		t.Fatal(err)
	}
	if len(feeds) != len(templates) {
		t.Fatalf("%d of the %d templates found", len(feeds), len(templates))
	}
	opts.Sources = 2*len(feeds) + 6
	m, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	norm := normalize.New()
	ids, links, titles := map[string]string{}, map[string]string{}, map[string]string{}
	kinds := map[string]int{}
	templateEntries := map[string]int{}
	for _, s := range m.Sources {
		kinds[s.Format]++
		data := readFile(t, dir, s.File)
		if n := bytes.Count(data, []byte(s.ChurnAnchor)); s.ChurnAnchor == "" || n != 1 {
			t.Errorf("%s (%s): churn anchor %q occurs %d times, want once", s.Name, s.Template, s.ChurnAnchor, n)
		}
		url := "http://127.0.0.1:1/f/" + s.File
		var doc *normalize.Document
		if s.Kind == config.KindHTML {
			doc, err = page.ParseListing(data, s.ContentType, url, PageRules)
		} else {
			doc, err = normalize.ParseFeed(data, s.ContentType, url)
		}
		if err != nil {
			t.Fatalf("%s (%s): %v", s.Name, s.Template, err)
		}
		es := norm.Entries(normalize.Source{Name: s.Name, URL: url}, doc, time.Now())
		if len(es) != s.Entries || len(es) == 0 {
			t.Errorf("%s (%s): %d entries, manifest says %d", s.Name, s.Template, len(es), s.Entries)
		}
		if prev, ok := templateEntries[s.Template]; ok && prev != len(es) {
			t.Errorf("%s: %d entries from template %s, another copy had %d", s.Name, len(es), s.Template, prev)
		}
		templateEntries[s.Template] = len(es)
		seenTitle := map[string]bool{}
		for _, e := range es {
			if other, ok := ids[e.ID]; ok && other != s.Name {
				t.Errorf("id %q in %s and %s", e.ID, other, s.Name)
			}
			ids[e.ID] = s.Name
			if e.Link != "" {
				if other, ok := links[e.Link]; ok && other != s.Name {
					t.Errorf("link %q in %s and %s", e.Link, other, s.Name)
				}
				links[e.Link] = s.Name
			}
			if strings.Contains(e.Title, "["+s.Name+".") && !seenTitle[e.Title] {
				seenTitle[e.Title] = true
				if other, ok := titles[e.Title]; ok && other != s.Name {
					t.Errorf("title %q in %s and %s", e.Title, other, s.Name)
				}
				titles[e.Title] = s.Name
			}
		}
		// Items without a title get one made from their text, which no
		// rewrite marks; every title the source gave is marked.
		for _, it := range doc.Items {
			if title := normalize.PlainText(it.Title); title != "" && !strings.Contains(title, "["+s.Name+".") {
				t.Errorf("%s (%s): title %q carries no marker", s.Name, s.Template, title)
			}
		}
	}
	for _, f := range []string{FormatRSS, FormatAtom, FormatRDF, FormatJSON, FormatHTML} {
		if kinds[f] == 0 {
			t.Errorf("no %s source among %d", f, len(m.Sources))
		}
	}
}

// The rewrite keeps what parsers compare verbatim and marks the rest.
func TestRewrite(t *testing.T) {
	tests := []struct {
		name, format, in, want string
	}{
		{"atom namespace kept, links and ids marked", FormatAtom,
			`<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>tag:example.org,2020:feed</id>` +
				`<entry><title type="html"><![CDATA[A & B]]></title><link href="https://example.org/a"/><id>https://example.org/a</id></entry></feed>`,
			`<feed xmlns="http://www.w3.org/2005/Atom"><title>[s00001.0] T</title><id>tag:s00001-example.org,2020:feed</id>` +
				`<entry><title type="html"><![CDATA[[s00001.1] A & B]]></title><link href="https://s00001.example.org/a"/><id>https://s00001.example.org/a</id></entry></feed>`},
		{"rss guid not a URL", FormatRSS,
			`<rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item><guid isPermaLink="false">42</guid><link>http://Example.org/x?a=1</link></item></channel></rss>`,
			`<rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item><guid isPermaLink="false">s00001-42</guid><link>http://s00001.Example.org/x?a=1</link></item></channel></rss>`},
		{"json escaped slashes, version kept", FormatJSON,
			`{"version":"https:\/\/jsonfeed.org\/version\/1","title":"F","items":[{"id":"7","url":"https:\/\/ex.org\/7","title":"P"}]}`,
			`{"version":"https:\/\/jsonfeed.org\/version\/1","title":"[s00001.0] F","items":[{"id":"s00001-7","url":"https:\/\/s00001.ex.org\/7","title":"[s00001.1] P"}]}`},
		{"empty title element left alone", FormatRSS,
			`<rss><channel><title/><item><title>x</title></item></channel></rss>`,
			`<rss><channel><title/><item><title>[s00001.0] x</title></item></channel></rss>`},
		{"root-relative links get a path segment", FormatAtom,
			`<feed><title>F</title><link href="/"/><entry><title>E</title><link href="/2025/x/"/><link href="//cdn.example/y"/></entry></feed>`,
			`<feed><title>[s00001.0] F</title><link href="/s00001/"/><entry><title>[s00001.1] E</title><link href="/s00001/2025/x/"/><link href="//cdn.example/y"/></entry></feed>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, anchor := Rewrite([]byte(tc.in), tc.format, "s00001")
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			// The anchor is the first item's title, else the document's.
			want := "[s00001.1] "
			if !bytes.Contains(got, []byte(want)) {
				want = "[s00001.0] "
			}
			if !bytes.Contains(got, []byte(want)) {
				want = ""
			}
			if anchor != want {
				t.Errorf("anchor %q, want %q", anchor, want)
			}
		})
	}
}

func TestConfigLoads(t *testing.T) {
	dir := t.TempDir()
	m, err := Generate(options(t, dir, 40, 3))
	if err != nil {
		t.Fatal(err)
	}
	data := m.Config(25, ConfigOptions{
		Store: filepath.Join(dir, "nd.db"), Output: filepath.Join(dir, "out"), MaxEntries: 500,
		URL: func(i int, s Source) string { return "http://127.0.0.1:9/f/" + s.File },
	})
	cfg, err := config.Parse(filepath.Join(dir, "feeds.yaml"), data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if len(cfg.Sources) != 25 || cfg.MaxEntries != 500 {
		t.Fatalf("%d sources, max_entries %d", len(cfg.Sources), cfg.MaxEntries)
	}
	if !cfg.Fetch.AllowPrivateNetworks {
		t.Error("allow_private_networks is off: the benchmark's 127.0.0.1 servers would be refused")
	}
	for i, s := range cfg.Sources {
		if s.Name != m.Sources[i].Name || s.Kind != m.Sources[i].Kind {
			t.Errorf("source %d: %s/%s, manifest %s/%s", i, s.Name, s.Kind, m.Sources[i].Name, m.Sources[i].Kind)
		}
	}
}
