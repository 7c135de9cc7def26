package config

import (
	"strings"
	"testing"

	"github.com/netdigest/netdigest/entry"
)

const talkHead = "title: t\nid: urn:x\nlink: http://x/\nsources:\n"

// TestParseTalkFields: a source's role, and a split's speakers group and
// time selector.
func TestParseTalkFields(t *testing.T) {
	cfg, err := Parse("feeds.yaml", []byte(talkHead+
		"  - name: blog\n    url: http://x/feed\n    role: report\n"+
		"  - name: news\n    kind: html\n    url: http://x/news.html\n    role: ' abstract '\n"+
		"    split:\n      heading: h3\n      pattern: '^accepted proposal - (?P<speakers>.+?) - '\n"+
		"      time: p.when time\n      time_attr: datetime\n"+
		"  - name: plain\n    url: http://x/other\n"))
	if err != nil {
		t.Fatal(err)
	}
	blog, _ := cfg.Source("blog")
	news, _ := cfg.Source("news")
	plain, _ := cfg.Source("plain")
	if blog.Role != entry.RoleReport || news.Role != entry.RoleAbstract || plain.Role != "" {
		t.Errorf("roles %q %q %q, want report, abstract, none", blog.Role, news.Role, plain.Role)
	}
	sp := news.Split
	if sp == nil || sp.Pattern == nil || sp.Pattern.SubexpIndex("speakers") < 0 || sp.Time != "p.when time" || sp.TimeAttr != "datetime" {
		t.Errorf("split = %+v", sp)
	}
}

func TestParseTalkFieldErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown role", "  - name: a\n    url: http://x/\n    role: keynote\n",
			`feeds.yaml:7: role "keynote": want one of abstract, report, notes, slides, video, news`},
		{"role not a string", "  - name: a\n    url: http://x/\n    role: [report]\n", "feeds.yaml:7: "},
		{"time selector that does not compile", "  - name: a\n    kind: html\n    url: http://x/\n    split:\n      heading: h3\n      time: 'p[['\n",
			`feeds.yaml:10: selector "p[["`},
		{"pattern without any known group", "  - name: a\n    kind: html\n    url: http://x/\n    split:\n      heading: h3\n      pattern: '^(?P<who>.+)$'\n",
			"none of the named groups date, title, speakers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("feeds.yaml", []byte(talkHead+tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
