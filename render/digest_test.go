package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/internal/tooltest"
	"github.com/netdigest/netdigest/templates"
)

// The topics of feeds.yaml, in its order.
var digestTopics = []string{
	"XDP", "eBPF", "TC", "nftables/netfilter", "QUIC", "TLS/kTLS", "IPsec", "WireGuard",
	"switchdev/DSA", "VRF", "MPTCP", "TCP congestion control", "SR-IOV/offload",
	"io_uring/zero-copy", "wireless", "IPv6/segment routing",
}

var cetZone = time.FixedZone("CET", 3600)

func digestInfo() DigestInfo {
	return DigestInfo{
		Title:       "netdigest — Linux networking news",
		FeedURL:     "https://netdigest.example/feed.atom",
		PageURL:     "https://netdigest.example/",
		ArchiveURL:  "https://netdigest.example/digests/20261119T070000Z",
		Unsubscribe: "mailto:netdigest-owner@netdigest.example?subject=unsubscribe",
		Start:       time.Date(2026, 11, 12, 8, 0, 0, 0, cetZone),
		End:         time.Date(2026, 11, 19, 8, 0, 0, 0, cetZone),
		Location:    cetZone,
		Topics:      digestTopics,
	}
}

// digestEntries is one week of netdigest as the sources of feeds.yaml give it.
// Titles, links, speakers and summaries are taken from the real pages (the
// seeds in ../shared/seeds and examples/snapshots: Bootlin's Netdev 0x13
// report, the Netdev 1.2 day-by-day blog, the LPC 2025 networking track's
// Indico export); the LWN, tohojo, kernel.org and netdevconf items are
// written in those sites' formats. Old talks appear because their sources
// were added this week, which is why dates span ten years.
func digestEntries() []entry.Entry {
	tokyo := time.FixedZone("JST", 9*3600)
	return []entry.Entry{
		{
			ID: "https://bootlin.com/?p=7421", Source: "bootlin",
			Title:      "Feedback from the Netdev 0x13 conference",
			Link:       "https://bootlin.com/blog/feedback-from-the-netdev-0x13-conference/",
			Authors:    []string{"Antoine Ténart"},
			Published:  time.Date(2019, 3, 28, 9, 55, 0, 0, time.UTC),
			Summary:    "The Netdev 0x13 conference took place last week in Prague, Czech Republic. As we work on a variety of networking topics as part of our Linux kernel contributions, Bootlin engineers Maxime Chevallier and Antoine Ténart went to meet with the Linux networking community and to see a lot of interesting sessions.",
			Tags:       []string{"kernel", "embedded", "XDP", "TC", "SR-IOV/offload"},
			Conference: "Netdev 0x13",
		},
		{
			ID: "https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#kernel-tls", Source: "netdev12-day1",
			Title:      "Kernel TLS (Transport Layer Security) Socket",
			Link:       "https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#kernel-tls",
			Authors:    []string{"Dave Watson"},
			Published:  time.Date(2016, 10, 5, 7, 0, 0, 0, time.UTC),
			Summary:    "Dave Watson (from Facebook) presented the kernel TLS socket, which moves the symmetric encryption of TLS records into the kernel so that sendfile can be used with encrypted connections.",
			Tags:       []string{"netdev", "talk-report", "TLS/kTLS"},
			Conference: "Netdev 1.2",
		},
		{
			ID: "https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#ipv6-segment-routing", Source: "netdev12-day1",
			Title:      "Implementing IPv6 Segment Routing",
			Link:       "https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#ipv6-segment-routing",
			Authors:    []string{"David Lebrun"},
			Published:  time.Date(2016, 10, 5, 7, 0, 0, 0, time.UTC),
			Summary:    "David Lebrun (from Université catholique de Louvain) presented the implementation of IPv6 Segment Routing in the Linux kernel.",
			Tags:       []string{"netdev", "talk-report", "IPv6/segment routing"},
			Conference: "Netdev 1.2",
		},
		{
			ID: "https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#tc-workshop", Source: "netdev12-day1",
			Title:      "TC extended workshop",
			Link:       "https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#tc-workshop",
			Authors:    []string{"Jamal Hadi Salim"},
			Published:  time.Date(2016, 10, 5, 7, 0, 0, 0, time.UTC),
			Summary:    "Jamal Hadi Salim (from Mojatatu) organized the TC workshop where the latest changes of the traffic control subsystem were discussed.",
			Tags:       []string{"netdev", "talk-report", "TC"},
			Conference: "Netdev 1.2",
		},
		{
			ID: "https://lpc.events/event/19/contributions/2101/", Source: "lpc2025-networking",
			Title:      "Netdev maintainers' update",
			Link:       "https://lpc.events/event/19/contributions/2101/",
			Authors:    []string{"Paolo Abeni"},
			Published:  time.Date(2025, 12, 11, 10, 0, 0, 0, tokyo),
			Summary:    "Brief introduction and general update from netdev maintainers, including recent netdev foundation progresses",
			Tags:       []string{"lpc"},
			Conference: "LPC 2025 · Networking track",
		},
		{
			ID: "https://lpc.events/event/19/contributions/2104/", Source: "lpc2025-networking",
			Title:      "Packet metadata for BPF and user space: progress and roadmap",
			Link:       "https://lpc.events/event/19/contributions/2104/",
			Authors:    []string{"Mei Lin", "Jonas Berg"},
			Published:  time.Date(2025, 12, 11, 11, 30, 0, 0, tokyo),
			Summary:    "Our journey ([1], [2]) to let BPF programs and user-space apps attach rich metadata to packets is far from over. In this talk, we'll share what's been done, what's next, what we've learned, and where are the dragons we've yet to slay.",
			Tags:       []string{"lpc", "eBPF"},
			Conference: "LPC 2025 · Networking track",
		},
		{
			ID: "https://lpc.events/event/19/contributions/2105/", Source: "lpc2025-networking",
			Title:      "Leasing NIC hardware queues to netkit for zero-copy in containers",
			Link:       "https://lpc.events/event/19/contributions/2105/",
			Authors:    []string{"Hana Kobayashi", "Ravi Iyer"},
			Published:  time.Date(2025, 12, 11, 14, 0, 0, 0, tokyo),
			Summary:    "For building high-performance datapaths, zero-copy mechanisms are inevitable. Up until today, their usability from network namespaces is either non-existent or very slow. In this talk, we present a solution to natively “lease” a physical NIC's hardware queue to a virtual device (such as netkit)…",
			Tags:       []string{"lpc", "io_uring/zero-copy"},
			Conference: "LPC 2025 · Networking track",
		},
		{
			// XDP comes before eBPF in the topics: the entry goes to XDP only.
			ID: "https://lwn.net/Articles/1046321/", Source: "lwn",
			Title:     "Toward a stable XDP metadata API",
			Link:      "https://lwn.net/Articles/1046321/",
			Authors:   []string{"Jonathan Corbet"},
			Published: time.Date(2026, 11, 17, 15, 20, 0, 0, time.UTC),
			Summary:   "XDP programs see a packet before the kernel has built an skb for it, which makes them fast but leaves them without the hardware's checksum, hash and timestamp hints. A new patch set proposes kfuncs to read that metadata in a driver-independent way.",
			Tags:      []string{"kernel", "news", "eBPF", "XDP"},
		},
		{
			ID: "https://lwn.net/Articles/1045990/", Source: "lwn",
			Title:     "Qdiscs written in BPF land in net-next",
			Link:      "https://lwn.net/Articles/1045990/",
			Authors:   []string{"Jonathan Corbet"},
			Published: time.Date(2026, 11, 12, 17, 5, 0, 0, time.UTC),
			Summary:   "After several rounds of review, the struct_ops-based infrastructure that lets a BPF program act as a queueing discipline has been merged for the next development cycle; FQ and FIFO implementations come with it as examples.",
			Tags:      []string{"kernel", "news", "TC", "eBPF"},
		},
		{
			// A source tag in lower case still joins the XDP topic.
			ID: "https://blog.tohojo.dk/2026/11/xdp-program-sharing.html", Source: "tohojo",
			Title:     "Sharing one XDP program between many interfaces",
			Link:      "https://blog.tohojo.dk/2026/11/xdp-program-sharing.html",
			Authors:   []string{"Toke Høiland-Jørgensen"},
			Published: time.Date(2026, 11, 14, 20, 0, 0, 0, time.UTC),
			Summary:   "libxdp's dispatcher lets several programs share an interface; this post looks at the other direction, one program attached to many interfaces, and what it costs in map lookups.",
			Tags:      []string{"xdp", "ebpf", "bufferbloat"},
		},
		{
			// kdist.xml items carry no author and no date of their own.
			ID: "kernel.org,mainline,7.3", Source: "kernel-org",
			Title:     "7.3: mainline",
			Link:      "https://www.kernel.org/",
			FirstSeen: time.Date(2026, 11, 15, 22, 4, 0, 0, time.UTC),
			Summary:   "Version: 7.3 (mainline) Released: 2026-11-15 Source: linux-7.3.tar.xz PGP Signature: linux-7.3.tar.sign Patch: full",
			Tags:      []string{"kernel", "release"},
		},
		{
			ID: "https://lists.netdevconf.org/hyperkitty/list/people@netdevconf.info/thread/Q3K7J2/", Source: "netdevconf-people",
			Title:     "Netdev 0x1a: call for submissions",
			Link:      "https://lists.netdevconf.org/hyperkitty/list/people@netdevconf.info/thread/Q3K7J2/",
			Authors:   []string{"Jamal Hadi Salim"},
			Published: time.Date(2026, 11, 13, 11, 0, 0, 0, time.UTC),
			Summary:   "Netdev 0x1a will take place in spring 2027. The call for talks, workshops and tutorials is open until 15 January.",
			Tags:      []string{"netdev", "conference"},
		},
	}
}

