package render

import (
	"encoding/json"
	"encoding/xml"
	"reflect"
	"testing"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/internal/shareddata"
)

// linkedEntries are talkEntries with the schedule's abstract and the
// write-up linked as one talk (as the store fills Related), and a trace
// without a link (nothing to point to).
func linkedEntries(t *testing.T) []entry.Entry {
	es := talkEntries(t)
	abstract, report := es[0], es[1]
	es[0].Related = []entry.Related{
		{ID: report.ID, Link: report.Link, Source: report.Source, Role: report.Role, Title: report.Title},
		{ID: "urn:pad", Source: "netdevconf", Role: entry.RoleNotes, Title: "Notes"},
	}
	es[1].Related = []entry.Related{{ID: abstract.ID, Link: abstract.Link, Source: abstract.Source, Role: abstract.Role, Title: abstract.Title}}
	return es
}

type pRelLink struct {
	Href  string `xml:"href,attr"`
	Rel   string `xml:"rel,attr"`
	Title string `xml:"title,attr"`
}

// TestAtomRelated: each other trace of a talk is a <link rel="related">
// titled with its source (the configured title when there is one), after
// the entry's own alternate link; the feed stays valid Atom.
func TestAtomRelated(t *testing.T) {
	info := testInfo()
	info.Sources["netdev12-blog"] = SourceInfo{Title: "Netdev 1.2 write-ups"}
	es := linkedEntries(t)
	doc, err := Atom(info, es)
	if err != nil {
		t.Fatal(err)
	}
	if msg, ok := shareddata.ValidateAtom(t, doc); !ok {
		t.Errorf("not valid Atom: %s\n%s", msg, doc)
	}
	var got struct {
		Entries []struct {
			Links []pRelLink `xml:"link"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	want := [][]pRelLink{
		{{Href: es[0].Link, Rel: "alternate"}, {Href: es[1].Link, Rel: "related", Title: "Netdev 1.2 write-ups"}},
		{{Href: es[1].Link, Rel: "alternate"}, {Href: es[0].Link, Rel: "related", Title: "lpc2025"}},
		nil,
	}
	for i, e := range got.Entries {
		if !reflect.DeepEqual(e.Links, want[i]) {
			t.Errorf("entry %d links %+v, want %+v", i, e.Links, want[i])
		}
	}
}

// TestJSONFeedRelated: the same traces under _netdigest.related, the one
// without a link kept (it has an id and a source).
func TestJSONFeedRelated(t *testing.T) {
	es := linkedEntries(t)
	doc, err := JSONFeed(testInfo(), es)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Items []struct {
			Netdigest *struct {
				Related []map[string]string `json:"related"`
			} `json:"_netdigest"`
		} `json:"items"`
	}
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	want := [][]map[string]string{
		{{"id": es[1].ID, "url": es[1].Link, "title": "XDP workshop", "source": "netdev12-blog", "role": "report"},
			{"id": "urn:pad", "title": "Notes", "source": "netdevconf", "role": "notes"}},
		{{"id": es[0].ID, "url": es[0].Link, "title": es[0].Title, "source": "lpc2025", "role": "abstract"}},
		nil,
	}
	for i, it := range got.Items {
		var rel []map[string]string
		if it.Netdigest != nil {
			rel = it.Netdigest.Related
		}
		if !reflect.DeepEqual(rel, want[i]) {
			t.Errorf("item %d related %v, want %v", i, rel, want[i])
		}
	}
}
