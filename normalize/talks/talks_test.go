package talks_test

import (
	"fmt"
	"testing"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/normalize/talks"
)

// context are other talks of the conference, from a third source: what
// makes "workshop", "linux", "network" and "offload" common words.
var context = []string{
	"Netfilter workshop", "Linux wireless workshop", "Network offload BoF", "Linux network namespaces",
	"TSO offload in Linux", "Network drivers workshop", "Linux bridge workshop", "Wireless network offload",
	"Linux kernel network stack performance", "Offload workshop", "Routing in Linux", "Network security workshop",
	"TLS (Transport Layer Security) offload to NICs",
}

type side struct {
	title    string
	speakers []string
	content  string
	link     string
}

func mk(id, source string, s side) entry.Entry {
	e := entry.Entry{ID: id, Source: source, Title: s.title, Content: s.content, Link: s.link, Conference: "Netdev"}
	if e.Link == "" {
		e.Link = "https://" + source + ".example/" + id
	}
	for _, n := range s.speakers {
		e.Speakers = append(e.Speakers, entry.Speaker{Name: n})
	}
	return e
}

func linked(pairs []talks.Pair, a, b string) bool {
	for _, p := range pairs {
		if (p.A == a && p.B == b) || (p.A == b && p.B == a) {
			return true
		}
	}
	return false
}

func withContext(es ...entry.Entry) []entry.Entry {
	for i, t := range context {
		es = append(es, mk(fmt.Sprintf("ctx%d", i), "ctx", side{title: t}))
	}
	return es
}

func TestLinkRules(t *testing.T) {
	tests := []struct {
		name string
		a, b side
		want bool
	}{
		{"case", side{title: "Nftables Workshop"}, side{title: "nftables workshop"}, true},
		{"punctuation", side{title: "eBPF in tc classifiers/actions"}, side{title: "eBPF in tc classifiers and actions"}, true},
		// A prefix left in place would make "KEYNOTE" the main title.
		{"KEYNOTE: prefix", side{title: "KEYNOTE: The Undiscovered Internet: The Linux Network Stack, Self-driving cars, and Pokemon Go"},
			side{title: "The Undiscovered Internet"}, true},
		{"Talk: prefix", side{title: "Talk: ILA: Identifier Locator Addressing"}, side{title: "ILA"}, true},
		{"subtitle on one side", side{title: "XDP workshop: Introduction, experience, and future development"},
			side{title: "XDP Workshop"}, true},
		{"tc's vs tc", side{title: "tc’s cls_bpf"}, side{title: "tc cls_bpf"}, true},
		{"IPSec vs IPsec", side{title: "IPSec Workshop"}, side{title: "IPsec workshop"}, true},
		{"abbreviation beside its expansion", side{title: "Kernel TLS (Transport Layer Security) Socket"},
			side{title: "Kernel TLS socket"}, true},
		// Learnt from another title of the conference (context).
		{"expansion for its abbreviation", side{title: "Kernel TLS socket"},
			side{title: "Kernel Transport Layer Security socket"}, true},
		{"plural", side{title: "Encrypted overlays"}, side{title: "Encrypted Overlay"}, true},
		{"href to the talk's page, canonicalized", side{title: "Day II notes",
			content: `<p>See <a href="HTTPS://NetdevConf.info:443/1.2/session.html?tls-offload&amp;utm_source=blog">the talk</a>.</p>`},
			side{title: "TLS offload to network devices", link: "https://netdevconf.info/1.2/session.html?tls-offload"}, true},
		{"href to a talk's anchor on a shared page", side{title: "Slides",
			content: `<a href="https://blog.example/day-3/#xdp-workshop">XDP</a>`},
			side{title: "XDP workshop", link: "https://blog.example/day-3/#xdp-workshop"}, true},
		{"speakers tip a close title", side{title: "Removing the IPv6 routing cache", speakers: []string{"Martin KaFai Lau"}},
			side{title: "IPv6 Routing Cache Removal", speakers: []string{"Martin"}}, true},
		{"close title without speakers", side{title: "Removing the IPv6 routing cache"},
			side{title: "IPv6 Routing Cache Removal"}, false},
		{"speaker named in a write-up", side{title: "TC workshop", speakers: []string{"Jamal Hadi Salim"}},
			side{title: "TC extended workshop", content: "<p>Jamal Hadi Salim (from Mojatatu Networks) organized the TC workshop.</p>"}, true},
		// Must not link.
		{"two SR-IOV talks, same speakers", side{title: "Using SR-IOV offload with application like openVswitch", speakers: []string{"Rony Efraim", "Or Gerlitz"}},
			side{title: "Introduction to switchdev SR-IOV offloads", speakers: []string{"Or Gerlitz", "Rony Efraim"}}, false},
		{"XDP workshop vs XDP offload", side{title: "XDP workshop", speakers: []string{"Tom Herbert"}},
			side{title: "eBPF/XDP hardware offload to SmartNICs"}, false},
		{"one speaker, two talks", side{title: "TCP BBR congestion control", speakers: []string{"Neal Cardwell"}},
			side{title: "Making Linux TCP Fast", content: "<p>Yuchung Cheng and Neal Cardwell (from Google) presented.</p>"}, false},
		{"one headline, two subtitles", side{title: "TC workshop: hardware offloads"}, side{title: "TC workshop: eBPF classifiers"}, false},
		// Unweighted, 3 words of 5 in common; these 3 are in every other title.
		{"common words weigh little", side{title: "Network offload workshop for containers"}, side{title: "Network offload workshop for VMs"}, false},
		{"a short title inside a long one", side{title: "XDP"}, side{title: "XDP in practice: DDoS mitigation at the edge"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := withContext(mk("a", "schedule", tt.a), mk("b", "writeup", tt.b))
			got := linked(talks.Link(es), "a", "b")
			if got != tt.want {
				t.Errorf("%q ~ %q linked = %v, want %v", tt.a.title, tt.b.title, got, tt.want)
			}
		})
	}
}