func newDigestRenderer(t *testing.T) *DigestRenderer {
	t.Helper()
	r, err := NewDigestRenderer(templates.FS)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func renderDigest(t *testing.T, info DigestInfo, entries []entry.Entry) *Digest {
	t.Helper()
	d, err := newDigestRenderer(t).Render(info, entries)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./render -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (run go test ./render -update and review the diff)\n--- got:\n%s", path, got)
	}
}

func TestDigestGolden(t *testing.T) {
	d := renderDigest(t, digestInfo(), digestEntries())
	checkGolden(t, "digest.golden.html", d.HTML)
	checkGolden(t, "digest.golden.txt", d.Text)
	if want := "netdigest: 12 new entries · 12–19 Nov 2026"; d.Subject != want {
		t.Errorf("Subject = %q, want %q", d.Subject, want)
	}
}

func TestDigestGrouping(t *testing.T) {
	d := renderDigest(t, digestInfo(), digestEntries())
	if d.Count != 12 || d.Sources != 7 || d.Truncated != 0 || d.Omitted != 0 {
		t.Errorf("Count, Sources, Truncated, Omitted = %d, %d, %d, %d; want 12, 7, 0, 0", d.Count, d.Sources, d.Truncated, d.Omitted)
	}
	type group struct {
		name, kind string
		titles     []string
	}
	want := []group{
		// Conferences by their newest entry, then topics in config order.
		{"LPC 2025 · Networking track", KindConference, []string{
			"Leasing NIC hardware queues to netkit for zero-copy in containers",
			"Packet metadata for BPF and user space: progress and roadmap",
			"Netdev maintainers' update",
		}},
		{"Netdev 0x13", KindConference, []string{"Feedback from the Netdev 0x13 conference"}},
		// Same date: by title.
		{"Netdev 1.2", KindConference, []string{
			"Implementing IPv6 Segment Routing",
			"Kernel TLS (Transport Layer Security) Socket",
			"TC extended workshop",
		}},
		{"XDP", KindTopic, []string{"Toward a stable XDP metadata API", "Sharing one XDP program between many interfaces"}},
		{"eBPF", KindTopic, []string{"Qdiscs written in BPF land in net-next"}},
		{OtherNews, KindOther, []string{"7.3: mainline", "Netdev 0x1a: call for submissions"}},
	}
	var got []group
	for _, g := range d.Groups {
		gg := group{name: g.Name, kind: g.Kind}
		for _, e := range g.Entries {
			gg.titles = append(gg.titles, e.Title)
		}
		got = append(got, gg)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("groups:\n got %v\nwant %v", got, want)
	}

	// The text part shows the groups in the same order, each entry once.
	text := string(d.Text)
	last := -1
	for _, g := range want {
		i := strings.Index(text, "\n"+g.name+"\n")
		if i <= last {
			t.Errorf("text: heading %q missing or out of order", g.name)
		}
		last = i
		for _, title := range g.titles {
			if n := strings.Count(text, title); n != 1 {
				t.Errorf("text: %q appears %d times, want 1", title, n)
			}
		}
	}
}

