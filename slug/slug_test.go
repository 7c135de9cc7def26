package slug

import "testing"

func TestMake(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		// The examples.
		{"XDP", "xdp"},
		{"TLS/kTLS", "tls-ktls"},
		{"Netdev 0.1", "netdev-0-1"},
		{"LPC 2015 · Networking MC", "lpc-2015-networking-mc"},
		// Runs collapse, ends are trimmed.
		{"  --nftables//netfilter--  ", "nftables-netfilter"},
		{"io_uring/zero-copy", "io-uring-zero-copy"},
		{"Netdev 0x19", "netdev-0x19"},
		{"a", "a"},
		// Unicode: accents dropped, compatibility forms folded, other
		// scripts and symbols are separators.
		{"Économie numérique", "economie-numerique"},
		{"Toke Høiland-Jørgensen", "toke-h-iland-j-rgensen"}, // ø has no decomposition
		{"ﬁrewall ２０２６", "firewall-2026"},
		{"Netdev – 日本 2016", "netdev-2016"},
		{"İstanbul", "istanbul"},
		// Nothing to keep.
		{"", ""},
		{"   ", ""},
		{"!!!/·—…", ""},
		{"日本語", ""},
	} {
		if got := Make(tc.name); got != tc.want {
			t.Errorf("Make(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		s    string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exactly-ten", 11, "exactly-ten"},
		{"one-two-three-four", 12, "one-two"},    // cut at the dash in the second half
		{"abcdefghijklmnop-q", 10, "abcdefghij"}, // no dash in the second half: cut hard
		{"abcdefghi-jklmnop", 10, "abcdefghi"},   // a dash at the cut is not kept
		{"a-bcdefghijklmnop", 10, "a-bcdefghi"},  // a dash in the first half is not a cut point
	} {
		if got := Cut(tc.s, tc.max); got != tc.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tc.s, tc.max, got, tc.want)
		}
	}
}

func TestHashed(t *testing.T) {
	a, b := Hashed("日本語"), Hashed("中文")
	if a == b || a != Hashed("日本語") || len(a) != len("h-")+8 || a[:2] != "h-" {
		t.Errorf("Hashed: %q, %q", a, b)
	}
}