// TestLinkStructure: what is linked at all, whatever the titles.
func TestLinkStructure(t *testing.T) {
	same := side{title: "Making Linux TCP fast", speakers: []string{"Neal Cardwell"}}
	t.Run("same source", func(t *testing.T) {
		if ps := talks.Link(withContext(mk("a", "blog", same), mk("b", "blog", same))); linked(ps, "a", "b") {
			t.Error("two entries of one source linked")
		}
	})
	t.Run("other conference", func(t *testing.T) {
		b := mk("b", "writeup", same)
		b.Conference = "LPC"
		if ps := talks.Link(withContext(mk("a", "schedule", same), b)); linked(ps, "a", "b") {
			t.Error("entries of two conferences linked")
		}
	})
	t.Run("no conference", func(t *testing.T) {
		a, b := mk("a", "schedule", same), mk("b", "writeup", same)
		a.Conference, b.Conference = "", ""
		if ps := talks.Link([]entry.Entry{a, b}); len(ps) != 0 {
			t.Errorf("pairs without a conference: %v", ps)
		}
	})
	t.Run("href to a page every note shares", func(t *testing.T) {
		pad := "https://etherpad.example/p/netdev"
		es := withContext(
			mk("a", "blog", side{title: "Notes on TCP BBR from the hallway", content: `<a href="` + pad + `">notes</a>`}),
			mk("n1", "notes", side{title: "TCP BBR", link: pad}),
			mk("n2", "notes", side{title: "XDP workshop", link: pad}))
		if ps := talks.Link(es); linked(ps, "a", "n1") || linked(ps, "a", "n2") {
			t.Errorf("href to a shared page linked: %v", ps)
		}
	})
	t.Run("one entry per source and talk", func(t *testing.T) {
		es := withContext(mk("a", "schedule", same),
			mk("b1", "writeup", same), mk("b2", "writeup", side{title: "Making Linux TCP Fast"}))
		ps := talks.Link(es)
		if linked(ps, "a", "b1") && linked(ps, "a", "b2") {
			t.Errorf("one abstract linked to two entries of one source: %v", ps)
		}
		if !linked(ps, "a", "b1") {
			t.Errorf("the clear best (title and speaker) not linked: %v", ps)
		}
	})
	t.Run("no chain joins two talks of one source", func(t *testing.T) {
		// a1~r and a2~n are sure, r~n is likely: joining all four would
		// make a1 and a2, two talks of one schedule, one talk.
		es := withContext(
			mk("a1", "schedule", side{title: "Linux TCP fast path", speakers: []string{"Eric Dumazet"}}),
			mk("a2", "schedule", side{title: "TCP fast open in Linux", speakers: []string{"Eric Dumazet"}}),
			mk("r", "writeup", side{title: "Linux TCP fast path", speakers: []string{"Eric Dumazet"}}),
			mk("n", "notes", side{title: "TCP fast open in Linux", speakers: []string{"Eric Dumazet"}}))
		ps := talks.Link(es)
		if !linked(ps, "a1", "r") || !linked(ps, "a2", "n") {
			t.Errorf("sure pairs not linked: %v", ps)
		}
		if linked(ps, "a1", "a2") || linked(ps, "a1", "n") || linked(ps, "a2", "r") {
			t.Errorf("two talks joined: %v", ps)
		}
	})
	t.Run("a tie is no link", func(t *testing.T) {
		es := withContext(mk("a", "schedule", side{title: "Making Linux TCP fast"}),
			mk("b1", "writeup", side{title: "Making Linux TCP Fast"}), mk("b2", "writeup", side{title: "Making Linux TCP fast!"}))
		if ps := talks.Link(es); linked(ps, "a", "b1") || linked(ps, "a", "b2") {
			t.Errorf("linked one of two equal candidates: %v", ps)
		}
	})
	t.Run("a talk's traces all pair", func(t *testing.T) {
		es := withContext(mk("a", "schedule", same), mk("b", "writeup", same), mk("c", "notes", side{title: "Making Linux TCP fast"}))
		ps := talks.Link(es)
		for _, p := range [][2]string{{"a", "b"}, {"a", "c"}, {"b", "c"}} {
			if !linked(ps, p[0], p[1]) {
				t.Errorf("%s ~ %s not linked: %v", p[0], p[1], ps)
			}
		}
	})
}