func TestFormatPeriod(t *testing.T) {
	day := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, cetZone) }
	tests := []struct {
		name       string
		start, end time.Time
		want       string
	}{
		{"same month", day(2026, 11, 12, 8), day(2026, 11, 19, 8), "12–19 Nov 2026"},
		{"across months", day(2026, 10, 28, 8), day(2026, 11, 3, 8), "28 Oct – 3 Nov 2026"},
		{"across years", day(2026, 12, 28, 8), day(2027, 1, 3, 8), "28 Dec 2026 – 3 Jan 2027"},
		{"one day", day(2026, 11, 19, 1), day(2026, 11, 19, 23), "19 Nov 2026"},
		{"midnight end is exclusive", day(2026, 11, 12, 0), day(2026, 11, 20, 0), "12–19 Nov 2026"},
		{"exactly one day", day(2026, 11, 19, 0), day(2026, 11, 20, 0), "19 Nov 2026"},
		{"zero start", time.Time{}, day(2026, 11, 19, 8), "19 Nov 2026"},
		{"both zero", time.Time{}, time.Time{}, ""},
		// 23:30 UTC is the next day in CET.
		{"shown in the location", time.Date(2026, 11, 11, 23, 30, 0, 0, time.UTC), day(2026, 11, 19, 8), "12–19 Nov 2026"},
		{"reversed", day(2026, 11, 19, 8), day(2026, 11, 12, 8), "12–19 Nov 2026"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatPeriod(tt.start, tt.end, cetZone); got != tt.want {
				t.Errorf("FormatPeriod = %q, want %q", got, tt.want)
			}
		})
	}
	d := renderDigest(t, digestInfo(), digestEntries())
	if want := "12 new entries from 7 sources, 12–19 Nov 2026"; !strings.Contains(string(d.Text), want) || !strings.Contains(string(d.HTML), want) {
		t.Errorf("header %q missing from text or HTML", want)
	}
}

func TestDigestSubject(t *testing.T) {
	r := newDigestRenderer(t)
	one := digestEntries()[:1]
	two := digestEntries()[7:9] // both from lwn
	tests := []struct {
		name    string
		tmpl    string
		entries []entry.Entry
		want    string
	}{
		{"plural", "", digestEntries(), "netdigest: 12 new entries · 12–19 Nov 2026"},
		{"singular", "", one, "netdigest: 1 new entry · 12–19 Nov 2026"},
		{"none", "", nil, "netdigest: 0 new entries · 12–19 Nov 2026"},
		{"custom", `[{{.Title}}] {{.Count}} from {{.Sources}} {{plural .Sources "source" "sources"}} ({{.End.Format "2006-01-02"}})`, two,
			"[netdigest — Linux networking news] 2 from 1 source (2026-11-19)"},
		{"newlines collapse", "week\n{{.Period}}\r\nBcc: x@example.org", one, "week 12–19 Nov 2026 Bcc: x@example.org"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := digestInfo()
			info.SubjectTemplate = tt.tmpl
			d, err := r.Render(info, tt.entries)
			if err != nil {
				t.Fatal(err)
			}
			if d.Subject != tt.want {
				t.Errorf("Subject = %q, want %q", d.Subject, tt.want)
			}
		})
	}
	for _, bad := range []string{"{{.Count", "{{.Nope}}", "{{/* nothing */}}"} {
		info := digestInfo()
		info.SubjectTemplate = bad
		if _, err := r.Render(info, one); err == nil || !strings.Contains(err.Error(), "subject") {
			t.Errorf("subject template %q: err = %v, want a subject template error", bad, err)
		}
	}
}

