package render

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/internal/tooltest"
)

var jst = time.FixedZone("JST", 9*3600)

// conferenceEntries are talks and news of three conferences in the shapes
// the sources give them (the offline example's snapshots: the LPC 2025
// Indico export, the LPC 2015 etherpad notes, the Netdev 1.2 day write-ups
// and their blog's day posts, the Netdev 0.1 news page), plus the XDP
// workshop's notes and slides as netdevconf publishes them. firstSeen is
// when the store saw them, which is also the Published of the undated.
func conferenceEntries() []entry.Entry {
	firstSeen := time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC)
	day1 := time.Date(2016, 10, 5, 7, 0, 0, 0, time.UTC)
	const lpc25, nd12, lpc15 = "LPC 2025 · Networking track", "Netdev 1.2", "LPC 2015 · Networking MC"
	indico := func(id, title string, start time.Time, speakers ...entry.Speaker) entry.Entry {
		return entry.Entry{
			ID: "https://lpc.events/event/19/contributions/" + id + "/", Source: "lpc2025-networking", Title: title,
			Link: "https://lpc.events/event/19/contributions/" + id + "/", Published: firstSeen, FirstSeen: firstSeen,
			EventStart: start, EventEnd: start.Add(30 * time.Minute), Speakers: speakers, Role: entry.RoleAbstract,
			Session: "Networking Track", Track: "Networking Track", Conference: lpc25,
			Summary: "Abstract of " + title + ".",
		}
	}
	report := func(anchor, title, summary string) entry.Entry {
		link := "https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#" + anchor
		return entry.Entry{ID: link, Source: "netdev12-day1", Title: title, Link: link, Authors: []string{"nevola"},
			Published: day1, FirstSeen: firstSeen, Role: entry.RoleReport, Conference: nd12, Summary: summary}
	}
	return []entry.Entry{
		// The input order of the Netdev 1.2 write-ups is their page's.
		report("tc-workshop", "TC extended workshop", "Jamal Hadi Salim (from Mojatatu) organized the TC workshop."),
		report("xdp-workshop", "XDP workshop: Introduction, experience, and future development",
			"Tom Herbert (from Facebook) organized the XDP workshop."),
		report("kernel-tls", "Kernel TLS (Transport Layer Security) Socket", "Dave Watson presented the TLS kernel implementation."),
		{
			ID: "https://netdevconf.info/1.2/slides/oct6/10_XDP_workshop.pdf", Source: "netdevconf-slides",
			Title: "XDP workshop slides", Link: "https://netdevconf.info/1.2/slides/oct6/10_XDP_workshop.pdf",
			Published: firstSeen, FirstSeen: firstSeen, Role: entry.RoleSlides, Conference: nd12,
		},
		{
			ID: "https://etherpad.netdevconf.info/p/netdev12-xdp/export/txt", Source: "netdev12-notes",
			Title: "XDP workshop", Link: "https://etherpad.netdevconf.info/p/netdev12-xdp",
			Published: time.Date(2016, 10, 6, 0, 0, 0, 0, time.UTC), FirstSeen: firstSeen,
			EventStart: time.Date(2016, 10, 6, 0, 0, 0, 0, time.UTC), Role: entry.RoleNotes, Conference: nd12,
			Speakers: []entry.Speaker{{Name: "Tom Herbert"}, {Name: "Alexei Starovoitov"}},
			Summary:  "XDP: fast path before the skb. Q: which drivers?",
		},
		{
			ID: "https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/", Source: "netdev12-blog",
			Title: "Netdev 1.2 Day I", Link: "https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/",
			Authors: []string{"nevola"}, Published: day1.Add(5 * time.Hour), FirstSeen: firstSeen, Conference: nd12,
		},
		{
			ID: "https://nevolakernelblog.wordpress.com/2016/10/07/netdev-1-2-day-iii/", Source: "netdev12-blog",
			Title: "Netdev 1.2 Day III", Link: "https://nevolakernelblog.wordpress.com/2016/10/07/netdev-1-2-day-iii/",
			Authors: []string{"nevola"}, Published: time.Date(2016, 10, 7, 12, 0, 0, 0, time.UTC), FirstSeen: firstSeen,
			Conference: nd12, Role: entry.RoleNews,
		},
		indico("2104", "Packet metadata for BPF and user space: progress and roadmap",
			time.Date(2025, 12, 11, 11, 30, 0, 0, jst), entry.Speaker{Name: "Mei Lin", Affiliation: "Example Networks"}),
		indico("2101", "Netdev maintainers' update", time.Date(2025, 12, 11, 10, 0, 0, 0, jst),
			entry.Speaker{Name: "Paolo Abeni", Affiliation: "Red Hat"}),
		indico("2105", "Leasing NIC hardware queues to netkit for zero-copy in containers",
			time.Date(2025, 12, 11, 14, 0, 0, 0, jst), entry.Speaker{Name: "Hana Kobayashi", Affiliation: "Example Cloud"}),
		{
			ID: "https://etherpad.openstack.org/p/LPC2015_Networking#vrfs-in-linux", Source: "lpc2015-notes",
			Title: "VRF's in Linux", Link: "https://etherpad.openstack.org/p/LPC2015_Networking#vrfs-in-linux",
			Published: time.Date(2015, 8, 19, 0, 0, 0, 0, time.UTC), FirstSeen: firstSeen,
			EventStart: time.Date(2015, 8, 19, 0, 0, 0, 0, time.UTC), Role: entry.RoleNotes, Conference: lpc15,
			Speakers: []entry.Speaker{{Name: "Shrijeet"}, {Name: "David"}},
			Summary:  "Awesome VRF + MPLS demo. Q: Is your performance limited by throughput?",
		},
		{
			ID: "https://lwn.net/Articles/1046321/", Source: "lwn", Title: "Toward a stable XDP metadata API",
			Link: "https://lwn.net/Articles/1046321/", Published: time.Date(2025, 11, 17, 15, 20, 0, 0, time.UTC),
			FirstSeen: firstSeen, Tags: []string{"XDP"}, Summary: "XDP programs see a packet before the kernel has built an skb.",
		},
		{
			// An undated item (heise's RDF feed): first seen is its date.
			ID: "https://www.heise.de/newsticker/meldung/4205119.html", Source: "heise", Title: "Übernahme von GitHub durch Microsoft abgeschlossen",
			Link: "https://www.heise.de/newsticker/meldung/4205119.html", Published: firstSeen, FirstSeen: firstSeen,
			Summary: "Microsoft hat die Übernahme von GitHub abgeschlossen. Der Kaufpreis beträgt 7,5 Milliarden US-Dollar in Aktien; GitHub soll als eigenständige Plattform weitergeführt werden, die Entwickler sollen weiter ihre bevorzugten Sprachen, Werkzeuge und Betriebssysteme nutzen können, versprach der neue Chef.",
		},
	}
}

