package reliability

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/entry"
)

// scheduleHTML renders normalize/talks' reconstructed Netdev 1.2 schedule
// as a schedule page: one <h3>Title — Speaker (Affiliation), …</h3> per
// talk, as netdevconf's session lists write them. retitle renames talks.
func scheduleHTML(t *testing.T, retitle map[string]string) string {
	var doc struct {
		Items []struct {
			Title    string
			Speakers []entry.Speaker
		}
	}
	if err := json.Unmarshal([]byte(readRepo(t, "normalize/talks/testdata/netdev12-schedule.json")), &doc); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html><html><head><title>Netdev 1.2 schedule</title></head><body><h1>Schedule</h1>\n")
	for _, it := range doc.Items {
		title := cmpOr(retitle[it.Title], it.Title)
		var sp []string
		for _, s := range it.Speakers {
			sp = append(sp, s.String())
		}
		fmt.Fprintf(&b, "<h3>%s — %s</h3>\n<p>%s.</p>\n", html.EscapeString(title), html.EscapeString(strings.Join(sp, ", ")), html.EscapeString(title))
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// netdevPairs are pairs.txt's true Netdev 1.2 pairs: schedule title →
// write-up title.
func netdevPairs(t *testing.T) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(readRepo(t, "normalize/talks/testdata/pairs.txt")))
	for sc.Scan() {
		p := strings.Split(sc.Text(), "\t")
		if len(p) == 3 && p[0] == "Netdev 1.2" && p[2] != "" {
			out[p[1]] = p[2]
		}
	}
	return out
}

// TestTalkLinking: a schedule page and a write-up blog's feed split per
// talk, both of conference Netdev 1.2, fetched by the pipeline: their talks
// are linked, no wrong link, and no entry changes id; a retitled talk (a
// new entry) is relinked at the next fetch and stays unlinked.
func TestTalkLinking(t *testing.T) {
	section(t, secLinking)
	var mu sync.Mutex
	schedule, status := "", http.StatusServiceUnavailable
	sched := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(schedule))
	}))
	t.Cleanup(sched.Close)
	blog := httptest.NewServer(serveFeed(readRepo(t, "normalize/page/testdata/netdev12-blog.rss")))
	t.Cleanup(blog.Close)
	h := newHarness(t, nil, hostileFetch(),
		config.Source{Name: "netdevconf", Kind: config.KindHTML, URL: sched.URL + "/1.2/schedule.html", Schedule: "@hourly",
			Conference: "Netdev 1.2", Role: entry.RoleAbstract,
			Split: &config.Split{Heading: "h3", Pattern: regexp.MustCompile(`^(?P<title>.+) — (?P<speakers>.+)$`)}},
		config.Source{Name: "netdev12-blog", Kind: config.KindFeed, URL: blog.URL + "/feed/", Schedule: "@hourly",
			Conference: "Netdev 1.2", Role: entry.RoleReport, Split: &config.Split{Heading: "h2"}})
	truth := netdevPairs(t)

	// measure counts the stored links against the truth.
	measure := func(t *testing.T) (right, wrong int, ids []string) {
		es, err := h.store.Latest(context.Background(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			ids = append(ids, e.ID)
			if e.Source != "netdevconf" {
				continue
			}
			for _, r := range e.Related {
				if r.Source == "netdev12-blog" && truth[e.Title] == r.Title {
					right++
				} else {
					wrong++
					t.Errorf("wrong link: %q ~ %s %q", e.Title, r.Source, r.Title)
				}
			}
		}
		slices.Sort(ids)
		return right, wrong, ids
	}

	t.Run("linked", func(t *testing.T) {
		rec := record(t, secLinking, "the reconstructed Netdev 1.2 schedule page (39 talks, speakers in the headings) "+
			"beside the blog's feed split per talk (33 write-ups), the blog stored a cycle before the schedule",
			"at least 90% of the true pairs linked, no wrong link; every entry keeps the id it was stored with")
		if r := h.fetchAll(t); r["netdev12-blog"].Counts.New != 33 || r["netdevconf"].Err == nil {
			t.Fatalf("first cycle: %+v", r)
		}
		_, _, before := measure(t)
		mu.Lock()
		schedule, status = scheduleHTML(t, nil), http.StatusOK
		mu.Unlock()
		if r := h.fetchAll(t); r["netdevconf"].Counts.New != 39 {
			t.Fatalf("schedule: %+v", r["netdevconf"])
		}
		right, wrong, after := measure(t)
		kept := 0
		for _, id := range before {
			if _, ok := slices.BinarySearch(after, id); ok {
				kept++
			}
		}
		if kept != len(before) {
			t.Errorf("%d of %d ids kept", kept, len(before))
		}
		if right*10 < len(truth)*9 {
			t.Errorf("%d of %d true pairs linked", right, len(truth))
		}
		rec.res("%d of %d true pairs linked (%.0f%%), %d wrong; %d of %d write-up ids unchanged", right, len(truth),
			100*float64(right)/float64(len(truth)), wrong, kept, len(before))
	})

	t.Run("retitled", func(t *testing.T) {
		rec := record(t, secLinking, "the schedule then retitles one linked talk (\"Kernel TLS socket\" becomes \"Socket API changes\"): "+
			"a new heading, so a new entry; the store keeps the old one",
			"the new entry stays unlinked (no write-up names it), every other link stays as it was")
		mu.Lock()
		schedule = scheduleHTML(t, map[string]string{"Kernel TLS socket": "Socket API changes"})
		mu.Unlock()
		if r := h.fetchAll(t); r["netdevconf"].Counts.New != 1 {
			t.Fatalf("retitled schedule: %+v", r["netdevconf"])
		}
		right, wrong, _ := measure(t)
		es, err := h.store.Latest(context.Background(), 1000)
		if err != nil {
			t.Fatal(err)
		}
		var renamed []entry.Related
		for _, e := range es {
			if e.Title == "Socket API changes" {
				renamed = e.Related
			}
		}
		if right != len(truth) || wrong != 0 || len(renamed) != 0 {
			t.Errorf("after the retitle: %d right (want %d), %d wrong, the new entry linked to %+v", right, len(truth), wrong, renamed)
		}
		rec.res("%d pairs linked, %d wrong; the new entry has %d links", right, wrong, len(renamed))
	})
}