// urlLine reports whether a line is a single URL, possibly after its "[n]"
// label: the only lines allowed past 72 columns.
var urlLine = regexp.MustCompile(`^\s*(\[\d+\] )?\S*://\S+$`)

func checkTextLines(t *testing.T, text []byte) {
	t.Helper()
	for i, line := range strings.Split(string(text), "\n") {
		if n := utf8.RuneCountInString(line); n > TextWidth && !urlLine.MatchString(line) {
			t.Errorf("text line %d has %d columns: %q", i+1, n, line)
		}
		if strings.HasSuffix(line, " ") && line != "-- " {
			t.Errorf("text line %d has trailing space: %q", i+1, line)
		}
	}
	if m := regexp.MustCompile(`&(#\d+|#x[0-9a-fA-F]+|[a-z]+);`).FindString(string(text)); m != "" {
		t.Errorf("text has an HTML entity %q", m)
	}
}

func TestDigestText(t *testing.T) {
	info := digestInfo()
	info.PageURL = "https://netdigest.example/archive/2026/11/19/a-page-with-a-rather-long-address-for-the-full-list.html"
	info.ArchiveURL = "" // the footer then links PageURL, whose long URL must stay whole
	entries := digestEntries()
	entries[0].Link = "https://bootlin.com/blog/feedback-from-the-netdev-0x13-conference/?with=a&query=long-enough-to-need-its-own-line"
	d := renderDigest(t, info, entries)
	checkTextLines(t, d.Text)
	text := string(d.Text)

	// Every entry's link is numbered after its title, in order, and listed
	// under "Links:" with that number.
	body, links, ok := strings.Cut(text, "\n\nLinks:\n")
	if !ok {
		t.Fatalf("no Links: section:\n%s", text)
	}
	refs := regexp.MustCompile(`(?m)\[(\d+)\]$`).FindAllStringSubmatch(body, -1)
	if len(refs) != len(entries) {
		t.Errorf("%d link references in the body, want %d", len(refs), len(entries))
	}
	listed := map[int]string{}
	for _, m := range regexp.MustCompile(`(?m)^\[(\d+)\] (\S+)$`).FindAllStringSubmatch(links, -1) {
		n, _ := strconv.Atoi(m[1])
		listed[n] = m[2]
	}
	for i, m := range refs {
		if n, _ := strconv.Atoi(m[1]); n != i+1 {
			t.Errorf("reference %d is [%d]", i+1, n)
		}
	}
	for _, g := range d.Groups {
		for _, e := range g.Entries {
			re := regexp.MustCompile(regexp.QuoteMeta(e.Title) + `\s+\[(\d+)\]`)
			m := re.FindStringSubmatch(body)
			if m == nil {
				t.Errorf("%q has no link number", e.Title)
				continue
			}
			if n, _ := strconv.Atoi(m[1]); listed[n] != e.Link {
				t.Errorf("%q is [%s], listed as %q, want %q", e.Title, m[1], listed[n], e.Link)
			}
		}
	}
	// Long URLs stay whole.
	for _, u := range []string{entries[0].Link, info.PageURL} {
		if !strings.Contains(text, u) {
			t.Errorf("URL %q is not whole in the text", u)
		}
	}
	for _, want := range []string{"Subscribe to the Atom feed: https://netdigest.example/feed.atom", "Unsubscribe:\n" + info.Unsubscribe, "\n-- \n"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q", want)
		}
	}
}

func TestWrapText(t *testing.T) {
	long := strings.Repeat("x", 100)
	url := "https://example.org/" + strings.Repeat("p", 80)
	tests := []struct {
		name, prefix, in, want string
		cols                   int
	}{
		{"fits", "", "a b c", "a b c", 10},
		{"wraps at words", "", "aaaa bbbb cccc", "aaaa bbbb\ncccc", 10},
		{"hanging prefix", "* ", "aaaa bbbb cccc dd", "* aaaa\n  bbbb\n  cccc dd", 10},
		{"collapses spaces", "", "  a \n\t b  ", "a b", 10},
		{"cuts a long word", "", "ab " + long[:25], "ab\nxxxxxxxxxx\nxxxxxxxxxx\nxxxxx", 10},
		{"keeps a URL whole", "  ", "see " + url + " now", "  see\n  " + url + "\n  now", 40},
		{"wide characters take two columns", "", "日本語 日本語 日本語", "日本語 日本語\n日本語", 14},
		{"empty", "* ", "", "*", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := wrapText(tt.prefix, tt.in, tt.cols); got != tt.want {
				t.Errorf("wrapText(%q, %q, %d) =\n%s\nwant\n%s", tt.prefix, tt.in, tt.cols, got, tt.want)
			}
		})
	}
	if got, want := headingText("-", "Netdev 0x13", 72), "Netdev 0x13\n-----------"; got != want {
		t.Errorf("headingText = %q, want %q", got, want)
	}
}

