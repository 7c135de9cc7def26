package render

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/internal/shareddata"
)

// jsonFeedSchema compiles the JSON Feed 1.1 JSON Schema of ../shared, with
// formats (uri, date-time) asserted rather than only annotated.
func jsonFeedSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path := shareddata.Path(t, "corpus", "jsonfeed", "schema", "schema-v1.1.json")
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	return sch
}

func validateJSON(t *testing.T, sch *jsonschema.Schema, doc []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("not JSON: %v\n%s", err, doc)
	}
	return sch.Validate(inst)
}

func TestJSONFeedSchema(t *testing.T) {
	sch := jsonFeedSchema(t)

	// The validator itself: the spec's own 1.1 examples pass, and a feed
	// missing an item's content fails, so a pass below means something.
	examples, err := filepath.Glob(shareddata.Path(t, "corpus", "jsonfeed", "spec-examples") + "/v1.1-*.json")
	if err != nil || len(examples) == 0 {
		t.Fatalf("no spec examples: %v", err)
	}
	for _, ex := range examples {
		doc, err := os.ReadFile(ex)
		if err != nil {
			t.Fatal(err)
		}
		if err := validateJSON(t, sch, doc); err != nil {
			t.Errorf("spec example %s is invalid: %v", filepath.Base(ex), err)
		}
	}
	bad := `{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [{"id": "1", "title": "no content"}]}`
	if err := validateJSON(t, sch, []byte(bad)); err == nil {
		t.Fatal("an item without content_html or content_text validated")
	}

	for name, entries := range map[string][]entry.Entry{
		"test entries":    testEntries(),
		"digest entries":  digestEntries(),
		"hostile entries": hostileEntries(), // a relative link is dropped, not left invalid
		"empty":           nil,
	} {
		t.Run(name, func(t *testing.T) {
			doc, err := JSONFeed(testInfo(), entries)
			if err != nil {
				t.Fatal(err)
			}
			if err := validateJSON(t, sch, doc); err != nil {
				t.Errorf("invalid JSON Feed: %v\n%s", err, doc)
			}
		})
	}
}

// jsonDoc mirrors the fields the spec defines, to read a rendered feed back.
type jsonDoc struct {
	Version     string `json:"version"`
	Title       string `json:"title"`
	HomePageURL string `json:"home_page_url"`
	FeedURL     string `json:"feed_url"`
	Description string `json:"description"`
	Items       []struct {
		ID            string            `json:"id"`
		URL           string            `json:"url"`
		Title         string            `json:"title"`
		ContentHTML   *string           `json:"content_html"`
		ContentText   *string           `json:"content_text"`
		Summary       string            `json:"summary"`
		DatePublished string            `json:"date_published"`
		DateModified  string            `json:"date_modified"`
		Authors       []json.RawMessage `json:"authors"`
		Tags          []string          `json:"tags"`
		Netdigest     map[string]string `json:"_netdigest"`
	} `json:"items"`
}

