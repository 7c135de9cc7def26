package notes_test

// Fixtures (see testdata/README.md):
//   - testdata/lpc2015-networking.txt is the seed capture (../shared/seeds/003_*) of the LPC 2015
//     networking microconference etherpad, byte for byte: the text export of
//     https://etherpad.openstack.org/p/LPC2015_Networking (pad URL assumed) as captured, list
//     indentation lost, no final newline.
//   - testdata/lpc2015-networking-indented.txt is a reconstruction of what Etherpad's
//     /export/txt writes for the same pad with its lists intact: one tab per list level
//     and "* " (Etherpad's ExportTxt.js), talks at list level 1, notes at 2, sub-notes at 3 and 4.
//     The nesting of the notes is a reading of their meaning, not a capture.

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/internal/shareddata"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/normalize/notes"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	padExportURL = "https://etherpad.openstack.org/p/LPC2015_Networking/export/txt"
	padURL       = "https://etherpad.openstack.org/p/LPC2015_Networking"
)

// lpc2015Talks are the nine talks of the LPC 2015 networking MC notes.
var lpc2015Talks = []struct {
	title, anchor string
	speakers      []string
}{
	{"VRF's in Linux", "vrfs-in-linux", []string{"Shrijeet", "David"}},
	{"Encrypted Overlay", "encrypted-overlay", []string{"Jesse"}},
	{"eBPF in tc classifiers/actions", "ebpf-in-tc-classifiers-actions", []string{"Daniel"}},
	{"Network Virtualization with eBPF", "network-virtualization-with-ebpf", []string{"Alexei"}},
	{"ILA", "ila", []string{"Tom"}},
	{"IPv6 Routing Cache Removal", "ipv6-routing-cache-removal", []string{"Martin"}},
	{"IPv6 and 6LoWPAN only networking for sensor devices", "ipv6-and-6lowpan-only-networking-for-sensor-devices", []string{"Marcel"}},
	{"Hardware accelerated virtio using switchdev", "hardware-accelerated-virtio-using-switchdev", []string{"Varun"}},
	{"GENEVE control planes", "geneve-control-planes", []string{"John"}},
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func examplePattern() *regexp.Regexp { return regexp.MustCompile(notes.ExampleEntryPattern) }

// checkLPC2015 asserts the nine talks, in order, with their speakers,
// anchors, pad link and date.
func checkLPC2015(t *testing.T, doc *normalize.Document, date time.Time) {
	t.Helper()
	if doc.Title != "Networking Microconference Notes" {
		t.Errorf("document title = %q", doc.Title)
	}
	if doc.Link != padURL {
		t.Errorf("document link = %q, want %q", doc.Link, padURL)
	}
	if len(doc.Warnings) != 0 {
		t.Errorf("warnings = %q, want none", doc.Warnings)
	}
	if len(doc.Items) != len(lpc2015Talks) {
		var got []string
		for _, it := range doc.Items {
			got = append(got, it.Title)
		}
		t.Fatalf("%d talks, want %d: %q", len(doc.Items), len(lpc2015Talks), got)
	}
	for i, want := range lpc2015Talks {
		it := doc.Items[i]
		if it.Title != want.title || !reflect.DeepEqual(speakerNames(it), want.speakers) || it.Anchor != want.anchor {
			t.Errorf("talk %d = %q %q #%s, want %q %q #%s", i, it.Title, speakerNames(it), it.Anchor, want.title, want.speakers, want.anchor)
		}
		// The speakers are the talk's; the notes have no author. The
		// configured date is the notes' and the talk's day.
		if it.Link != padURL || !it.Published.Equal(date) || !it.EventStart.Equal(date) || it.Authors != nil || it.Role != entry.RoleNotes {
			t.Errorf("talk %d: link %q published %v event %v authors %q role %q, want %q %v %v none notes",
				i, it.Link, it.Published, it.EventStart, it.Authors, it.Role, padURL, date, date)
		}
		if !strings.HasPrefix(it.ContentHTML, "<ul><li>") {
			t.Errorf("talk %d: content %q is not a list", i, it.ContentHTML)
		}
	}
}

// noteTexts returns the text of every <li> of a talk's content, without
// that of nested lists.
func noteTexts(t *testing.T, content string) []string {
	t.Helper()
	nodes, err := html.ParseFragment(strings.NewReader(content), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "li" {
			var b strings.Builder
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.TextNode {
					b.WriteString(c.Data)
				}
			}
			out = append(out, b.String())
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return out
}

func TestParseSeedWithPattern(t *testing.T) {
	date := time.Date(2015, 8, 20, 0, 0, 0, 0, time.UTC)
	doc, err := notes.Parse(readFixture(t, "lpc2015-networking.txt"), "text/plain; charset=utf-8", padExportURL,
		notes.Rules{Entry: examplePattern(), StartAfter: "SCHEDULE", Date: date})
	if err != nil {
		t.Fatal(err)
	}
	checkLPC2015(t, doc, date)

	// Note lines that end in parentheses stay notes of their talk.
	byTitle := map[string]string{}
	for _, it := range doc.Items {
		byTitle[it.Title] = it.ContentHTML
	}
	for talk, note := range map[string]string{
		"ILA":                              "IPVLAN avoids route lookup (lwt)",
		"Encrypted Overlay":                "Key exchange could occur in user space and data exchange in the kernel (davem)",
		"Network Virtualization with eBPF": "Option: Add as metadata to skb (stacked metadata dst)",
		"VRF's in Linux":                   "2 route lookups (additional lookup in driver), tx overhead should be minimal",
	} {
		if !slicesContains(noteTexts(t, byTitle[talk]), note) {
			t.Errorf("talk %q: note %q missing from %q", talk, note, byTitle[talk])
		}
	}
	// Flat notes: one list, every line of the talk in order.
	ila := noteTexts(t, byTitle["ILA"])
	if len(ila) != 12 || ila[0] != "Split v6 address into locator and id => Network overlay without encap" ||
		ila[11] != "Issue with scale of namspaces in ILA world" {
		t.Errorf("ILA notes = %q", ila)
	}
}

func slicesContains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestFixtureIsSeed keeps the fixture honest: it is the seed, unchanged.
func TestFixtureIsSeed(t *testing.T) {
	dir := shareddata.Path(t, "seeds")
	matches, err := filepath.Glob(filepath.Join(dir, "003_*.txt"))
	if err != nil || len(matches) != 1 {
		t.Skipf("seed 003 not found in %s (%v)", dir, err)
	}
	seed, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(seed, readFixture(t, "lpc2015-networking.txt")) {
		t.Error("testdata/lpc2015-networking.txt differs from the seed capture")
	}
}

// briefLayout rewrites an Etherpad export into the layout of hand-made
// notes: talks with no indentation, "- " bullets, a tab per level below.
func briefLayout(b []byte) []byte {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "\t") {
			l = strings.Replace(l[1:], "* ", "- ", 1)
		}
		out = append(out, l)
	}
	return []byte(strings.Join(out, "\n"))
}

