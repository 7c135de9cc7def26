package render

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"reflect"
	"testing"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/internal/shareddata"
)

// talkEntries are the three shapes a talk takes in the outputs: a schedule's
// abstract (speakers, no author, a time ahead in the event's zone), a
// write-up (a blogger as author, the talk's speakers beside), and news.
func talkEntries(t *testing.T) []entry.Entry {
	t.Helper()
	tokyo := time.FixedZone("JST", 9*3600)
	return []entry.Entry{
		{
			ID: "https://lpc.events/event/19/contributions/2104/", Source: "lpc2025",
			Title: "Packet metadata for BPF and user space", Link: "https://lpc.events/event/19/contributions/2104/",
			FirstSeen:  time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC),
			EventStart: time.Date(2025, 12, 11, 11, 30, 0, 0, tokyo),
			EventEnd:   time.Date(2025, 12, 11, 12, 0, 0, 0, tokyo),
			Speakers:   []entry.Speaker{{Name: "Mei Lin", Affiliation: "Example Networks"}, {Name: "Jonas Berg"}},
			Session:    "Networking Track", Track: "Networking Track", Role: entry.RoleAbstract,
		},
		{
			ID: "https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#xdp", Source: "netdev12-blog",
			Title: "XDP workshop", Link: "https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/#xdp",
			Authors:   []string{"nevola"},
			Published: time.Date(2016, 10, 5, 12, 0, 0, 0, time.UTC),
			Speakers:  []entry.Speaker{{Name: "Tom Herbert"}, {Name: "Alexei Starovoitov", Affiliation: "Facebook"}},
			Role:      entry.RoleReport,
		},
		{
			ID: "https://netdevconf.info/0.1/news.html#x", Source: "netdevconf", Title: "Registration open",
			Published: time.Date(2015, 1, 5, 0, 0, 0, 0, time.UTC), Role: entry.RoleNews,
		},
	}
}

type (
	pTalkFeed struct {
		XMLName xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
		Entries []pTalkEntry `xml:"entry"`
	}
	pTalkEntry struct {
		Authors      []string `xml:"author>name"`
		Contributors []string `xml:"contributor>name"`
		Start        string   `xml:"http://purl.org/rss/1.0/modules/event/ startdate"`
		End          string   `xml:"http://purl.org/rss/1.0/modules/event/ enddate"`
	}
)

// TestAtomTalkFields: a talk's time as ev:startdate/ev:enddate in the
// Event module's namespace with the talk's own offset, speakers as authors
// of an entry that has none and as contributors beside a write-up's
// author; the feed stays valid Atom (RFC 4287's RELAX NG schema).
func TestAtomTalkFields(t *testing.T) {
	doc, err := Atom(testInfo(), talkEntries(t))
	if err != nil {
		t.Fatal(err)
	}
	if msg, ok := shareddata.ValidateAtom(t, doc); !ok {
		t.Errorf("not valid Atom: %s\n%s", msg, doc)
	}
	if !bytes.Contains(doc, []byte(`<feed xmlns="http://www.w3.org/2005/Atom" xmlns:ev="http://purl.org/rss/1.0/modules/event/">`)) {
		t.Errorf("feed root does not declare the Event namespace:\n%s", doc)
	}
	var got pTalkFeed
	if err := xml.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	want := []pTalkEntry{
		{Authors: []string{"Mei Lin (Example Networks)", "Jonas Berg"},
			Start: "2025-12-11T11:30:00+09:00", End: "2025-12-11T12:00:00+09:00"},
		{Authors: []string{"nevola"}, Contributors: []string{"Tom Herbert", "Alexei Starovoitov (Facebook)"}},
		{Authors: []string{"Netdev Conference"}},
	}
	if !reflect.DeepEqual(got.Entries, want) {
		t.Errorf("entries = %+v\nwant      %+v", got.Entries, want)
	}

	// Entries without a talk time: no namespace declared, the feed as before.
	plain, err := Atom(testInfo(), talkEntries(t)[1:])
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(plain, []byte("xmlns:ev")) || bytes.Contains(plain, []byte("ev:start")) {
		t.Errorf("Event namespace without talk times:\n%s", plain)
	}
}

// TestJSONFeedTalkFields: the talk fields in the item's _netdigest
// extension, named as entry.Entry's JSON names them.
func TestJSONFeedTalkFields(t *testing.T) {
	doc, err := JSONFeed(testInfo(), talkEntries(t))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Items []struct {
			Authors   []struct{ Name string } `json:"authors"`
			Netdigest map[string]any          `json:"_netdigest"`
		} `json:"items"`
	}
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	ext := got.Items[0].Netdigest
	want := map[string]any{
		"source": "lpc2025", "event_start": "2025-12-11T11:30:00+09:00", "event_end": "2025-12-11T12:00:00+09:00",
		"speakers": []any{map[string]any{"name": "Mei Lin", "affiliation": "Example Networks"}, map[string]any{"name": "Jonas Berg"}},
		"session":  "Networking Track", "track": "Networking Track", "role": "abstract",
	}
	if !reflect.DeepEqual(ext, want) {
		t.Errorf("item 0 _netdigest = %v\nwant %v", ext, want)
	}
	if a := got.Items[0].Authors; len(a) != 2 || a[0].Name != "Mei Lin (Example Networks)" {
		t.Errorf("item 0 authors = %v, want the speakers", a)
	}
	if r := got.Items[1].Netdigest["role"]; r != "report" {
		t.Errorf("item 1 role = %v", r)
	}
	if _, ok := got.Items[2].Netdigest["event_start"]; ok {
		t.Errorf("item 2 _netdigest = %v, want no event time", got.Items[2].Netdigest)
	}
}

// TestRSSTalkFields: the same ev: elements in RSS, namespace declared.
func TestRSSTalkFields(t *testing.T) {
	doc, err := RSS(testInfo(), talkEntries(t))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		NS    string `xml:"ev,attr"`
		Items []struct {
			Start string `xml:"http://purl.org/rss/1.0/modules/event/ startdate"`
			End   string `xml:"http://purl.org/rss/1.0/modules/event/ enddate"`
		} `xml:"channel>item"`
	}
	if err := xml.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 3 || got.Items[0].Start != "2025-12-11T11:30:00+09:00" || got.Items[0].End != "2025-12-11T12:00:00+09:00" ||
		got.Items[1].Start != "" {
		t.Errorf("items = %+v\n%s", got.Items, doc)
	}
	if !bytes.Contains(doc, []byte(`xmlns:ev="http://purl.org/rss/1.0/modules/event/"`)) {
		t.Errorf("no Event namespace declared:\n%s", doc)
	}
}