// xdpRelated is the relation the linker gives: the write-up, the notes
// and the slides of the XDP workshop are one talk, said one way only, plus
// a link to an entry of another conference and one to nothing, both to
// be ignored.
func xdpRelated() map[string][]string {
	return map[string][]string{
		"https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#xdp-workshop": {
			"https://etherpad.netdevconf.info/p/netdev12-xdp/export/txt",
			"https://lpc.events/event/19/contributions/2104/",
			"https://example.org/gone",
		},
		"https://netdevconf.info/1.2/slides/oct6/10_XDP_workshop.pdf": {"https://etherpad.netdevconf.info/p/netdev12-xdp/export/txt"},
	}
}

func talkTitles(ts []Talk) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Main.Title)
	}
	return out
}

func entryTitles(es []entry.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Title)
	}
	return out
}

func findGroup(t *testing.T, groups []DigestGroup, name string) DigestGroup {
	t.Helper()
	for _, g := range groups {
		if g.Name == name {
			return g
		}
	}
	t.Fatalf("no group %q", name)
	return DigestGroup{}
}

func TestOrganize(t *testing.T) {
	during := time.Date(2025, 12, 11, 11, 0, 0, 0, jst) // between the first and second LPC talks
	tests := []struct {
		name   string
		o      Organization
		group  string
		coming []string
		talks  []string
		news   []string
	}{
		{
			name: "time order, all past", group: "LPC 2025 · Networking track",
			o:     Organization{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
			talks: []string{"Netdev maintainers' update", "Packet metadata for BPF and user space: progress and roadmap", "Leasing NIC hardware queues to netkit for zero-copy in containers"},
		},
		{
			name: "coming up against a fixed clock", group: "LPC 2025 · Networking track",
			o:      Organization{Now: during},
			coming: []string{"Packet metadata for BPF and user space: progress and roadmap", "Leasing NIC hardware queues to netkit for zero-copy in containers"},
			talks:  []string{"Netdev maintainers' update"},
		},
		{
			name: "a zero clock: nothing coming", group: "LPC 2025 · Networking track",
			talks: []string{"Netdev maintainers' update", "Packet metadata for BPF and user space: progress and roadmap", "Leasing NIC hardware queues to netkit for zero-copy in containers"},
		},
		{
			// Without links every trace is its own card: the timed notes
			// first, then the write-ups in their page's order, the slides
			// (undated: first seen later) last. News newest first.
			name: "no relation", group: "Netdev 1.2", o: Organization{Now: during},
			talks: []string{"XDP workshop", "TC extended workshop", "XDP workshop: Introduction, experience, and future development",
				"Kernel TLS (Transport Layer Security) Socket", "XDP workshop slides"},
			news: []string{"Netdev 1.2 Day III", "Netdev 1.2 Day I"},
		},
		{
			// The three traces of the XDP workshop are one card, at the
			// notes' time, its text the write-up's.
			name: "one talk, three traces", group: "Netdev 1.2", o: Organization{Now: during, Related: xdpRelated()},
			talks: []string{"XDP workshop: Introduction, experience, and future development", "TC extended workshop",
				"Kernel TLS (Transport Layer Security) Socket"},
			news: []string{"Netdev 1.2 Day III", "Netdev 1.2 Day I"},
		},
		{
			name: "a day-only talk", group: "LPC 2015 · Networking MC", o: Organization{Now: during},
			talks: []string{"VRF's in Linux"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries := conferenceEntries()
			before := fmt.Sprint(entries)
			groups := Organize(entries, tt.o)
			if fmt.Sprint(entries) != before {
				t.Error("Organize changed its input")
			}
			g := findGroup(t, groups, tt.group)
			if got := talkTitles(g.Coming); !slices.Equal(got, tt.coming) {
				t.Errorf("Coming = %q, want %q", got, tt.coming)
			}
			if got := talkTitles(g.Talks); !slices.Equal(got, tt.talks) {
				t.Errorf("Talks = %q, want %q", got, tt.talks)
			}
			if got := entryTitles(g.News); !slices.Equal(got, tt.news) {
				t.Errorf("News = %q, want %q", got, tt.news)
			}
			// Every entry once, in the whole and in its group.
			seen := map[string]int{}
			for _, g := range groups {
				var inCards int
				for _, tk := range slices.Concat(g.Coming, g.Talks) {
					inCards += len(tk.Traces)
				}
				if inCards+len(g.News) != len(g.Entries) && g.Kind == KindConference {
					t.Errorf("%s: %d in cards + %d news, %d entries", g.Name, inCards, len(g.News), len(g.Entries))
				}
				for _, e := range g.Entries {
					seen[e.ID]++
				}
			}
			for _, e := range entries {
				if seen[e.ID] != 1 {
					t.Errorf("%q listed %d times", e.Title, seen[e.ID])
				}
			}
		})
	}
}

// TestOrganizeTalk: the card of a talk with three traces says who and
// when from whichever trace knows, prefers the report's text to the
// notes', and lists its traces by role.
func TestOrganizeTalk(t *testing.T) {
	groups := Organize(conferenceEntries(), Organization{Related: xdpRelated()})
	tk := findGroup(t, groups, "Netdev 1.2").Talks[0]
	if tk.Main.Source != "netdev12-day1" {
		t.Errorf("Main from %s, want the write-up", tk.Main.Source)
	}
	var roles []entry.Role
	for _, e := range tk.Traces {
		roles = append(roles, e.Role)
	}
	if want := []entry.Role{entry.RoleReport, entry.RoleNotes, entry.RoleSlides}; !slices.Equal(roles, want) {
		t.Errorf("trace roles %q, want %q", roles, want)
	}
	if want := time.Date(2016, 10, 6, 0, 0, 0, 0, time.UTC); !tk.Start.Equal(want) {
		t.Errorf("Start = %v, want the notes' day %v", tk.Start, want)
	}

	views := Views(groups, time.UTC)
	var card TalkData
	for _, g := range views {
		if g.Name == "Netdev 1.2" {
			card = g.Talks[0]
		}
	}
	want := TalkData{
		Title:    "XDP workshop: Introduction, experience, and future development",
		Link:     "https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#xdp-workshop",
		Speakers: "Tom Herbert, Alexei Starovoitov", When: "Thu 6 Oct 2016", ISO: "2016-10-06T00:00:00Z",
		Summary: "Tom Herbert (from Facebook) organized the XDP workshop.",
	}
	got := card
	got.Num, got.Traces = 0, nil
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("card = %+v\nwant   %+v", got, want)
	}
	var labels []string
	for _, tr := range card.Traces {
		labels = append(labels, tr.Label+" "+tr.Link)
	}
	if want := []string{
		"Write-up by nevola https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#xdp-workshop",
		"Notes https://etherpad.netdevconf.info/p/netdev12-xdp",
		"Slides https://netdevconf.info/1.2/slides/oct6/10_XDP_workshop.pdf",
	}; !slices.Equal(labels, want) {
		t.Errorf("traces %q, want %q", labels, want)
	}
}

