package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/internal/shareddata"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/render"
	"github.com/netdigest/netdigest/templates"
)

// atomOut is what a reader takes from netdigest's Atom feed.
type atomOut struct {
	Entries []struct {
		ID      string   `xml:"id"`
		Title   atomPart `xml:"title"`
		Summary atomPart `xml:"summary"`
		Content atomPart `xml:"content"`
		Links   []struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

type atomPart struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// survivors lists what survived in one output, each line naming the entry.
type survivors []string

func (s *survivors) check(where, html string, mode Mode) {
	for _, p := range UnsafeHTML(html, mode) {
		*s = append(*s, where+": "+p)
	}
}

// checkAtom decodes an Atom document as a reader would and checks every
// part a reader renders as HTML, and every link.
//
// It returns the survivors, the entries and how many carried HTML content
// (so a sweep that checked only empty strings shows as such).
func checkAtom(doc []byte, label func(id string) string) (s survivors, entries, withHTML int, err error) {
	var feed atomOut
	if err := xml.Unmarshal(doc, &feed); err != nil {
		return nil, 0, 0, fmt.Errorf("Atom output does not decode: %w", err)
	}
	for _, e := range feed.Entries {
		where := label(e.ID)
		if strings.TrimSpace(e.Content.Body) != "" {
			withHTML++
		}
		for name, part := range map[string]atomPart{"title": e.Title, "summary": e.Summary, "content": e.Content} {
			switch part.Type {
			case "", "text":
				// Text constructs are shown as text; nothing to run.
			case "html":
				s.check(where+" Atom "+name, part.Body, Fragment)
			default:
				s = append(s, fmt.Sprintf("%s Atom %s: unexpected type %q", where, name, part.Type))
			}
		}
		for _, l := range e.Links {
			if sc := URLScheme(l.Href); sc != "http" && sc != "https" {
				s = append(s, fmt.Sprintf("%s Atom link: href %q", where, l.Href))
			}
		}
	}
	return s, len(feed.Entries), withHTML, nil
}

// checkJSON encodes entries as `netdigest preview -json` does, decodes them
// as a consumer would and checks the HTML field and the link.
func checkJSON(entries []entry.Entry, label func(id string) string) (survivors, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // as cmd/netdigest/preview.go
	if err := enc.Encode(entries); err != nil {
		return nil, err
	}
	return checkJSONBytes(buf.Bytes(), label)
}

func checkJSONBytes(data []byte, label func(id string) string) (survivors, error) {
	var decoded []entry.Entry
	if err := json.Unmarshal(data, &decoded); err != nil {
		return nil, fmt.Errorf("preview JSON does not decode: %w", err)
	}
	var s survivors
	for _, e := range decoded {
		where := label(e.ID)
		s.check(where+" JSON content", e.Content, Fragment)
		if e.Link != "" {
			if sc := URLScheme(e.Link); sc != "http" && sc != "https" {
				s = append(s, fmt.Sprintf("%s JSON link %q", where, e.Link))
			}
		}
	}
	return s, nil
}

// checkDigest renders entries in batches (so each is shown in full, not
// cut for size) and checks each HTML part as a whole document.
func checkDigest(r *render.DigestRenderer, entries []entry.Entry) (survivors, int, error) {
	var s survivors
	parts := 0
	for start := 0; start < len(entries); start += 40 {
		batch := entries[start:min(start+40, len(entries))]
		d, err := r.Render(render.DigestInfo{
			Title: "netdigest <b>test</b>", FeedURL: "https://example.org/feed.atom", PageURL: "https://example.org/",
			Unsubscribe: "mailto:digest@example.org",
		}, batch)
		if err != nil {
			return nil, parts, err
		}
		parts++
		if d.Omitted > 0 || d.Truncated > 0 {
			return nil, parts, fmt.Errorf("digest cut %d+%d entries of a batch of %d: batches too large", d.Truncated, d.Omitted, len(batch))
		}
		s.check(fmt.Sprintf("digest HTML (entries %d-%d)", start, start+len(batch)-1), string(d.HTML), Document)
	}
	return s, parts, nil
}

// vectorFeeds builds the well-known vectors into one RSS feed (one item with
// content:encoded as CDATA, one with only an escaped description) and one
// Atom feed (one entry with html content, one with only an html summary),
// each with the vector in its title too, plus RSS items whose link is a
// script URL.
func vectorFeeds(vs []Vector) (rss, atom string) {
	var r, a strings.Builder
	r.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Vectors</title><link>https://vectors.example.org/</link><description>d</description>
`)
	a.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Vectors</title><id>urn:vectors</id><updated>2026-11-23T10:00:00Z</updated>
`)
	for i, v := range vs {
		esc := html.EscapeString(v.HTML)
		title := html.EscapeString(v.Name) + " " + esc // the vector as title text too
		fmt.Fprintf(&r, `<item><title>%s</title><link>https://vectors.example.org/rss/c%d</link><guid isPermaLink="false">c%d</guid>
<pubDate>Mon, 23 Nov 2026 10:00:00 +0000</pubDate><description>plain</description><content:encoded><![CDATA[%s]]></content:encoded></item>
<item><title>%s</title><link>https://vectors.example.org/rss/d%d</link><guid isPermaLink="false">d%d</guid>
<pubDate>Mon, 23 Nov 2026 10:00:00 +0000</pubDate><description>%s</description></item>
`, title, i, i, v.HTML, title, i, i, esc)
		fmt.Fprintf(&a, `<entry><title type="html">%s</title><id>urn:vectors:atom:c%d</id><updated>2026-11-23T10:00:00Z</updated>
<link href="https://vectors.example.org/atom/c%d"/><summary>plain</summary><content type="html">%s</content></entry>
<entry><title type="html">%s</title><id>urn:vectors:atom:s%d</id><updated>2026-11-23T10:00:00Z</updated>
<link href="https://vectors.example.org/atom/s%d"/><summary type="html">%s</summary></entry>
`, html.EscapeString(title), i, i, esc, html.EscapeString(title), i, i, esc)
	}
	for i, link := range []string{"javascript:alert(1)", "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", " JaVaScRiPt:alert(1)"} {
		fmt.Fprintf(&r, `<item><title>Script link %d</title><link>%s</link><guid isPermaLink="false">link%d</guid><description>x</description></item>
`, i, html.EscapeString(link), i)
	}
	r.WriteString("</channel></rss>\n")
	a.WriteString("</feed>\n")
	return r.String(), a.String()
}

func TestUntrustedHTML(t *testing.T) {
	section(t, secHTML)
	digest, err := render.NewDigestRenderer(templates.FS)
	if err != nil {
		t.Fatalf("digest renderer: %v", err)
	}

	t.Run("well-known vectors", func(t *testing.T) {
		vs := XSSVectors()
		rss, atom := vectorFeeds(vs)
		rssSrv := httptest.NewServer(serveFeed(rss))
		defer rssSrv.Close()
		atomSrv := httptest.NewServer(serveFeed(atom))
		defer atomSrv.Close()
		h := newHarness(t, nil, hostileFetch(), feedSource("vectors-rss", rssSrv.URL), feedSource("vectors-atom", atomSrv.URL))
		h.runner.Config.MaxEntries = 10_000 // every entry into the feed
		for name, res := range h.fetchAll(t) {
			if res.Err != nil {
				t.Fatalf("%s: %v", name, res.Err)
			}
		}
		stored, err := h.store.Latest(context.Background(), 10_000)
		if err != nil {
			t.Fatal(err)
		}
		wantEntries := 4*len(vs) + 4
		if len(stored) != wantEntries {
			t.Fatalf("stored %d entries, want %d (every vector item, every script-link item)", len(stored), wantEntries)
		}
		label := func(id string) string { return "entry " + id }
		expected := vectorsExpected(vs)

		t.Run("Atom", func(t *testing.T) {
			rec := recordAt(t, 0, secHTML, "well-known vectors → Atom feed", expected+"; script-URL item links are dropped")
			feed, err := h.runner.RenderFeed(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			s, n, withHTML, err := checkAtom(feed, label)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range s {
				t.Error(p)
			}
			if withHTML == 0 {
				t.Error("no entry carries HTML content: the sweep checked nothing")
			}
			links := 0
			for _, e := range stored {
				if strings.HasPrefix(e.Title, "Script link") && e.Link != "" {
					links++
					t.Errorf("entry %q kept the link %q", e.Title, e.Link)
				}
			}
			rec.res("%d entries (%d with HTML content) checked: %d survivors; %d script links kept", n, withHTML, len(s), links)
		})
		t.Run("JSON", func(t *testing.T) {
			rec := recordAt(t, 1, secHTML, "well-known vectors → preview JSON (in process)", expected)
			s, err := checkJSON(stored, label)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range s {
				t.Error(p)
			}
			rec.res("%d entries checked: %d survivors", len(stored), len(s))
		})
		t.Run("digest", func(t *testing.T) {
			rec := recordAt(t, 3, secHTML, "well-known vectors → digest HTML part", expected+" (the digest shows titles and plain summaries)")
			s, parts, err := checkDigest(digest, stored)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range s {
				t.Error(p)
			}
			rec.res("%d entries in %d digests checked: %d survivors", len(stored), parts, len(s))
		})
	})

	t.Run("feedparser sanitize corpus", func(t *testing.T) {
		const (
			caseAtom   = "feedparser sanitize corpus → Atom feed"
			caseJSON   = "feedparser sanitize corpus → preview JSON (in process)"
			caseDigest = "feedparser sanitize corpus → digest HTML part"
		)
		skipsCases(t, secHTML, caseAtom, caseJSON, caseDigest)
		dir := shareddata.Path(t, "corpus", "feedparser", "tests", "wellformed", "sanitize")
		files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no files in %s (%v)", dir, err)
		}
		slices.Sort(files)
		norm := normalize.New()
		seen := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		var all []entry.Entry
		byID := map[string]string{}
		var atomS survivors
		atomEntries, atomHTML, withoutEntries, refused := 0, 0, 0, 0
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimSuffix(filepath.Base(f), ".xml")
			doc, err := normalize.ParseFeed(data, "", "http://sanitize.example.org/feed")
			if err != nil {
				refused++
				continue
			}
			es := norm.Entries(normalize.Source{Name: name, URL: "http://sanitize.example.org/feed"}, doc, seen)
			if len(es) == 0 {
				withoutEntries++ // a feed-level element: netdigest outputs none
				continue
			}
			for i := range es {
				es[i].FirstSeen = seen
				byID[es[i].ID] = name
			}
			feed, err := render.Atom(render.FeedInfo{ID: "urn:sanitize", Title: "sanitize", Updated: seen}, es)
			if err != nil {
				t.Errorf("%s: render: %v", name, err)
				continue
			}
			s, n, withHTML, err := checkAtom(feed, func(string) string { return name })
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			atomS = append(atomS, s...)
			atomEntries += n
			atomHTML += withHTML
			all = append(all, es...)
		}
		label := func(id string) string { return byID[id] }
		t.Logf("%d files: %d entries, %d files without entries, %d refused", len(files), len(all), withoutEntries, refused)
		expected := fmt.Sprintf("every entry of the %d files: none survives", len(files))

		t.Run("Atom", func(t *testing.T) {
			rec := recordAt(t, 4, secHTML, caseAtom, expected)
			for _, p := range atomS {
				t.Error(p)
			}
			if atomHTML == 0 {
				t.Error("no entry carries HTML content: the sweep checked nothing")
			}
			rec.res("%d entries (%d with HTML content) from %d files checked (%d files carry no entry: feed-level elements netdigest does not output; %d refused): %d survivors",
				atomEntries, atomHTML, len(files)-withoutEntries-refused, withoutEntries, refused, len(atomS))
		})
		t.Run("JSON", func(t *testing.T) {
			rec := recordAt(t, 5, secHTML, caseJSON, expected)
			s, err := checkJSON(all, label)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range s {
				t.Error(p)
			}
			rec.res("%d entries checked: %d survivors", len(all), len(s))
		})
		t.Run("digest", func(t *testing.T) {
			rec := recordAt(t, 6, secHTML, caseDigest, expected)
			s, parts, err := checkDigest(digest, all)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range s {
				t.Error(p)
			}
			rec.res("%d entries in %d digests checked: %d survivors", len(all), parts, len(s))
		})
	})
}

// vectorsExpected is the expected column of the well-known vector cases.
func vectorsExpected(vs []Vector) string {
	return fmt.Sprintf("%d vectors (filter evasions: %d), each as RSS content:encoded, RSS description, "+
		"Atom html content, Atom html summary, and in the title: none survives", len(vs), countEvasions(vs))
}

func countEvasions(vs []Vector) int {
	n := 0
	for _, v := range vs {
		if v.Evasion {
			n++
		}
	}
	return n
}