// hostileEntries carry what a broken or malicious feed can put in the fields
// the digest shows.
func hostileEntries() []entry.Entry {
	at := time.Date(2026, 11, 18, 12, 0, 0, 0, time.UTC)
	return []entry.Entry{
		{
			ID: "h1", Source: "evil", Published: at,
			Title:   `<script>alert("title")</script> Hello`,
			Link:    "javascript:alert(1)",
			Authors: []string{`<b onmouseover="x()">Mallory</b>`},
			Summary: `<script>alert("summary")</script> and a pixel <img src=//tracker.example/p.gif width=1 height=1> in text`,
		},
		{
			ID: "h2", Source: "evil", Published: at.Add(-time.Hour),
			Title:   "Right-to-left \u202eoverride that flips the rest",
			Link:    "JAVASCRIPT:alert(2)",
			Summary: "\u202eesrever",
		},
		{
			ID: "h3", Source: "evil", Published: at.Add(-2 * time.Hour),
			Title:   "Long word",
			Link:    "data:text/html,<script>alert(3)</script>",
			Summary: strings.Repeat("A", 5000),
		},
		{
			ID: "h4", Source: "evil", Published: at.Add(-3 * time.Hour),
			Title:   "Control\x00chars\x1b[31m and a relative link",
			Link:    "/relative/path",
			Summary: `<a href="vbscript:msgbox(4)">click</a>`,
		},
		{
			ID: "h5", Source: "evil", Published: at.Add(-4 * time.Hour),
			Title:   strings.Repeat("B", 300),
			Link:    "javascript://evil.example/%0Aalert(5)", // has a host
			Summary: "A title of one long word.",
		},
	}
}