func TestTalkWhen(t *testing.T) {
	tests := []struct {
		start, end time.Time
		want       string
	}{
		{time.Date(2025, 12, 11, 11, 30, 0, 0, jst), time.Date(2025, 12, 11, 12, 0, 0, 0, jst), "Thu 11 Dec 2025, 11:30–12:00 JST"},
		{time.Date(2025, 12, 11, 11, 30, 0, 0, jst), time.Date(2025, 12, 11, 3, 0, 0, 0, time.UTC), "Thu 11 Dec 2025, 11:30–12:00 JST"},
		{time.Date(2025, 12, 11, 23, 30, 0, 0, jst), time.Date(2025, 12, 12, 0, 30, 0, 0, jst), "Thu 11 Dec 2025, 23:30 JST"},
		{time.Date(2025, 12, 11, 10, 0, 0, 0, jst), time.Time{}, "Thu 11 Dec 2025, 10:00 JST"},
		{time.Date(2015, 8, 19, 0, 0, 0, 0, time.UTC), time.Time{}, "Wed 19 Aug 2015"},
	}
	for _, tt := range tests {
		if got := talkWhen(tt.start, tt.end); got != tt.want {
			t.Errorf("talkWhen(%v, %v) = %q, want %q", tt.start, tt.end, got, tt.want)
		}
	}
}