func TestJSONFeedFields(t *testing.T) {
	doc, err := JSONFeed(testInfo(), testEntries())
	if err != nil {
		t.Fatal(err)
	}
	var got jsonDoc
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != JSONFeedVersion || got.Title != "Linux networking digest" ||
		got.HomePageURL != "https://netdigest.example/" || got.FeedURL != "https://netdigest.example/atom.xml" ||
		got.Description != "Talks, patches and write-ups" {
		t.Errorf("feed fields = %+v", got)
	}
	if len(got.Items) != 4 {
		t.Fatalf("%d items, want 4", len(got.Items))
	}

	first := got.Items[0]
	if first.ID != "https://netdevconf.info/0x18/sessions/talk/xdp-offload.html" || first.URL != first.ID ||
		first.Title != "XDP offload: <where> we are & what's next" {
		t.Errorf("item 0 = %+v", first)
	}
	if first.ContentHTML == nil || !strings.Contains(*first.ContentHTML, "<code>if (a < b &amp;&amp; c]]>d)</code>") || first.ContentText != nil {
		t.Errorf("item 0 content_html = %v, content_text = %v", first.ContentHTML, first.ContentText)
	}
	if first.Summary != "Fast & programmable: if (a < b && c]]>d)" {
		t.Errorf("item 0 summary = %q", first.Summary)
	}
	// Dates in UTC, RFC 3339; modified only when it differs.
	if first.DatePublished != "2024-07-15T09:00:00Z" || first.DateModified != "2024-07-16T07:30:00Z" {
		t.Errorf("item 0 dates = %q, %q", first.DatePublished, first.DateModified)
	}
	if want := []string{`{"name":"Jakub Kicinski"}`, `{"name":"Jesper Dangaard Brouer"}`}; !sameJSON(first.Authors, want) {
		t.Errorf("item 0 authors = %s, want %s", first.Authors, want)
	}
	if want := []string{"netdev 0x18", "xdp", "offload"}; !slices.Equal(first.Tags, want) {
		t.Errorf("item 0 tags = %q, want %q", first.Tags, want)
	}
	if first.Netdigest["source"] != "netdevconf" || first.Netdigest["conference"] != "netdev 0x18" {
		t.Errorf("item 0 _netdigest = %v", first.Netdigest)
	}

	// No author: the source's title, as in Atom.
	if want := []string{`{"name":"LWN.net"}`}; !sameJSON(got.Items[1].Authors, want) {
		t.Errorf("item 1 authors = %s, want %s", got.Items[1].Authors, want)
	}
	// No date of its own: FirstSeen. No HTML: the summary as content_text.
	third := got.Items[2]
	if third.DatePublished != "2025-09-24T09:00:00Z" || third.DateModified != "" {
		t.Errorf("item 2 dates = %q, %q", third.DatePublished, third.DateModified)
	}
	if third.ContentHTML != nil || third.ContentText == nil || *third.ContentText != "Flowtables explained." || third.Summary != "" {
		t.Errorf("item 2 content = %v / %v / %q", third.ContentHTML, third.ContentText, third.Summary)
	}
	// Nothing but id, link and date: still one of the two contents.
	if last := got.Items[3]; last.ContentText == nil || last.URL != "https://bootlin.com/blog/?p=4242" || last.Authors != nil {
		t.Errorf("item 3 = %+v", last)
	}
}

func sameJSON(got []json.RawMessage, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		var b bytes.Buffer
		if err := json.Compact(&b, got[i]); err != nil || b.String() != want[i] {
			return false
		}
	}
	return true
}

// gofeed, which netdigest itself uses to read JSON Feeds, reads it back.
func TestJSONFeedGofeed(t *testing.T) {
	doc, err := JSONFeed(testInfo(), digestEntries())
	if err != nil {
		t.Fatal(err)
	}
	f, err := gofeed.NewParser().ParseString(string(doc))
	if err != nil {
		t.Fatal(err)
	}
	if f.FeedType != "json" || !strings.HasSuffix(f.FeedVersion, "1.1") {
		t.Errorf("type %s %s, want json 1.1", f.FeedType, f.FeedVersion)
	}
	want := digestEntries()
	if len(f.Items) != len(want) {
		t.Fatalf("%d items, want %d", len(f.Items), len(want))
	}
	for i, it := range f.Items {
		if it.GUID != want[i].ID || it.Title != want[i].Title || it.Link != want[i].Link {
			t.Errorf("item %d = %q %q %q, want %q %q %q", i, it.GUID, it.Title, it.Link, want[i].ID, want[i].Title, want[i].Link)
		}
		if it.PublishedParsed == nil || !it.PublishedParsed.Equal(want[i].Date().Truncate(1e9)) {
			t.Errorf("item %d published %v, want %v", i, it.PublishedParsed, want[i].Date())
		}
	}
}

func TestJSONFeedErrors(t *testing.T) {
	_, err := JSONFeed(testInfo(), []entry.Entry{{Title: "no id"}})
	if !errors.Is(err, ErrNoID) {
		t.Errorf("entry without id: %v, want ErrNoID", err)
	}
}
