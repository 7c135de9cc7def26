package opml

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The fixtures are in the shapes the readers' exporters write (see each
// file's header); pipeline's import test checks what they import as.
func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file  string
		title string
		// Labels of every outline Walk returns, and the labels of their
		// folders, joined by "/".
		want []string
	}{
		{"newsboat.opml", "newsboat - Exported Feeds", []string{
			"LWN.net", "Tom's R&D blog", "The Linux Kernel Archives", "内核"}},
		{"miniflux.opml", "Miniflux", []string{
			"All/Netdev Conference", "Companies/Networking/Cloudflare Blog",
			"Kernel hackers/Jesper Dangaard Brouer", "Kernel hackers/eBPF.io"}},
		{"freshrss.opml", "FreshRSS", []string{
			"Kernel & drivers/Kernel R&D notes", "Kernel & drivers/LPC blog", "Netfilter/Netfilter news",
			"Netfilter/Netdev 0x19 schedule", "Netfilter/Local notes"}},
		{"feedly.opml", "Feedly subscriptions", []string{
			"Kernel/Kernel Newbies", "XDP/netoptimizer blog", "XDP/Cilium Blog", "News/Kernel Newbies"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if doc.Head.Title != tt.title {
				t.Errorf("title = %q, want %q", doc.Head.Title, tt.title)
			}
			var got []string
			for _, f := range doc.Walk() {
				var path []string
				for _, folder := range f.Folders {
					path = append(path, folder.Label())
				}
				got = append(got, strings.Join(append(path, f.Label()), "/"))
				if f.XMLURL == "" || f.Line == 0 {
					t.Errorf("%s: xmlUrl %q, line %d: want both", f.Label(), f.XMLURL, f.Line)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("outlines:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestParseLenient(t *testing.T) {
	doc, err := Parse([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.1"><head><title>R` + "\xe9" + `seau</title></head>
<body>
<outline TEXT="a&nbsp;b" xmlurl="  https://a.example/feed  " HTMLURL="https://a.example/"/>
<outline title="only title" xmlURL="https://b.example/feed" category="/kernel, /news/weekly,,"/>
<outline text="folder"><outline text="inner" type="atom" xmlUrl="https://c.example/"/></outline>
<outline text="empty folder"/>
</body></opml>`))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Head.Title != "Réseau" || doc.Version != "1.1" {
		t.Errorf("head = %+v, version %q", doc.Head, doc.Version)
	}
	fs := doc.Walk()
	if len(fs) != 4 {
		t.Fatalf("walk = %d outlines, want 4 (3 feeds, the empty folder): %+v", len(fs), fs)
	}
	if fs[0].Label() != "a b" || fs[0].XMLURL != "https://a.example/feed" || fs[0].HTMLURL != "https://a.example/" || fs[0].Line != 4 {
		t.Errorf("attribute names in any case, HTML entities: %+v (label %q)", fs[0].Outline, fs[0].Label())
	}
	if fs[1].Label() != "only title" || !reflect.DeepEqual(fs[1].Categories(), []string{"kernel", "news/weekly"}) {
		t.Errorf("title fallback, categories: %q %q", fs[1].Label(), fs[1].Categories())
	}
	if fs[2].Type != "atom" || len(fs[2].Folders) != 1 || fs[2].Folders[0].Text != "folder" || fs[2].Line != 6 {
		t.Errorf("nested: %+v", fs[2])
	}
	if fs[3].Label() != "empty folder" || fs[3].XMLURL != "" {
		t.Errorf("empty folder: %+v", fs[3])
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", ``, "empty file"},
		{"not xml", "<opml version=\"2.0\">\n<body>\n<outline text=\"a\" xmlUrl=\"x\"\n</body></opml>", "line 4:"},
		{"unclosed", "<opml version=\"2.0\">\n<body>\n<outline text=\"a\">\n", "unexpected end of file"},
		{"an rss feed", "<?xml version=\"1.0\"?>\n\n<rss version=\"2.0\"><channel/></rss>", "line 3: not an OPML file: the root element is <rss>"},
		{"no body", "<opml version=\"2.0\">\n<head><title>x</title></head>\n</opml>", "no <body>"},
		{"undefined entity", "<opml>\n<body><outline text=\"&bogus;\"/></body></opml>", "line 2:"},
		// encoding/xml expands no entity a DTD declares: no billion laughs.
		{"dtd entity", "<!DOCTYPE opml [<!ENTITY a \"aaaa\">]>\n<opml><body><outline text=\"&a;\"/></body></opml>", "line 2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestMarshalParsesBack(t *testing.T) {
	in := &Document{Head: Head{Title: "R&D <news>", Docs: "http://opml.org/spec2.opml"}, Outlines: []Outline{
		{Text: "lwn", Title: "lwn", Type: TypeRSS, XMLURL: "https://lwn.net/headlines/rss?a=1&b=2", Category: "/kernel,/news"},
		{Text: "Netdev 0x19", Title: "Netdev 0x19", Conference: "Netdev 0x19", Outlines: []Outline{
			{Text: "netdevconf", Title: "netdevconf", HTMLURL: "https://netdevconf.info/0x19/"},
			{Text: "snapshot", Title: "snapshot"},
		}},
	}}
	data, err := Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>`,
		`<opml version="2.0" xmlns:netdigest="` + Namespace + `">`,
		`<title>R&amp;D &lt;news&gt;</title>`,
		`xmlUrl="https://lwn.net/headlines/rss?a=1&amp;b=2"`,
		`netdigest:conference="Netdev 0x19"`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %s:\n%s", want, s)
		}
	}
	out, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	clearLines(out.Outlines)
	in.Version = "2.0"
	if !reflect.DeepEqual(out, in) {
		t.Errorf("parsed back:\n got %+v\nwant %+v", out, in)
	}
	// Without a conference folder there is no namespace to declare.
	plain, _ := Marshal(&Document{Outlines: in.Outlines[:1]})
	if strings.Contains(string(plain), "xmlns") {
		t.Errorf("namespace declared with no attribute of it:\n%s", plain)
	}
}

func clearLines(os []Outline) {
	for i := range os {
		os[i].Line = 0
		clearLines(os[i].Outlines)
	}
}