// TestDigestBudgetOrder: under a budget, conference and topic content is
// kept in full before "Other news", and an undated item (first seen "now",
// the newest date of all) is the first to become a title.
func TestDigestBudgetOrder(t *testing.T) {
	r := newDigestRenderer(t)
	info := digestInfo()
	info.Related = xdpRelated()
	entries := conferenceEntries()
	// A dated Other news item newer than everything else but the undated one.
	entries = append(entries, entry.Entry{
		ID: "https://www.kernel.org/7.3", Source: "kernel-org", Title: "7.3: mainline", Link: "https://www.kernel.org/",
		Published: time.Date(2025, 11, 30, 22, 0, 0, 0, time.UTC), FirstSeen: time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC),
		Summary: "Version: 7.3 (mainline). Released: 2025-11-30. Source: linux-7.3.tar.xz. PGP Signature: linux-7.3.tar.sign. Patch: full. ChangeLog: ChangeLog-7.3. The merge window for 7.4 is open; the networking pull brings devmem TCP transmit, a new page_pool API and the first SmartNIC offloads of the flow table.",
	})
	full, err := r.Render(info, entries)
	if err != nil {
		t.Fatal(err)
	}
	if full.Truncated != 0 || full.Omitted != 0 {
		t.Fatalf("no budget: Truncated %d, Omitted %d", full.Truncated, full.Omitted)
	}
	summaryShown := func(d *Digest, s string) bool { return bytes.Contains(d.HTML, []byte(html.EscapeString(s))) }
	// Shrink the budget until something becomes a title, then until
	// only the conference and topic content is in full.
	var steps []string
	for budget := len(full.HTML); ; budget -= 50 {
		info.MaxHTMLBytes = budget
		d, err := r.Render(info, entries)
		if errors.Is(err, ErrHTMLTooLarge) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var state []string
		for _, s := range []string{"Microsoft hat die Übernahme", "Version: 7.3 (mainline).", "XDP programs see a packet", "Abstract of Netdev maintainers"} {
			if summaryShown(d, s) {
				state = append(state, s[:8])
			}
		}
		if st := strings.Join(state, ","); len(steps) == 0 || steps[len(steps)-1] != st {
			steps = append(steps, st)
		}
		if d.Truncated+d.Omitted > d.Count || d.TextTruncated+d.TextOmitted > d.Count {
			t.Fatalf("budget %d: more entries shortened than there are", budget)
		}
	}
	// In full, in order of loss: the undated heise item, then the dated
	// Other news, and only then topic and conference content.
	want := []string{"Microsof,Version:,XDP prog,Abstract", "Version:,XDP prog,Abstract", "XDP prog,Abstract"}
	if len(steps) < len(want) || !slices.Equal(steps[:len(want)], want) {
		t.Errorf("summaries in full as the budget shrinks: %q, want it to start %q", steps, want)
	}
}

