package keyword

import (
	"strings"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		patterns []string
		text     string
		want     bool
	}{
		{[]string{"tc"}, "Notes from the TC workshop", true},
		{[]string{"tc"}, "tc's cls_bpf infrastructure", true},
		{[]string{"tc"}, "routing, bridging, etc.", false},
		{[]string{"tc"}, "cls_tc", false}, // '_' is a word character
		{[]string{"XDP"}, "AF_XDP sockets", false},
		{[]string{"XDP", "/af_xdp/"}, "AF_XDP sockets", true},
		{[]string{"eBPF"}, "eBPF-based load balancer", true},
		{[]string{"express data path"}, "the eXpress  Data\nPath workshop", true},
		{[]string{"io_uring"}, "io_uring zero-copy receive", true},
		{[]string{"kTLS"}, "KTLS offload", true},
		{[]string{"IPv6"}, "IPv6-only networks", true},
		{[]string{"IPv6"}, "IPv66", false},
		{[]string{"Jørgensen"}, "Toke Høiland-Jørgensen", true},
		{[]string{"land"}, "Høiland", false}, // non-ASCII letters are word characters
		{[]string{"/\\bbbr(v[23])?\\b/"}, "TCP BBRv3 results", true},
		{[]string{"c++"}, "written in C++ mostly", true},
		{nil, "anything", false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.patterns, ",")+"/"+tt.text, func(t *testing.T) {
			m, err := Compile(tt.patterns)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Match(tt.text); got != tt.want {
				t.Errorf("Match(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestMatchAnyText(t *testing.T) {
	m, _ := Compile([]string{"quic"})
	if !m.Match("Feedback from Netdev 0x13", "the QUIC tutorial by Jana Iyengar") {
		t.Error("no match in the second text")
	}
	var nilMatcher *Matcher
	if nilMatcher.Match("quic") {
		t.Error("nil Matcher matched")
	}
}

func TestCompileErrors(t *testing.T) {
	for _, p := range []string{"/(unclosed/", "  "} {
		if _, err := Compile([]string{"ok", p}); err == nil {
			t.Errorf("Compile(%q) succeeded", p)
		}
	}
}
