// Package corpusgen makes the benchmark corpus: N sources built from real
// feeds (RSS, Atom, RDF, JSON Feed) and a listing page, each rewritten so
// that every id, link and title is unique to its source and nothing dedupes
// across sources. The same seed gives the same bytes, and source i is the
// same whatever N, so one corpus of the largest N serves every smaller N.
//
// The rewrite is textual and keeps everything else byte for byte (charset,
// namespaces, markup, escapes), so the parsers see the real-world shapes:
//   - every http(s) URL gets the source's marker as a first host label
//     (https://s00042.example.com/…), except namespace URIs and JSON Feed's
//     version URL, which parsers compare verbatim;
//   - ids that are not http(s) URLs (<guid>, Atom <id>, JSON "id") get the
//     marker after their scheme (urn:s00042-uuid:…) or in front;
//   - every title (and a listing page's post titles) starts with
//     "[s00042.K] ", K counting titles in the document.
package corpusgen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"

	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/normalize/page"
)

// Formats of a template and of the sources made from it.
const (
	FormatRSS  = "rss"
	FormatAtom = "atom"
	FormatRDF  = "rdf"
	FormatJSON = "json"
	FormatHTML = "html" // a listing page, kind html
)

// ManifestFile is the manifest's name in a corpus directory.
const ManifestFile = "manifest.json"

// Template is a real document sources are made from.
type Template struct {
	Path   string // as found, relative to the directory it was read from
	Format string
	Data   []byte
}

// Source is one generated source.
type Source struct {
	Name        string `json:"name"` // also the marker inserted in it: s00042
	Kind        string `json:"kind"` // feed or html (netdigest's kinds)
	Format      string `json:"format"`
	Template    string `json:"template"`
	File        string `json:"file"` // in the corpus directory
	ContentType string `json:"content_type"`
	Bytes       int    `json:"bytes"`
	SHA256      string `json:"sha256"`
	// Items is what a bare parser finds: gofeed's items for a feed (0 when
	// gofeed alone cannot parse the bytes), the listing's item elements for
	// a page.
	Items int `json:"items"`
	// DocItems is how many items netdigest's parser reads (before the
	// dedupe by id), the count other tolerant parsers should come close to.
	DocItems int `json:"doc_items"`
	// Entries is how many entries netdigest stores for the source.
	Entries int `json:"entries"`
	// ChurnAnchor occurs once in the file: the title marker of the first
	// item (else of the document). A server changes the source by rewriting
	// it, which edits that item.
	ChurnAnchor string `json:"churn_anchor"`
}

// Manifest describes a corpus directory.
type Manifest struct {
	Seed         uint64   `json:"seed"`
	HTMLFraction float64  `json:"html_fraction"`
	Templates    []string `json:"templates"`
	Sources      []Source `json:"sources"`
}

// Options select what Generate makes.
type Options struct {
	Dir          string  // written to (created)
	Sources      int     // N
	Seed         uint64  // same seed, same bytes
	HTMLFraction float64 // share of sources made from the listing page
	Realworld    string  // ../shared/corpus/realworld
	Page         string  // the listing page template (bootlin-blog.html)
	// Templates, when set, restricts the feeds to these paths (relative to
	// Realworld, e.g. "netnewswire/feeds/qemu.atom").
	Templates []string
}

// PageRules are the selectors of the listing page template (the Bootlin
// tag archive), as a config would give them.
var PageRules = page.Rules{
	Item:     "article.post",
	Title:    "h2.entry-title",
	Link:     "h2.entry-title a",
	Date:     "time.entry-date.published",
	DateAttr: "datetime",
	Author:   ".byline .author a",
	Content:  ".entry-content",
}

// countURL stands in for the server's URL when counting entries: only the
// path matters for relative links, and it is per source anyway.
const countURL = "http://127.0.0.1/f/"

// FeedTemplates reads the real feeds under realworld (netnewswire/feeds and
// miniflux/parser), or only those of them named in only, keeping those
// netdigest parses into at least one item.
func FeedTemplates(realworld string, only ...string) ([]Template, error) {
	var paths []string
	for _, glob := range []string{"netnewswire/feeds/*", "miniflux/parser/*"} {
		m, err := filepath.Glob(filepath.Join(realworld, glob))
		if err != nil {
			return nil, err
		}
		paths = append(paths, m...)
	}
	slices.Sort(paths)
	var out []Template
	for _, p := range paths {
		rel, _ := filepath.Rel(realworld, p)
		rel = filepath.ToSlash(rel)
		if len(only) > 0 && !slices.Contains(only, rel) {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("template: %w", err)
		}
		format := detectFormat(data)
		if format == "" {
			continue // OPML and other non-feeds
		}
		doc, err := normalize.ParseFeed(data, "", countURL+"t")
		if err != nil || len(doc.Items) == 0 {
			continue // not a JSON Feed (RSS-in-JSON), or no items to store
		}
		out = append(out, Template{Path: rel, Format: format, Data: data})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("template: no feeds under %s", realworld)
	}
	return out, nil
}

