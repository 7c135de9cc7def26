package reliability

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/fetch"
	"github.com/netdigest/netdigest/pipeline"
)

// readRepo reads a fixture of the repository (not ../shared: always there).
func readRepo(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestChangedFormats: sources whose format changed under their config fail
// with what changed, never as a silent empty source; the per-talk formats
// (a feed split per talk, etherpad's HTML export) yield their talks. Each
// runs beside a good feed that must still store its entries.
func TestChangedFormats(t *testing.T) {
	section(t, secFormats)

	indicoChanged := func(t *testing.T) string {
		var export map[string]any
		if err := json.Unmarshal([]byte(readRepo(t, "normalize/indico/testdata/lpc2025-event19.json")), &export); err != nil {
			t.Fatal(err)
		}
		for _, c := range export["results"].([]any)[0].(map[string]any)["contributions"].([]any) {
			c := c.(map[string]any)
			c["track"] = map[string]any{"id": 3, "title": c["track"]}
		}
		b, err := json.Marshal(export)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	undated := regexp.MustCompile(`<h3>\d{4}-\d{2}-\d{2}: `)
	datePattern := regexp.MustCompile(`^(?P<date>\d{4}-\d{2}-\d{2}):\s*(?P<title>.+)$`)

	tests := []struct {
		name, expected string
		body           func(t *testing.T) string
		ctype          string
		src            config.Source // URL set by the test
		check          func(t *testing.T, h *harness, res pipeline.Result) string
	}{
		{
			name:     "an Indico export whose contributions' `track` became an object (a newer Indico)",
			expected: "fails naming the field and the type found, not \"no contribution matches\" nor an empty event",
			body:     indicoChanged, ctype: "application/json",
			src: config.Source{Kind: config.KindIndico, Indico: &config.Indico{Track: "Networking Track"}},
			check: func(t *testing.T, h *harness, res pipeline.Result) string {
				errorContains(t, res, "contribution.track: want a string, got an object")
				return failedFormat(t, h, res)
			},
		},
		{
			name:     "a WordPress feed split at `h2` whose posts no longer have any `<h2>`",
			expected: "fails: the heading selector matched in none of the items",
			body: func(t *testing.T) string {
				return strings.NewReplacer("<h2>", "<h4>", "</h2>", "</h4>").Replace(readRepo(t, "normalize/page/testdata/netdev12-blog.rss"))
			},
			src: config.Source{Kind: config.KindFeed, Split: &config.Split{Heading: "h2"}},
			check: func(t *testing.T, h *harness, res pipeline.Result) string {
				errorContains(t, res, "selector heading=h2 matched 0 elements")
				return failedFormat(t, h, res)
			},
		},
		{
			name:     "the Netdev 0.1 news page split with its date pattern after its headings lost their dates",
			expected: "fails naming the pattern and the first heading (one heading without a date is only a warning)",
			body: func(t *testing.T) string {
				return undated.ReplaceAllString(readRepo(t, "normalize/page/testdata/netdev01-news.html"), "<h3>")
			},
			ctype: "text/html; charset=utf-8",
			src:   config.Source{Kind: config.KindHTML, Split: &config.Split{Heading: "h3", Pattern: datePattern}},
			check: func(t *testing.T, h *harness, res pipeline.Result) string {
				errorContains(t, res, "matched none of the 75 headings")
				return failedFormat(t, h, res)
			},
		},
		{
			name:     "a login page served at an etherpad pad's `/export/html`",
			expected: "fails: an HTML page that is not an etherpad export",
			body: func(*testing.T) string {
				return "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form><input name=user></form></body></html>"
			},
			ctype: "text/html; charset=utf-8",
			src:   config.Source{Kind: config.KindText, Text: &config.Text{StartAfter: "SCHEDULE"}},
			check: func(t *testing.T, h *harness, res pipeline.Result) string {
				errorContains(t, res, "not an etherpad export")
				return failedFormat(t, h, res)
			},
		},
		{
			name:     "etherpad's `/export/html` of the LPC 2015 networking pad (nested `ul.bullet` lists, `<br>` lines)",
			expected: "read as its `/export/txt`: the same talks, speakers and notes",
			body: func(t *testing.T) string {
				return readRepo(t, "normalize/notes/testdata/lpc2015-networking-export.html")
			},
			ctype: "text/html; charset=utf-8",
			src:   config.Source{Kind: config.KindText, Text: &config.Text{StartAfter: "SCHEDULE"}},
			check: func(t *testing.T, h *harness, res pipeline.Result) string {
				if res.Err != nil || res.Counts.New != 9 {
					t.Fatalf("result %+v; want 9 new entries", res)
				}
				// What the same pad's text export gives, entry for entry.
				src := h.runner.Config.Sources[0]
				txtURL := strings.Replace(src.URL, "/export/html", "/export/txt", 1)
				doc, err := pipeline.Parse(src, &fetch.Response{URL: txtURL, ContentType: "text/plain; charset=utf-8",
					Body: []byte(readRepo(t, "normalize/notes/testdata/lpc2015-networking-indented.txt"))})
				if err != nil {
					t.Fatal(err)
				}
				want := h.runner.Normalizer.Entries(pipeline.NormalizeSource(src, txtURL), doc, h.clock.Now())
				stored, err := h.store.Latest(context.Background(), 100)
				if err != nil {
					t.Fatal(err)
				}
				byID := map[string]entry.Entry{}
				for _, e := range stored {
					byID[e.ID] = e
				}
				same := 0
				for _, w := range want {
					g, ok := byID[w.ID]
					if ok && g.Title == w.Title && g.Content == w.Content && slices.Equal(g.Authors, w.Authors) && g.Link == w.Link {
						same++
					} else {
						t.Errorf("text export's entry %q (%s): stored as %+v", w.Title, w.ID, g)
					}
				}
				return fmt.Sprintf("parsed: 9 new entries; %d of the text export's %d entries stored alike (id, title, speakers, notes)", same, len(want))
			},
		},
		{
			name:     "a WordPress.com RSS feed whose three day posts report 33 talks under `<h2>`, split at `h2`",
			expected: "one entry per talk, each linked to its post's anchor; the next fetch is a 304",
			body: func(t *testing.T) string {
				return readRepo(t, "normalize/page/testdata/netdev12-blog.rss")
			},
			src: config.Source{Kind: config.KindFeed, Split: &config.Split{Heading: "h2"}},
			check: func(t *testing.T, h *harness, res pipeline.Result) string {
				if res.Err != nil || res.Counts.New != 33 {
					t.Fatalf("result %+v; want 33 new entries", res)
				}
				stored, err := h.store.Latest(context.Background(), 100)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range stored {
					if e.Source == "hostile" && !regexp.MustCompile(`^https://nevolakernelblog\.wordpress\.com/2016/10/0[567]/netdev-1-2-day-i+/#[a-z0-9-]+$`).MatchString(e.Link) {
						t.Errorf("entry %q links to %q, not to its post's anchor", e.Title, e.Link)
					}
				}
				again := h.fetchAll(t)["hostile"]
				if again.Outcome != pipeline.Unchanged || again.Parsed != 0 {
					t.Errorf("second fetch %+v; want a 304", again)
				}
				return "parsed: 33 new entries, then " + string(again.Outcome)
			},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := recordAt(t, i, secFormats, tt.name, tt.expected)
			body, ctype := tt.body(t), tt.ctype
			if ctype == "" {
				ctype = "application/rss+xml; charset=UTF-8"
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("If-None-Match") == `"v1"` {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				w.Header().Set("ETag", `"v1"`)
				w.Header().Set("Content-Type", ctype)
				w.Write([]byte(body))
			}))
			t.Cleanup(srv.Close)
			good := newGoodServer(t, 3)
			src := tt.src
			src.Name, src.URL, src.Schedule = "hostile", srv.URL+"/p/pad/export/html", "@hourly"
			h := newHarness(t, nil, hostileFetch(), src, feedSource("good", good.URL+"/feed"))
			res := h.fetchAll(t)
			if g := res["good"]; g.Err != nil || h.entriesOf(t, "good") != 3 {
				t.Errorf("good source: %+v", g)
			}
			rec.res("%s", tt.check(t, h, res["hostile"]))
		})
	}
}

// failedFormat checks a parse failure: the source's outcome, its name in
// the error, the error recorded in its state; it returns the result text.
func failedFormat(t *testing.T, h *harness, res pipeline.Result) string {
	t.Helper()
	if res.Err == nil || res.Outcome != pipeline.Failed {
		t.Fatalf("outcome %q, err %v; want a failure", res.Outcome, res.Err)
	}
	msg := res.Err.Error()
	if !strings.Contains(msg, `source "hostile"`) {
		t.Errorf("error %q does not name the source", msg)
	}
	if h.entriesOf(t, "hostile") != 0 {
		t.Errorf("entries stored for a failed source")
	}
	return "fails, recorded: " + quote(msg)
}