func TestDigestHostile(t *testing.T) {
	d := renderDigest(t, digestInfo(), hostileEntries())
	out := string(d.HTML)
	lower := strings.ToLower(out)
	for _, bad := range []string{"<script", "javascript:", "zgotmplz", "<img", "data:text", "onmouseover=\"", "\x00", "\x1b"} {
		if strings.Contains(lower, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	for _, want := range []string{
		"&lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt; Hello",
		"&lt;img src=//tracker.example/p.gif width=1 height=1&gt;",
		"&lt;a href=&#34;vbscript:msgbox(4)&#34;&gt;click&lt;/a&gt;",
		// The override stays inside its own isolate.
		"<bdi>Right-to-left \u202eoverride that flips the rest</bdi>",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	doc := parseHTML(t, d.HTML)
	// None of the hostile links is emitted; the only links are the footer's.
	for _, a := range findAll(doc, "a") {
		href := attr(a, "href")
		if !strings.HasPrefix(href, "https://netdigest.example/") && !strings.HasPrefix(href, "mailto:") {
			t.Errorf("unexpected link %q", href)
		}
	}
	// The long word sits in a block that may break it anywhere.
	var longDiv *html.Node
	for _, n := range findAll(doc, "div") {
		if strings.Contains(textOf(n), strings.Repeat("A", 5000)) && (longDiv == nil || isAncestor(longDiv, n)) {
			longDiv = n
		}
	}
	if longDiv == nil {
		t.Fatal("the 5,000-character word is missing")
	}
	if !hasStyleUp(longDiv, "overflow-wrap:anywhere") || !hasStyleUp(longDiv, "word-break:break-word") {
		t.Error("the long word's block does not wrap long words")
	}

	text := string(d.Text)
	checkTextLines(t, d.Text)
	for _, bad := range []string{"javascript:", "JAVASCRIPT:", "data:text", "/relative/path", "\u202e", "\x00", "\x1b"} {
		if strings.Contains(text, bad) {
			t.Errorf("text contains %q", bad)
		}
	}
	if strings.Contains(text, "[1]") {
		t.Error("text numbers a link although none is http(s)")
	}
	if !strings.Contains(text, `<script>alert("title")</script> Hello`) {
		t.Error("text does not show the title verbatim")
	}
}

// realisticEntries makes n lore-netdev-like entries, a minute apart, newest
// first, spread over the topics and a few conferences.
func realisticEntries(n int) []entry.Entry {
	base := time.Date(2026, 11, 19, 7, 0, 0, 0, time.UTC)
	out := make([]entry.Entry, n)
	for i := range out {
		e := entry.Entry{
			ID:        fmt.Sprintf("https://lore.kernel.org/netdev/20261119.%06d-1-dev@example.com/", i),
			Source:    fmt.Sprintf("source-%d", i%9),
			Title:     fmt.Sprintf("[PATCH net-next v%d %02d/%02d] net: mlx5e: rework the page_pool recycling path, entry %04d", i%5+1, i%12+1, 12, i),
			Link:      fmt.Sprintf("https://lore.kernel.org/netdev/20261119.%06d-1-dev@example.com/", i),
			Authors:   []string{"Some Developer", "Another Reviewer"},
			Published: base.Add(-time.Duration(i) * time.Minute),
			Summary:   strings.Repeat("The series reworks how the driver returns pages to the pool on the receive path. ", 4)[:300],
			Tags:      []string{"netdev", digestTopics[i%len(digestTopics)]},
		}
		if i%7 == 0 {
			e.Conference = fmt.Sprintf("Netdev 0x1%d", i%3)
		}
		out[i] = e
	}
	return out
}

func TestDigestSizeCap(t *testing.T) {
	r := newDigestRenderer(t)
	entries := realisticEntries(1000)

	t.Run("every title fits", func(t *testing.T) {
		info := digestInfo()
		info.MaxHTMLBytes = 400_000
		d, err := r.Render(info, entries)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.HTML) > info.MaxHTMLBytes || d.Truncated == 0 || d.Omitted != 0 {
			t.Fatalf("HTML %d bytes, Truncated %d, Omitted %d; want ≤ %d, > 0, 0", len(d.HTML), d.Truncated, d.Omitted, info.MaxHTMLBytes)
		}
		for _, e := range entries {
			if !bytes.Contains(d.HTML, []byte(html.EscapeString(e.Title))) {
				t.Fatalf("title %q missing from the HTML", e.Title)
			}
		}
		checkTruncatedHTML(t, d, entries, info.PageURL)
	})

	t.Run("default cap", func(t *testing.T) {
		d, err := r.Render(digestInfo(), entries)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.HTML) > DefaultMaxHTMLBytes || d.Truncated == 0 || d.Omitted == 0 {
			t.Fatalf("HTML %d bytes, Truncated %d, Omitted %d; want ≤ %d, > 0, > 0", len(d.HTML), d.Truncated, d.Omitted, DefaultMaxHTMLBytes)
		}
		// Not every title fits: the newest are listed, the oldest counted.
		shown := len(entries) - d.Omitted
		for i, e := range entries { // entries are newest first
			in := bytes.Contains(d.HTML, []byte(html.EscapeString(e.Title)))
			if in != (i < shown) {
				t.Fatalf("entry %d (of %d shown): in HTML = %v", i, shown, in)
			}
		}
		if want := fmt.Sprintf("and %d only counted", d.Omitted); !bytes.Contains(d.HTML, []byte(want)) {
			t.Errorf("HTML does not say %q", want)
		}
		checkTruncatedHTML(t, d, entries, digestInfo().PageURL)
	})

	t.Run("frame too large", func(t *testing.T) {
		info := digestInfo()
		info.MaxHTMLBytes = 2000
		if _, err := r.Render(info, entries[:3]); !errors.Is(err, ErrHTMLTooLarge) {
			t.Errorf("err = %v, want ErrHTMLTooLarge", err)
		}
	})
}

// checkTruncatedHTML checks what every shortened digest must keep: the
// newest entries in full, the link to the full list, and a text part with
// every title its own budget holds (since issue #11 the text part is
// bounded too: see TestDigestTextSizeCap).
func checkTruncatedHTML(t *testing.T, d *Digest, entries []entry.Entry, pageURL string) {
	t.Helper()
	doc := parseHTML(t, d.HTML)
	full := len(entries) - d.Truncated - d.Omitted
	if full <= 0 {
		t.Errorf("no entry in full (Truncated %d, Omitted %d)", d.Truncated, d.Omitted)
	}
	// A summary appears once per entry in full.
	if got := strings.Count(textOf(doc), entries[0].Summary); got != full {
		t.Errorf("%d summaries in the HTML, want %d", got, full)
	}
	if !hasLink(doc, pageURL) {
		t.Errorf("no link to the page %s", pageURL)
	}
	text := strings.Join(strings.Fields(string(d.Text)), " ")
	for _, e := range entries[:len(entries)-d.TextOmitted] {
		if !strings.Contains(text, e.Title) {
			t.Fatalf("text part lacks %q", e.Title)
		}
	}
}

// TestDigestTextSizeCap: the text part has the HTML part's budget, so a
// flood of entries makes a normal-sized email: the newest in full, older
// ones by title (with their links), the rest counted.
func TestDigestTextSizeCap(t *testing.T) {
	r := newDigestRenderer(t)
	entries := realisticEntries(100_000)
	d, err := r.Render(digestInfo(), entries)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Text) > DefaultMaxHTMLBytes || len(d.HTML) > DefaultMaxHTMLBytes {
		t.Fatalf("text %d bytes, HTML %d bytes; want both ≤ %d", len(d.Text), len(d.HTML), DefaultMaxHTMLBytes)
	}
	if d.TextTruncated == 0 || d.TextOmitted == 0 {
		t.Fatalf("text: %d by title, %d counted; want both > 0", d.TextTruncated, d.TextOmitted)
	}
	text := string(d.Text)
	full := len(entries) - d.TextTruncated - d.TextOmitted
	if got := strings.Count(text, entries[0].Summary[:60]); got != full {
		t.Errorf("%d summaries in the text, want %d (the entries in full)", got, full)
	}
	if !strings.Contains(text, "Also new:") {
		t.Error("no list of titles in the text part")
	}
	flat := strings.Join(strings.Fields(text), " ")
	for i, e := range entries[:full+d.TextTruncated] {
		if !strings.Contains(flat, e.Title) {
			t.Fatalf("entry %d of the %d listed: title %q missing", i, full+d.TextTruncated, e.Title)
		}
	}
	if strings.Contains(flat, entries[full+d.TextTruncated].Title) {
		t.Error("an entry beyond the budget is listed")
	}
	for _, want := range []string{fmt.Sprintf("and %d only counted", d.TextOmitted), "The full list: " + digestInfo().PageURL,
		"more entries, not listed in this email."} {
		if !strings.Contains(flat, want) {
			t.Errorf("text does not say %q", want)
		}
	}
	// The titles-only entries' links are listed too.
	if last := entries[full+d.TextTruncated-1]; !strings.Contains(text, last.Link) {
		t.Errorf("the link of the last title listed (%s) is missing", last.Link)
	}

	info := digestInfo()
	info.MaxTextBytes = 300
	if _, err := r.Render(info, entries[:3]); !errors.Is(err, ErrTextTooLarge) {
		t.Errorf("a text frame over MaxTextBytes: err = %v, want ErrTextTooLarge", err)
	}
}

