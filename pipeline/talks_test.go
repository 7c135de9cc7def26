package pipeline

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/config"
)

// TestPerTalkSources runs the per-talk formats of issue #12 through the
// whole refresh: a WordPress feed split per talk, an etherpad HTML export,
// and an Indico export whose shape changed (an error naming the field).
func TestPerTalkSources(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(filepath.Join("..", path))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	blog := httptest.NewServer(&feedServer{body: read("normalize/page/testdata/netdev12-blog.rss")})
	defer blog.Close()
	pad := httptest.NewServer(&feedServer{body: read("normalize/notes/testdata/lpc2015-networking-export.html"), ctype: "text/html; charset=utf-8"})
	defer pad.Close()
	var export map[string]any
	if err := json.Unmarshal([]byte(read("normalize/indico/testdata/lpc2025-event19.json")), &export); err != nil {
		t.Fatal(err)
	}
	for _, c := range export["results"].([]any)[0].(map[string]any)["contributions"].([]any) {
		c := c.(map[string]any)
		c["track"] = map[string]any{"id": 3, "title": c["track"]}
	}
	changed, err := json.Marshal(export)
	if err != nil {
		t.Fatal(err)
	}
	indicoSrv := httptest.NewServer(&feedServer{body: string(changed), ctype: "application/json"})
	defer indicoSrv.Close()

	h := newHarness(t,
		config.Source{Name: "netdev12-blog", URL: blog.URL + "/feed/", Conference: "Netdev 1.2", Split: &config.Split{Heading: "h2"}},
		config.Source{Name: "wrong-pattern", URL: blog.URL + "/feed/?again", Split: &config.Split{Heading: "h2",
			Pattern: regexp.MustCompile(`^(?P<date>\d{4}-\d{2}-\d{2}): (?P<title>.+)$`)}},
		config.Source{Name: "notes", Kind: config.KindText, URL: pad.URL + "/p/LPC2015/export/html", Text: &config.Text{StartAfter: "SCHEDULE"}},
		config.Source{Name: "lpc", Kind: config.KindIndico, URL: indicoSrv.URL + "/export/event/19.json", Indico: &config.Indico{Track: "Networking Track"}},
	)
	res := h.fetchAll(t, true)
	for name, want := range map[string]int{"netdev12-blog": 33, "notes": 9} {
		if r := res[name]; r.Outcome != New || r.Counts.New != want {
			t.Errorf("%s = %+v, want %d new", name, r, want)
		}
	}
	for name, want := range map[string]string{
		"wrong-pattern": `matched none of the 33 headings (heading=h2; the first is "Microservice Networking Leveraging VRF on the Host")`,
		"lpc":           "contribution.track: want a string, got an object",
	} {
		if r := res[name]; r.Outcome != Failed || r.Err == nil || !strings.Contains(r.Err.Error(), `source "`+name+`"`) ||
			!strings.Contains(r.Err.Error(), want) {
			t.Errorf("%s = %+v, want failed with %q", name, r, want)
		}
	}
	entries, err := h.store.Latest(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	ids, talks := map[string]bool{}, 0
	for _, e := range entries {
		if e.Source != "netdev12-blog" {
			continue
		}
		talks++
		if ids[e.ID] || !strings.Contains(e.Link, "/2016/10/0") || !strings.Contains(e.Link, "/#") || e.Conference != "Netdev 1.2" {
			t.Errorf("entry %q: id %q link %q conference %q", e.Title, e.ID, e.Link, e.Conference)
		}
		ids[e.ID] = true
	}
	if talks != 33 {
		t.Errorf("%d talks stored, want 33", talks)
	}
	res = h.fetchAll(t, true)
	for _, name := range []string{"netdev12-blog", "notes"} {
		if r := res[name]; r.Outcome != Unchanged || r.Parsed != 0 {
			t.Errorf("%s second fetch = %+v, want 304", name, r)
		}
	}
}
