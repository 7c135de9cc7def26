package notes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEtherpadText: etherpad's HTML export becomes the lines its text
// export has (ExportTxt.ts: a tab per list level, "* " or "N. ").
func TestEtherpadText(t *testing.T) {
	const head = `<!doctype html><html><head><title>p</title><meta name="generator" content="Etherpad"/></head><body>`
	tests := []struct {
		name, html, want string
		ok               bool
	}{
		{"plain lines", head + "Notes<br>Rules<br><br>End<br></body></html>", "Notes\nRules\n\nEnd\n", true},
		{"nested bullets as ExportHtml nests them", head +
			`<ul class="bullet"><li>Talk (A)<ul class="bullet"><li>note</li><li>q<ul class="bullet"><li>a</ul><li>n2</ul></li></ul>after<br>`,
			"\t* Talk (A)\n\t\t* note\n\t\t* q\n\t\t\t* a\n\t\t* n2\nafter\n", true},
		{"a skipped level", head + `<ul class="bullet"><li>top<ul class="bullet"><ul class="bullet"><li>deep</ul></ul></li></ul>`,
			"\t* top\n\t\t\t* deep\n", true},
		{"indent lists: tabs, no marker", head + `<ul class="indent"><li>in<ul class="indent"><li>deeper</ul></li></ul>`,
			"\tin\n\t\tdeeper\n", true},
		{"numbered lists", head + `<ol class="number"><li>one<ol start="1" class="number"><li>sub</li><li>sub2</ol></li><li>two</li></ol><ol start="3" class="number"><li>three</li></ol>`,
			"\t1. one\n\t\t1.1. sub\n\t\t1.2. sub2\n\t2. two\n\t3. three\n", true},
		{"spaces, references, inline markup", head + "&nbsp;x&nbsp; y&nbsp;<br><b>bold</b> <a href=\"https://x.example/\" rel=\"noreferrer noopener\">https:&#x2F;&#x2F;x.example&#x2F;</a> VRF&#x27;s &#8217;<br>",
			" x  y \nbold https://x.example/ VRF's ’\n", true},
		{"no generator meta: the lists and <br> tell", "<!DOCTYPE html><html><body>Notes<br><ul class=\"bullet\"><li>a</li></ul></body></html>",
			"Notes\n\t* a\n", true},
		{"another HTML page", "<!DOCTYPE html><html><body><p>Etherpad</p><ul><li>x</li></ul></body></html>", "", false},
		{"a page with <br> only", "<!DOCTYPE html><html><body>a<br>b</body></html>", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := etherpadText([]byte(tt.html))
			if ok != tt.ok || string(got) != tt.want {
				t.Errorf("got %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestEtherpadTextFixture: the reconstructed HTML export turns into the
// reconstructed text export byte for byte.
func TestEtherpadTextFixture(t *testing.T) {
	h, err := os.ReadFile(filepath.Join("testdata", "lpc2015-networking-export.html"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join("testdata", "lpc2015-networking-indented.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got, ok := etherpadText(h)
	if !ok {
		t.Fatal("not recognised as an etherpad export")
	}
	if string(got) != string(want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("line %d: %q, want %q", i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%d lines, want %d", len(gl), len(wl))
	}
}