// speakerNames are the names of an item's speakers (notes know no
// affiliation), nil when it has none.
func speakerNames(it normalize.Item) []string {
	var out []string
	for _, s := range it.Speakers {
		if s.Affiliation != "" {
			out = append(out, s.Name+" (affiliation "+s.Affiliation+")")
			continue
		}
		out = append(out, s.Name)
	}
	return out
}

func TestParseIndented(t *testing.T) {
	indented := readFixture(t, "lpc2015-networking-indented.txt")
	seedDoc, err := notes.Parse(readFixture(t, "lpc2015-networking.txt"), "", padExportURL,
		notes.Rules{Entry: examplePattern(), StartAfter: "SCHEDULE"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		body  []byte
		rules notes.Rules
	}{
		{"etherpad export, default rules", indented, notes.Rules{StartAfter: "SCHEDULE"}},
		{"etherpad export, example pattern", indented, notes.Rules{Entry: examplePattern(), StartAfter: "schedule"}},
		{"top-level dash talks, default rules", briefLayout(indented), notes.Rules{StartAfter: "SCHEDULE"}},
		{"CRLF line endings", bytes.ReplaceAll(indented, []byte("\n"), []byte("\r\n")), notes.Rules{StartAfter: " SCHEDULE "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := notes.Parse(tt.body, "text/plain", padExportURL, tt.rules)
			if err != nil {
				t.Fatal(err)
			}
			checkLPC2015(t, doc, time.Time{})
			// The same notes as the flat capture, now nested.
			for i, it := range doc.Items {
				if got, want := noteTexts(t, it.ContentHTML), noteTexts(t, seedDoc.Items[i].ContentHTML); !reflect.DeepEqual(got, want) {
					t.Errorf("talk %q notes = %q, want %q", it.Title, got, want)
				}
			}
			ila := doc.Items[4].ContentHTML
			const ideas = "<li>Ideas:<ul><li>Fix early demux for LWT</li><li>Avoid dst reference until skb is queued</li>" +
				"<li>Avoid skb-&gt;dst altogether?</li><li>IPVLAN avoids route lookup (lwt)</li></ul></li>"
			if !strings.Contains(ila, ideas) {
				t.Errorf("ILA content does not nest the ideas:\n%s", ila)
			}
		})
	}
}

// TestParseIndentedGolden pins every field of every item of the Etherpad
// export; run with -update to rewrite the golden file.
func TestParseIndentedGolden(t *testing.T) {
	doc, err := notes.Parse(readFixture(t, "lpc2015-networking-indented.txt"), "", padExportURL,
		notes.Rules{StartAfter: "SCHEDULE", Date: time.Date(2015, 8, 20, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the content stays readable in the diff
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	golden := filepath.Join("testdata", "lpc2015-networking-indented.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("items differ from %s (run go test -update and review the diff):\n%s", golden, got)
	}
}

// TestParseThenEntries runs the items through the normalizer: one entry per
// talk, each linking to the pad at its own anchor.
func TestParseThenEntries(t *testing.T) {
	doc, err := notes.Parse(readFixture(t, "lpc2015-networking.txt"), "", padExportURL,
		notes.Rules{Entry: examplePattern(), StartAfter: "SCHEDULE"})
	if err != nil {
		t.Fatal(err)
	}
	es := normalize.New().Entries(normalize.Source{Name: "lpc2015-notes", URL: padExportURL}, doc,
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if len(es) != len(lpc2015Talks) {
		t.Fatalf("%d entries, want %d", len(es), len(lpc2015Talks))
	}
	ids := map[string]bool{}
	for i, e := range es {
		if want := padURL + "#" + lpc2015Talks[i].anchor; e.Link != want {
			t.Errorf("entry %d link = %q, want %q", i, e.Link, want)
		}
		if ids[e.ID] {
			t.Errorf("entry %d: duplicate id %q", i, e.ID)
		}
		ids[e.ID] = true
		if !strings.HasPrefix(e.Content, "<ul><li>") || e.Summary == "" {
			t.Errorf("entry %d: content %q summary %q", i, e.Content, e.Summary)
		}
	}
	if es[0].GUID != "etherpad.openstack.org/p/LPC2015_Networking/vrfs-in-linux" {
		t.Errorf("first guid = %q", es[0].GUID)
	}
}

func TestParseCases(t *testing.T) {
	tests := []struct {
		name        string
		body        string
		contentType string
		fetchURL    string
		rules       notes.Rules
		want        []string // "title [speakers] #anchor"
		content     []string // ContentHTML of each item, when checked
		warn        string   // substring of a warning
		link        string
	}{
		{
			name: "etherpad numbered list",
			body: "\t1. First talk (Ann Lee & Bo)\n\t\t1.1. a note\n\t2. Second talk (C and D; E)\n",
			want: []string{"First talk [Ann Lee Bo] #first-talk", "Second talk [C D E] #second-talk"},
		},
		{
			name:    "plain titles, bullets below, no speakers",
			body:    "Day one\n - point\nDay two\n - other\n   - deeper\n",
			want:    []string{"Day one [] #day-one", "Day two [] #day-two"},
			content: []string{"<ul><li>point</li></ul>", "<ul><li>other<ul><li>deeper</li></ul></li></ul>"},
		},
		{
			name: "same title twice gets distinct anchors",
			body: "- ILA (Tom)\n\t- a\n- ILA (Tom)\n\t- b\n- ???\n\t- c\n",
			want: []string{"ILA [Tom] #ila", "ILA [Tom] #ila-2", "??? [] #talk"},
		},
		{
			name: "repeated anchors count on, also past a title that looks numbered",
			body: "- a\n- a\n- A 2\n- a\n",
			want: []string{"a [] #a", "a [] #a-2", "A 2 [] #a-2-2", "a [] #a-3"},
			warn: "no line is indented",
		},
		{
			name:    "links in notes, markup escaped",
			body:    "* Slides (X)\n\t* see https://example.org/s.pdf. <b>bold</b> & co\n",
			want:    []string{"Slides [X] #slides"},
			content: []string{`<ul><li>see <a href="https://example.org/s.pdf">https://example.org/s.pdf</a>. &lt;b&gt;bold&lt;/b&gt; &amp; co</li></ul>`},
		},
		{
			name: "numeric character references of old exports decoded, named ones kept",
			body: "* Caf&#233; talk (J&#xF6;rg)\n\t* it&#8217;s &amp; fine\n",
			want: []string{"Café talk [Jörg] #cafe-talk"}, content: []string{"<ul><li>it’s &amp;amp; fine</li></ul>"},
		},
		{
			name:        "windows-1252 by content type",
			body:        "* Caf\xe9 (Ren\xe9e)\n\t* x\n",
			contentType: "text/plain; charset=windows-1252",
			want:        []string{"Café [Renée] #cafe"},
		},
		{
			name: "flat notes without a pattern warn",
			body: "- A (x)\n- B (y)\n",
			want: []string{"A [x] #a", "B [y] #b"},
			warn: "no line is indented",
		},
		{
			name:  "notes before the first talk are skipped with a warning",
			body:  "SCHEDULE\n\t\t* stray\n\t* Talk (Z)\n\t\t* note\n",
			rules: notes.Rules{StartAfter: "SCHEDULE"},
			want:  []string{"Talk [Z] #talk"},
			warn:  "1 indented lines before the first entry skipped",
		},
		{
			name:  "pattern without groups takes the title from the line",
			body:  "TALK: One (A, B)\nnote\nTALK: Two\n",
			rules: notes.Rules{Entry: regexp.MustCompile(`^TALK: `)},
			want:  []string{"TALK: One [A B] #talk-one", "TALK: Two [] #talk-two"},
		},
		{
			name:  "pattern: empty title skipped with its notes",
			body:  "= Talk A\nnote a\n=\nnote lost\n= Talk B\n",
			rules: notes.Rules{Entry: regexp.MustCompile(`^=\s*(?P<title>.*)$`)},
			want:  []string{"Talk A [] #talk-a", "Talk B [] #talk-b"},
			warn:  "line 3: entry without a title skipped",
		},
		{
			name:     "a file URL is the link as it is",
			body:     "* T (S)\n\t* n\n",
			fetchURL: "file:///srv/snapshots/lpc2015.txt",
			want:     []string{"T [S] #t"},
			link:     "file:///srv/snapshots/lpc2015.txt",
		},
		{
			name:     "a revision export links to the pad",
			body:     "* T (S)\n\t* n\n",
			fetchURL: "https://pad.example/p/x/42/export/txt?x=1",
			want:     []string{"T [S] #t"},
			link:     "https://pad.example/p/x",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := notes.Parse([]byte(tt.body), tt.contentType, tt.fetchURL, tt.rules)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, it := range doc.Items {
				got = append(got, it.Title+" ["+strings.Join(speakerNames(it), " ")+"] #"+it.Anchor)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("items = %q, want %q", got, tt.want)
			}
			for i, c := range tt.content {
				if i < len(doc.Items) && doc.Items[i].ContentHTML != c {
					t.Errorf("item %d content = %q, want %q", i, doc.Items[i].ContentHTML, c)
				}
			}
			if tt.warn != "" && !strings.Contains(strings.Join(doc.Warnings, "\n"), tt.warn) {
				t.Errorf("warnings = %q, want one containing %q", doc.Warnings, tt.warn)
			}
			if tt.warn == "" && len(doc.Warnings) > 0 {
				t.Errorf("unexpected warnings %q", doc.Warnings)
			}
			if tt.link != "" && (doc.Link != tt.link || doc.Items[0].Link != tt.link) {
				t.Errorf("links = %q, %q, want %q", doc.Link, doc.Items[0].Link, tt.link)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		rules  notes.Rules
		want   string
		noMore bool // wraps ErrNoEntries
	}{
		{name: "empty body", body: "", want: "parse text: empty body"},
		{name: "blank body", body: " \n\t\r\n", want: "parse text: empty body"},
		{name: "HTML page", body: "<!DOCTYPE html><html><body>Etherpad</body></html>", want: "HTML page"},
		{name: "start line missing", body: "Notes\n- a (B)\n", rules: notes.Rules{StartAfter: "SCHEDULE"}, want: `start line "SCHEDULE" not found`},
		{name: "only a preamble", body: "Notes\nSCHEDULE\n\n", rules: notes.Rules{StartAfter: "SCHEDULE"}, want: "no entries", noMore: true},
		{name: "pattern matches nothing", body: "- q: a\n- b\n", rules: notes.Rules{Entry: examplePattern()}, want: "no line matches the entry pattern", noMore: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := notes.Parse([]byte(tt.body), "", padExportURL, tt.rules)
			if err == nil {
				t.Fatalf("no error, document %+v", doc)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "parse text: ") {
				t.Errorf("error %q, want one containing %q", err, tt.want)
			}
			if errors.Is(err, notes.ErrNoEntries) != tt.noMore {
				t.Errorf("errors.Is(%v, ErrNoEntries) = %v", err, !tt.noMore)
			}
		})
	}
}

// TestExamplePatternLines pins which seed lines the example pattern takes
// for talks.
func TestExamplePatternLines(t *testing.T) {
	re := examplePattern()
	for line, want := range map[string]bool{
		"- VRF's in Linux (Shrijeet, David)":                                               true,
		"- IPv6 and 6LoWPAN only networking for sensor devices (Marcel)":                   true,
		"\t* GENEVE control planes (John)":                                                 true,
		"- Talk (Jean-Luc O'Neil and Ann Lee & Bo)":                                        true,
		"- IPVLAN avoids route lookup (lwt)":                                               false,
		"- Key exchange could occur in user space and data exchange in the kernel (davem)": false,
		"- Option: Add as metadata to skb (stacked metadata dst)":                          false,
		"- Q: Why (Tom)": false,
		"- 2 route lookups (additional lookup in driver), tx overhead should be minimal": false,
		"- A title that is far too long to be the title of a talk in these notes (Tom)":  false,
		"- ILA (Tom) and more": false,
	} {
		if got := re.MatchString(line); got != want {
			t.Errorf("%q matches = %v, want %v", line, got, want)
		}
	}
}
