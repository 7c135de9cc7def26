package pipeline

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/entry"
)

// TestFetchLinksTalks: a fetch that brings entries relinks their
// conference, from everything stored (here the write-ups were stored a
// cycle before the schedule), and a changed entry is relinked again; links
// never change ids.
func TestFetchLinksTalks(t *testing.T) {
	body, err := os.ReadFile("../normalize/page/testdata/netdev12-blog.rss")
	if err != nil {
		t.Fatal(err)
	}
	blog := httptest.NewServer(&feedServer{body: string(body)})
	defer blog.Close()
	schedule := &feedServer{body: rss()}
	sched := httptest.NewServer(schedule)
	defer sched.Close()
	h := newHarness(t,
		config.Source{Name: "netdev12-blog", URL: blog.URL + "/feed/", Conference: "Netdev 1.2", Role: entry.RoleReport,
			Split: &config.Split{Heading: "h2"}},
		config.Source{Name: "netdevconf", URL: sched.URL + "/news.rss", Conference: "Netdev 1.2", Role: entry.RoleAbstract},
	)
	ctx := context.Background()
	related := func() map[string][]entry.Related {
		t.Helper()
		es, err := h.store.Latest(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]entry.Related{}
		for _, e := range es {
			if len(e.Related) > 0 {
				out[e.Title] = e.Related
			}
		}
		return out
	}
	h.fetchAll(t, true)
	if got := related(); len(got) != 0 {
		t.Fatalf("links before the schedule: %v", got)
	}

	schedule.set(rss(
		item("s1", "XDP Workshop", "https://netdevconf.example/1.2/xdp", "<p>Tom Herbert</p>"),
		item("s2", "Kernel TLS socket", "https://netdevconf.example/1.2/ktls", "<p>Dave Watson</p>"),
		item("s3", "SR-IOV live migration with VFIO", "https://netdevconf.example/1.2/vfio", "<p>Alex Williamson</p>")))
	h.fetchAll(t, true)
	got := related()
	xdp := got["XDP workshop: Introduction, experience, and future development"]
	if len(xdp) != 1 || xdp[0].Source != "netdevconf" || xdp[0].Title != "XDP Workshop" || xdp[0].Role != entry.RoleAbstract ||
		xdp[0].Link != "https://netdevconf.example/1.2/xdp" {
		t.Errorf("XDP write-up related %+v, want the schedule's XDP Workshop", xdp)
	}
	if r := got["XDP Workshop"]; len(r) != 1 || r[0].Source != "netdev12-blog" || r[0].Role != entry.RoleReport {
		t.Errorf("XDP abstract related %+v, want the write-up", r)
	}
	if r := got["Kernel TLS socket"]; len(r) != 1 || r[0].Title != "Kernel TLS (Transport Layer Security) Socket" {
		t.Errorf("kTLS abstract related %+v", r)
	}
	if len(got) != 4 {
		t.Errorf("%d linked entries, want 4 (two talks): %v", len(got), got)
	}

	// The schedule retitles a talk: it is no longer that write-up's.
	schedule.set(rss(
		item("s1", "XDP Workshop", "https://netdevconf.example/1.2/xdp", "<p>Tom Herbert</p>"),
		item("s2", "Socket API changes", "https://netdevconf.example/1.2/ktls", "<p>Dave Watson</p>"),
		item("s3", "SR-IOV live migration with VFIO", "https://netdevconf.example/1.2/vfio", "<p>Alex Williamson</p>")))
	h.fetchAll(t, true)
	got = related()
	if _, ok := got["Kernel TLS (Transport Layer Security) Socket"]; ok || len(got) != 2 {
		t.Errorf("after the change, linked: %v, want only the XDP talk", got)
	}
}