// detectFormat names a feed by its root, "" when it is not one.
func detectFormat(data []byte) string {
	head := data
	if len(head) > 4096 {
		head = head[:4096]
	}
	switch gofeed.DetectFeedType(bytes.NewReader(data)) {
	case gofeed.FeedTypeJSON:
		return FormatJSON
	case gofeed.FeedTypeAtom:
		return FormatAtom
	case gofeed.FeedTypeRSS:
		if bytes.Contains(bytes.ToLower(head), []byte("<rdf:rdf")) {
			return FormatRDF
		}
		return FormatRSS
	}
	return ""
}

// Generate writes opts.Sources sources and the manifest to opts.Dir.
func Generate(opts Options) (*Manifest, error) {
	if opts.Sources <= 0 {
		return nil, errors.New("corpusgen: sources must be positive")
	}
	feeds, err := FeedTemplates(opts.Realworld, opts.Templates...)
	if err != nil {
		return nil, fmt.Errorf("corpusgen: %w", err)
	}
	var listing *Template
	if opts.HTMLFraction > 0 {
		data, err := os.ReadFile(opts.Page)
		if err != nil {
			return nil, fmt.Errorf("corpusgen: page template: %w", err)
		}
		listing = &Template{Path: filepath.Base(opts.Page), Format: FormatHTML, Data: data}
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("corpusgen: %w", err)
	}
	m := &Manifest{Seed: opts.Seed, HTMLFraction: opts.HTMLFraction}
	for _, t := range feeds {
		m.Templates = append(m.Templates, t.Path)
	}
	// Templates cycle in a seeded order so every N gets each about equally
	// often; the listing page replaces a feed where a per-source draw says.
	order := rand.New(rand.NewPCG(opts.Seed, 0)).Perm(len(feeds))
	nextFeed := 0
	norm := normalize.New()
	// Copies of one template parse alike (the rewrite only marks), so each
	// template is counted once: parsing dominates generation otherwise.
	counted := map[string]Source{}
	for i := range opts.Sources {
		r := rand.New(rand.NewPCG(opts.Seed, uint64(i)+1))
		t := &feeds[order[nextFeed%len(feeds)]]
		if listing != nil && r.Float64() < opts.HTMLFraction {
			t = listing
		} else {
			nextFeed++
		}
		var src Source
		var data []byte
		if c, ok := counted[t.Path]; ok {
			src, data = rewritten(i, t)
			src.Items, src.DocItems, src.Entries = c.Items, c.DocItems, c.Entries
		} else {
			src, data, err = Make(norm, i, t)
			if err != nil {
				return nil, fmt.Errorf("corpusgen: %w", err)
			}
			counted[t.Path] = src
		}
		if err := os.WriteFile(filepath.Join(opts.Dir, src.File), data, 0o644); err != nil {
			return nil, fmt.Errorf("corpusgen: %w", err)
		}
		m.Sources = append(m.Sources, src)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("corpusgen: manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(opts.Dir, ManifestFile), append(data, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("corpusgen: %w", err)
	}
	return m, nil
}

// Make builds source i from t and counts what a bare parser and netdigest
// find in it.
func Make(norm *normalize.Normalizer, i int, t *Template) (Source, []byte, error) {
	src, data := rewritten(i, t)
	var err error
	src.Items, src.DocItems, src.Entries, err = Count(norm, src, data)
	if err != nil {
		return Source{}, nil, fmt.Errorf("%s from %s: %w", src.Name, t.Path, err)
	}
	return src, data, nil
}

// rewritten is source i made from t, not yet counted.
func rewritten(i int, t *Template) (Source, []byte) {
	name := fmt.Sprintf("s%05d", i)
	data, anchor := Rewrite(t.Data, t.Format, name)
	sum := sha256.Sum256(data)
	src := Source{
		Name:        name,
		Kind:        "feed",
		Format:      t.Format,
		Template:    t.Path,
		File:        name + extension(t.Format),
		ContentType: contentType(t.Format),
		Bytes:       len(data),
		SHA256:      hex.EncodeToString(sum[:]),
		ChurnAnchor: anchor,
	}
	if t.Format == FormatHTML {
		src.Kind = "html"
	}
	return src, data
}

// Count returns how many items a bare parser finds in data, how many
// netdigest's parser reads and how many entries netdigest makes of them.
func Count(norm *normalize.Normalizer, src Source, data []byte) (items, docItems, entries int, err error) {
	url := countURL + src.File
	var doc *normalize.Document
	if src.Format == FormatHTML {
		doc, err = page.ParseListing(data, src.ContentType, url, PageRules)
		if err != nil {
			return 0, 0, 0, err
		}
		items = len(doc.Items)
	} else {
		doc, err = normalize.ParseFeed(data, src.ContentType, url)
		if err != nil {
			return 0, 0, 0, err
		}
		if f, err := gofeed.NewParser().Parse(bytes.NewReader(data)); err == nil {
			items = len(f.Items)
		}
	}
	es := norm.Entries(normalize.Source{Name: src.Name, URL: url}, doc, time.Now())
	return items, len(doc.Items), len(es), nil
}

func extension(format string) string {
	switch format {
	case FormatJSON:
		return ".json"
	case FormatAtom:
		return ".atom"
	case FormatRDF:
		return ".rdf"
	case FormatHTML:
		return ".html"
	}
	return ".rss"
}

// contentType is what the server sends: the type without a charset, as
// many real servers do, so the document's own declaration decides.
func contentType(format string) string {
	switch format {
	case FormatJSON:
		return "application/feed+json"
	case FormatAtom:
		return "application/atom+xml"
	case FormatRDF:
		return "application/rdf+xml"
	case FormatHTML:
		return "text/html"
	}
	return "application/rss+xml"
}

var (
	// urlStart matches a URL's scheme and slashes, JSON-escaped or not.
	urlStart = regexp.MustCompile(`https?:(?:\\?/){2}`)
	// rootRelative matches a root-relative href (not "//host"), which
	// resolves against the server's host, shared by every source.
	rootRelative = regexp.MustCompile(`href=["']/[^/]`)
	// nsContext ends right before a namespace URI.
	nsContext = regexp.MustCompile(`xmlns(?::[\w.-]+)?\s*=\s*["']$`)
	// Parsers compare these verbatim (namespaces, JSON Feed's version).
	keepHosts = []string{"www.w3.org", "w3.org", "purl.org", "jsonfeed.org", "my.netscape.com"}

	xmlID     = regexp.MustCompile(`(?:<guid\b[^>]*[^/]>|<guid>|<id>|<id\s[^>]*[^/]>)\s*(?:<!\[CDATA\[)?`)
	jsonID    = regexp.MustCompile(`"id"\s*:\s*"`)
	xmlTitle  = regexp.MustCompile(`<title(?:\s[^>]*[^/>])?>\s*(?:<!\[CDATA\[)?`)
	jsonTitle = regexp.MustCompile(`"title"\s*:\s*"`)
	pageTitle = regexp.MustCompile(`<title>|<h2 class="entry-title"><a [^>]*>`)
	xmlItem   = regexp.MustCompile(`<(?:item|entry)\b`)
	jsonItems = regexp.MustCompile(`"items"\s*:`)
	pageItem  = regexp.MustCompile(`<article\b`)
	idScheme  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)
)