// TestDigestTalksGolden: a digest with conferences as cards, coming up and
// past, a talk's three traces on one card, news apart.
func TestDigestTalksGolden(t *testing.T) {
	info := digestInfo()
	info.Related = xdpRelated()
	info.Now = time.Date(2025, 12, 11, 11, 0, 0, 0, jst)
	info.Start, info.End = time.Date(2025, 11, 24, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 1, 9, 0, 0, 0, time.UTC)
	d := renderDigest(t, info, conferenceEntries())
	checkGolden(t, "digest-talks.golden.html", d.HTML)
	checkGolden(t, "digest-talks.golden.txt", d.Text)
}

// TestDigestTalksChromium: the talks digest as Chromium builds its DOM:
// one card per talk (the XDP workshop's three traces on one), each card's
// traces as links, every title once.
func TestDigestTalksChromium(t *testing.T) {
	bin := tooltest.Find(t, "chromium", "chromium", "chromium-browser", "google-chrome")
	page, err := filepath.Abs(filepath.Join("testdata", "digest-talks.golden.html"))
	if err != nil {
		t.Fatal(err)
	}
	args := append(tooltest.ChromiumArgs(t.TempDir()), "--dump-dom", "file://"+page)
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		tooltest.Unavailable(t, "chromium does not run here: %v", err)
	}
	doc := parseHTML(t, out)
	var cards []*html.Node
	for _, td := range findAll(doc, "td") {
		if attr(td, "class") == "nd-card talk" {
			cards = append(cards, td)
		}
	}
	// 3 LPC 2025 talks, 3 Netdev 1.2 cards (the workshop's 3 traces on one), 1 LPC 2015.
	if len(cards) != 7 {
		t.Fatalf("%d talk cards, want 7", len(cards))
	}
	var xdp *html.Node
	for _, c := range cards {
		if strings.HasPrefix(strings.TrimSpace(textOf(c)), "XDP workshop: Introduction") {
			xdp = c
		}
	}
	if xdp == nil {
		t.Fatal("no card for the XDP workshop")
	}
	var hrefs []string
	for _, a := range findAll(xdp, "a") {
		hrefs = append(hrefs, attr(a, "href"))
	}
	if want := []string{
		"https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#xdp-workshop", // the title
		"https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#xdp-workshop",
		"https://etherpad.netdevconf.info/p/netdev12-xdp",
		"https://netdevconf.info/1.2/slides/oct6/10_XDP_workshop.pdf",
	}; !slices.Equal(hrefs, want) {
		t.Errorf("XDP card links %q, want %q", hrefs, want)
	}
	if text := textOf(doc); strings.Count(text, "XDP workshop slides") != 0 || strings.Count(text, "Coming up") != 1 {
		t.Errorf("the slides have a card of their own, or Coming up is not there once")
	}
}