func TestDigestHTMLStructure(t *testing.T) {
	for name, entries := range map[string][]entry.Entry{
		"realistic": digestEntries(), "hostile": hostileEntries(), "empty": nil,
	} {
		t.Run(name, func(t *testing.T) {
			d := renderDigest(t, digestInfo(), entries)
			doc := parseHTML(t, d.HTML)
			if n := findAll(doc, "script"); len(n) > 0 {
				t.Error("HTML has a <script>")
			}
			for _, n := range findAll(doc, "link") {
				t.Errorf("HTML has a <link rel=%q>", attr(n, "rel"))
			}
			var walk func(*html.Node)
			walk = func(n *html.Node) {
				if n.Type == html.ElementNode {
					for _, a := range n.Attr {
						if a.Key == "src" || a.Key == "background" || a.Key == "srcset" {
							t.Errorf("<%s %s=%q> loads an external resource", n.Data, a.Key, a.Val)
						}
						if a.Key == "style" && strings.Contains(a.Val, "url(") {
							t.Errorf("<%s> style loads a resource: %q", n.Data, a.Val)
						}
						if a.Key == "href" && !strings.HasPrefix(a.Val, "https://") && !strings.HasPrefix(a.Val, "http://") && !strings.HasPrefix(a.Val, "mailto:") {
							t.Errorf("<%s href=%q>", n.Data, a.Val)
						}
					}
					// Dark mode: a text color always comes with its background.
					if props := styleProps(attr(n, "style")); props["color"] != props["background-color"] {
						t.Errorf("<%s style=%q> sets only one of color and background-color", n.Data, attr(n, "style"))
					}
				}
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c)
				}
			}
			walk(doc)
			if h := findAll(doc, "html"); len(h) != 1 || attr(h[0], "lang") == "" || attr(h[0], "dir") == "" {
				t.Error("<html> lacks lang or dir")
			}
			var container bool
			for _, tbl := range findAll(doc, "table") {
				if attr(tbl, "role") != "presentation" {
					t.Errorf("layout table without role=presentation")
				}
				if attr(tbl, "width") == "100%" && strings.Contains(attr(tbl, "style"), "max-width:640px") {
					container = true
				}
			}
			if !container {
				t.Error("no 640px container table")
			}
			var preheader bool
			for _, div := range findAll(doc, "div") {
				if strings.Contains(attr(div, "style"), "display:none") && strings.Contains(textOf(div), " new entr") {
					preheader = true
				}
			}
			if !preheader {
				t.Error("no hidden preheader starting with the count")
			}
			footer := textOf(doc)
			for _, want := range []string{"subscribe to the Atom feed", "Unsubscribe"} {
				if !strings.Contains(footer, want) {
					t.Errorf("HTML lacks %q", want)
				}
			}
			if !hasLink(doc, "https://netdigest.example/feed.atom") || !hasLink(doc, digestInfo().Unsubscribe) {
				t.Error("footer lacks the feed or unsubscribe link")
			}
		})
	}
}

func TestDigestEmpty(t *testing.T) {
	d := renderDigest(t, digestInfo(), nil)
	if d.Count != 0 || d.Sources != 0 || len(d.Groups) != 0 {
		t.Errorf("Count %d, Sources %d, %d groups; want 0, 0, 0", d.Count, d.Sources, len(d.Groups))
	}
	for _, part := range [][]byte{d.HTML, d.Text} {
		if !bytes.Contains(part, []byte("No new entries, 12–19 Nov 2026")) || !bytes.Contains(part, []byte("Nothing new since the last digest.")) {
			t.Errorf("empty digest does not say so:\n%s", part)
		}
	}
	checkTextLines(t, d.Text)
	if bytes.Contains(d.Text, []byte("Links:")) {
		t.Error("empty digest has a Links: section")
	}
}

func TestDigestFooter(t *testing.T) {
	r := newDigestRenderer(t)
	tests := []struct {
		unsubscribe, wantHTML, wantText string
	}{
		{"", "reply to this email and ask the sender", "reply to this email and ask the"},
		{"https://netdigest.example/unsubscribe?u=42", `<a href="https://netdigest.example/unsubscribe?u=42"`, "Unsubscribe: https://netdigest.example/unsubscribe?u=42"},
		{"write to <ops@example.org>", "To unsubscribe: write to &lt;ops@example.org&gt;", "To unsubscribe: write to <ops@example.org>"},
		{"javascript:alert(1)", "To unsubscribe: javascript:alert(1)", "To unsubscribe: javascript:alert(1)"},
	}
	for _, tt := range tests {
		t.Run(tt.unsubscribe, func(t *testing.T) {
			info := digestInfo()
			info.Unsubscribe = tt.unsubscribe
			info.PageURL = ""
			d, err := r.Render(info, digestEntries())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(d.HTML), tt.wantHTML) {
				t.Errorf("HTML lacks %q", tt.wantHTML)
			}
			if !strings.Contains(string(d.Text), tt.wantText) {
				t.Errorf("text lacks %q:\n%s", tt.wantText, d.Text)
			}
			if strings.Contains(string(d.HTML), `href="javascript`) {
				t.Error("javascript: unsubscribe became a link")
			}
		})
	}
}