// Rewrite makes data unique to the source named marker and returns the
// churn anchor (see Source.ChurnAnchor).
func Rewrite(data []byte, format, marker string) ([]byte, string) {
	out := rewriteURLs(data, marker)
	switch format {
	case FormatJSON:
		out = rewriteIDs(out, jsonID, marker)
		return rewriteTitles(out, jsonTitle, jsonItems, marker)
	case FormatHTML:
		return rewriteTitles(out, pageTitle, pageItem, marker)
	default:
		out = rewriteIDs(out, xmlID, marker)
		return rewriteTitles(out, xmlTitle, xmlItem, marker)
	}
}

func rewriteURLs(data []byte, marker string) []byte {
	var b bytes.Buffer
	b.Grow(len(data) + len(data)/50)
	last := 0
	for _, m := range urlStart.FindAllIndex(data, -1) {
		b.Write(data[last:m[1]])
		last = m[1]
		if nsContext.Match(data[max(0, m[0]-64):m[0]]) || slices.Contains(keepHosts, host(data[m[1]:])) {
			continue
		}
		b.WriteString(marker + ".")
	}
	b.Write(data[last:])
	return rootRelative.ReplaceAllFunc(b.Bytes(), func(m []byte) []byte {
		// href="/x" -> href="/s00042/x"
		return slices.Concat(m[:len(m)-1], []byte(marker+"/"), m[len(m)-1:])
	})
}

