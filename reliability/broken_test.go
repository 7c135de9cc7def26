package reliability

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/pipeline"
)

// brokenBody reads a fixture of normalize/testdata/broken.
func brokenBody(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "normalize", "testdata", "broken", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestBrokenFeeds: a broken feed keeps its complete items and says where it
// broke; an empty or non-feed body is never a silent success.
func TestBrokenFeeds(t *testing.T) {
	section(t, secBroken)
	type want struct {
		outcome pipeline.Outcome
		stored  int
		warning string // in the one warning; "" for none
		err     string // in the error; "" for none
	}
	cases := []struct {
		name, expected, file, body, ctype string
		want                              want
	}{
		{name: "RSS cut off in its 4th item (the generator died; the response ended cleanly)",
			expected: "the 3 complete items stored, the half item not; a warning says where it broke",
			file:     "rss-cut-mid-item.xml", want: want{pipeline.New, 3, "recovered 3 complete items, dropped the incomplete item", ""}},
		{name: "RSS without its closing `</channel></rss>`", expected: "all 4 items stored; a warning",
			file: "rss-no-end-tags.xml", want: want{pipeline.New, 4, "recovered 4 complete items", ""}},
		{name: "RSS items inside an unclosed `<itunes:category>`", expected: "all 4 items stored; a warning names the element",
			file: "rss-unclosed-category.xml", want: want{pipeline.New, 4, "<itunes:category> (line 3), left unclosed", ""}},
		{name: "Atom cut off in its 4th entry", expected: "the 3 complete entries stored; a warning",
			file: "atom-cut-mid-entry.xml", want: want{pipeline.New, 3, "recovered 3 complete entries", ""}},
		{name: "RSS 1.0 (RDF) cut off in its 4th item", expected: "the 3 complete items stored; a warning",
			file: "rdf-cut-mid-item.xml", want: want{pipeline.New, 3, "recovered 3 complete items", ""}},
		{name: "Atom Entry Document (an entry as the root)", expected: "stored as a feed of one entry",
			file: "atom-entry-document.xml", want: want{pipeline.New, 1, "", ""}},
		{name: "RSS channel without items, first fetch", expected: "no entries, not reported as a 304; a warning",
			body: `<rss version="2.0"><channel><title>soon</title><link>https://blog.example.org/</link></channel></rss>`,
			want: want{pipeline.Unchanged, 0, "0 entries parsed from 101 bytes of RSS", ""}},
		{name: "`{\"error\": \"rate limited\"}` with 200 and application/json", expected: "fails: not a JSON Feed, recorded",
			body: `{"error": "rate limited"}`, ctype: "application/json",
			want: want{pipeline.Failed, 0, "", "parse: not a JSON Feed (no version/items)"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := recordAt(t, i, secBroken, tc.name, tc.expected)
			body := tc.body
			if tc.file != "" {
				body = brokenBody(t, tc.file)
			}
			ctype := tc.ctype
			if ctype == "" {
				ctype = "application/xml"
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", ctype)
				w.Header().Set("ETag", `"v1"`)
				if r.Header.Get("If-None-Match") == `"v1"` {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				fmt.Fprint(w, body)
			}))
			t.Cleanup(srv.Close)
			h := newHarness(t, nil, hostileFetch(), feedSource("broken", srv.URL+"/feed"))
			res := h.fetchAll(t)["broken"]
			if res.Outcome != tc.want.outcome || res.NotModified {
				t.Errorf("outcome %q (304: %v), want %q: %+v", res.Outcome, res.NotModified, tc.want.outcome, res)
			}
			stored := h.entriesOf(t, "broken")
			if stored != tc.want.stored {
				t.Errorf("%d entries stored, want %d", stored, tc.want.stored)
			}
			switch {
			case tc.want.warning == "" && len(res.Warnings) > 0:
				t.Errorf("warnings %q, want none", res.Warnings)
			case tc.want.warning != "" && (len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], tc.want.warning)):
				t.Errorf("warnings %q, want one saying %q", res.Warnings, tc.want.warning)
			}
			var out []string
			if tc.want.err != "" {
				st, err := h.store.SourceState(context.Background(), "broken")
				if err != nil {
					t.Fatal(err)
				}
				if res.Err == nil || !strings.Contains(res.Err.Error(), tc.want.err) || st.LastError != res.Err.Error() {
					t.Fatalf("error %v, last_error %q; want %q recorded", res.Err, st.LastError, tc.want.err)
				}
				rec.res("fails, recorded: %s", quote(res.Err.Error()))
				return
			}
			out = append(out, fmt.Sprintf("%s, entries stored: %d", res.Outcome, stored))
			if len(res.Warnings) > 0 {
				out = append(out, "warning: "+quote(res.Warnings[0]))
			}
			// The same document again is a 304, and only that is reported as one.
			again := h.fetchAll(t)["broken"]
			if !again.NotModified {
				t.Errorf("second fetch: %+v, want a 304", again)
			}
			out = append(out, "then a 304 (NotModified) on the next fetch")
			rec.res("%s", strings.Join(out, "; "))
		})
	}
}