func TestDigestTemplates(t *testing.T) {
	embedded := func(name string) []byte {
		b, err := fs.ReadFile(templates.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	dir := func(t *testing.T, files map[string]string) fs.FS {
		d := t.TempDir()
		for name, body := range files {
			if err := os.WriteFile(filepath.Join(d, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return os.DirFS(d)
	}

	t.Run("override directory", func(t *testing.T) {
		fsys := dir(t, map[string]string{
			DigestHTMLTemplate: "<p>{{.Headline}}</p>{{range .Groups}}<h2>{{.Name}}</h2>{{end}}",
			DigestTextTemplate: "CUSTOM {{.Count}} {{wrap \"\" .Headline}}",
		})
		r, err := NewDigestRenderer(fsys)
		if err != nil {
			t.Fatal(err)
		}
		d, err := r.Render(digestInfo(), digestEntries())
		if err != nil {
			t.Fatal(err)
		}
		if want := "<p>12 new entries from 7 sources, 12–19 Nov 2026</p><h2>LPC 2025 · Networking track</h2>"; !strings.HasPrefix(string(d.HTML), want) {
			t.Errorf("HTML = %q, want it to start with %q", d.HTML, want)
		}
		if want := "CUSTOM 12 12 new entries from 7 sources, 12–19 Nov 2026"; string(d.Text) != want {
			t.Errorf("Text = %q, want %q", d.Text, want)
		}
	})

	tests := []struct {
		name  string
		files map[string]string
		want  []string // in the error
	}{
		{"missing html", map[string]string{DigestTextTemplate: "x"}, []string{DigestHTMLTemplate}},
		{"missing text", map[string]string{DigestHTMLTemplate: "x"}, []string{DigestTextTemplate}},
		{"html syntax", map[string]string{
			DigestHTMLTemplate: "<p>\n{{range .Groups}}\n<h2>{{.Name}</h2>",
			DigestTextTemplate: string(embedded(DigestTextTemplate)),
		}, []string{DigestHTMLTemplate + ":3"}},
		{"text unknown function", map[string]string{
			DigestHTMLTemplate: string(embedded(DigestHTMLTemplate)),
			DigestTextTemplate: "line one\n{{shout .Title}}",
		}, []string{DigestTextTemplate + ":2", "shout"}},
		{"html unknown field", map[string]string{
			DigestHTMLTemplate: "<p>\n\n{{range .Groups}}{{.Nmae}}{{end}}</p>",
			DigestTextTemplate: string(embedded(DigestTextTemplate)),
		}, []string{DigestHTMLTemplate + ":3", "Nmae"}},
		{"html unsafe context", map[string]string{
			DigestHTMLTemplate: "<a href=\"{{.PageURL}}\n",
			DigestTextTemplate: string(embedded(DigestTextTemplate)),
		}, []string{DigestHTMLTemplate}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDigestRenderer(dir(t, tt.files))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}

	t.Run("embedded templates", func(t *testing.T) {
		for _, name := range []string{DigestHTMLTemplate, DigestTextTemplate} {
			if len(embedded(name)) == 0 {
				t.Errorf("%s is empty", name)
			}
		}
		if _, err := NewDigestRenderer(fstest.MapFS{}); err == nil {
			t.Error("an empty FS gives no error")
		}
	})
}

// TestDigestChromium renders the golden HTML in a headless Chromium when one
// is installed, and checks every title reaches the DOM it builds. Set
// NETDIGEST_SCREENSHOT to a PNG path to keep the screenshot.
func TestDigestChromium(t *testing.T) {
	bin := tooltest.Find(t, "chromium", "chromium", "chromium-browser", "google-chrome")
	page, err := filepath.Abs(filepath.Join("testdata", "digest.golden.html"))
	if err != nil {
		t.Fatal(err)
	}
	shot := os.Getenv("NETDIGEST_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "digest.png")
	}
	run := func(args ...string) []byte {
		args = append(tooltest.ChromiumArgs(t.TempDir()), args...)
		out, err := exec.Command(bin, append(args, "file://"+page)...).Output()
		if err != nil {
			tooltest.Unavailable(t, "chromium does not run here: %v", err)
		}
		return out
	}
	dom := textOf(parseHTML(t, run("--dump-dom")))
	for _, e := range digestEntries() {
		if !strings.Contains(dom, e.Title) {
			t.Errorf("title %q missing from the DOM", e.Title)
		}
	}
	run("--screenshot="+shot, "--window-size=700,2000", "--hide-scrollbars")
	if fi, err := os.Stat(shot); err != nil || fi.Size() == 0 {
		t.Errorf("no screenshot: %v", err)
	}
}

func parseHTML(t *testing.T, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func findAll(n *html.Node, tag string) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == tag {
			out = append(out, d)
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

func hasLink(doc *html.Node, href string) bool {
	for _, a := range findAll(doc, "a") {
		if attr(a, "href") == href {
			return true
		}
	}
	return false
}

func isAncestor(a, n *html.Node) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if p == a {
			return true
		}
	}
	return false
}

// styleProps reports which properties a style attribute sets.
func styleProps(style string) map[string]bool {
	props := map[string]bool{}
	for decl := range strings.SplitSeq(style, ";") {
		if name, _, ok := strings.Cut(decl, ":"); ok {
			props[strings.TrimSpace(strings.ToLower(name))] = true
		}
	}
	return props
}

// hasStyleUp reports whether n or an ancestor has decl in its style.
func hasStyleUp(n *html.Node, decl string) bool {
	for ; n != nil; n = n.Parent {
		if n.Type == html.ElementNode && strings.Contains(attr(n, "style"), decl) {
			return true
		}
	}
	return false
}