// host reads the host at the start of rest, lower-cased.
func host(rest []byte) string {
	end := bytes.IndexAny(rest, "/\\\"'<>:?#& \t\r\n")
	if end < 0 {
		end = len(rest)
	}
	return strings.ToLower(string(rest[:end]))
}

// rewriteIDs marks the value that follows each match of re, unless it is an
// http(s) URL (already marked in its host).
func rewriteIDs(data []byte, re *regexp.Regexp, marker string) []byte {
	var b bytes.Buffer
	b.Grow(len(data) + len(data)/50)
	last := 0
	for _, m := range re.FindAllIndex(data, -1) {
		b.Write(data[last:m[1]])
		last = m[1]
		value := data[m[1]:min(len(data), m[1]+64)]
		switch {
		case bytes.HasPrefix(value, []byte("http://")), bytes.HasPrefix(value, []byte("https://")),
			bytes.HasPrefix(value, []byte(`http:\/\/`)), bytes.HasPrefix(value, []byte(`https:\/\/`)):
		case idScheme.Match(value):
			colon := bytes.IndexByte(value, ':')
			b.Write(value[:colon+1])
			b.WriteString(marker + "-")
			last += colon + 1
		default:
			b.WriteString(marker + "-")
		}
	}
	b.Write(data[last:])
	return b.Bytes()
}

// rewriteTitles prefixes every title with a numbered marker and returns the
// marker of the first title after the first item start (else the first).
func rewriteTitles(data []byte, re, itemStart *regexp.Regexp, marker string) ([]byte, string) {
	firstItem := math.MaxInt
	if loc := itemStart.FindIndex(data); loc != nil {
		firstItem = loc[0]
	}
	var b bytes.Buffer
	b.Grow(len(data) + len(data)/50)
	last, anchor, first := 0, "", ""
	for k, m := range re.FindAllIndex(data, -1) {
		b.Write(data[last:m[1]])
		last = m[1]
		tag := fmt.Sprintf("[%s.%d] ", marker, k)
		b.WriteString(tag)
		if first == "" {
			first = tag
		}
		if anchor == "" && m[0] > firstItem {
			anchor = tag
		}
	}
	b.Write(data[last:])
	if anchor == "" {
		anchor = first
	}
	return b.Bytes(), anchor
}

// LoadManifest reads dir's manifest.
func LoadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("corpusgen: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("corpusgen: %s: %w", ManifestFile, err)
	}
	return &m, nil
}

// ConfigOptions say where a generated netdigest config points.
type ConfigOptions struct {
	Store      string
	Output     string
	MaxEntries int // 0: netdigest's default
	// URL returns the URL source i is served at.
	URL func(i int, src Source) string
}

// Config returns a netdigest feeds.yaml for the first n sources (fetch
// settings left at their defaults, but for allow_private_networks: the
// benchmark's servers listen on 127.0.0.1).
func (m *Manifest) Config(n int, opts ConfigOptions) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated by netdigest's bench/corpusgen: %d sources (seed %d).\n", n, m.Seed)
	b.WriteString("title: netdigest benchmark\nid: tag:netdigest.invalid,2026:bench\nlink: http://127.0.0.1/\n")
	fmt.Fprintf(&b, "store: %q\noutput: %q\n", opts.Store, opts.Output)
	if opts.MaxEntries > 0 {
		fmt.Fprintf(&b, "max_entries: %d\n", opts.MaxEntries)
	}
	b.WriteString("fetch:\n  allow_private_networks: true\n")
	b.WriteString("sources:\n")
	for i, s := range m.Sources[:min(n, len(m.Sources))] {
		fmt.Fprintf(&b, "  - name: %s\n    url: %q\n", s.Name, opts.URL(i, s))
		if s.Kind == "html" {
			r := PageRules
			fmt.Fprintf(&b, "    kind: html\n    select:\n      item: %q\n      title: %q\n      link: %q\n"+
				"      date: %q\n      date_attr: %q\n      author: %q\n      content: %q\n",
				r.Item, r.Title, r.Link, r.Date, r.DateAttr, r.Author, r.Content)
		}
	}
	return []byte(b.String())
}

// Totals sums the first n sources' counts.
func (m *Manifest) Totals(n int) (items, entries, bytes int) {
	for _, s := range m.Sources[:min(n, len(m.Sources))] {
		items += s.Items
		entries += s.Entries
		bytes += s.Bytes
	}
	return items, entries, bytes
}
