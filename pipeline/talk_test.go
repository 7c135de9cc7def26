package pipeline

import (
	"reflect"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/fetch"
	"github.com/netdigest/netdigest/normalize"
)

// TestTalkConfigReachesEntries: a source's role, a split's speakers group
// and time selector, as configured, make the entries' talk fields.
func TestTalkConfigReachesEntries(t *testing.T) {
	cfg, err := config.Parse("feeds.yaml", []byte(`title: t
id: urn:x
link: http://x/
sources:
  - name: day2
    kind: article
    url: https://blog.example/2016/10/06/day-ii/
    conference: Netdev 1.2
    role: report
    split:
      heading: .entry-content h2
      pattern: '^(?P<title>[^(]+?) \((?P<speakers>.+)\)$'
      time: p.when time
`))
	if err != nil {
		t.Fatal(err)
	}
	src := cfg.Sources[0]
	body := `<!DOCTYPE html><html><head><title>Day II</title>
<meta property="article:published_time" content="2016-10-07T09:00:00+00:00"></head><body><article><div class="entry-content">
<h2>XDP workshop (Tom Herbert, Alexei Starovoitov (Facebook))</h2>
<p class="when"><time datetime="2016-10-06T10:30:00+09:00">10:30</time></p><p>The workshop.</p>
</div></article></body></html>`
	resp := &fetch.Response{Body: []byte(body), ContentType: "text/html; charset=utf-8", URL: src.URL}
	doc, err := Parse(src, resp)
	if err != nil {
		t.Fatal(err)
	}
	es := normalize.New().Entries(NormalizeSource(src, DocumentURL(src, resp)), doc, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(es) != 1 {
		t.Fatalf("%d entries, want 1", len(es))
	}
	e := es[0]
	want := []entry.Speaker{{Name: "Tom Herbert"}, {Name: "Alexei Starovoitov", Affiliation: "Facebook"}}
	start := time.Date(2016, 10, 6, 1, 30, 0, 0, time.UTC)
	if e.Title != "XDP workshop" || !reflect.DeepEqual(e.Speakers, want) || e.Role != entry.RoleReport || !e.EventStart.Equal(start) {
		t.Errorf("entry %q speakers %q role %q event %v; want XDP workshop, %q, report, %v", e.Title, e.Speakers, e.Role, e.EventStart, want, start)
	}
	if _, off := e.EventStart.Zone(); off != 9*3600 {
		t.Errorf("event start %v lost its +09:00 offset", e.EventStart)
	}
}
