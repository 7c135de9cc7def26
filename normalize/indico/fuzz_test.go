package indico_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/normalize/indico"
)

// FuzzIndico checks that Parse never panics and that what it returns holds
// together. Seeds: the fixture, the cases in testdata/fuzz/FuzzIndico, and
// these.
func FuzzIndico(f *testing.F) {
	f.Add(readFixture(f), "Networking Track", "")
	f.Add(readFixture(f), "", "rust mc")
	f.Add([]byte(`{"count":1,"results":[{"id":19,"url":"/event/19/","contributions":[{"id":"1","db_id":"7","title":"T",`+
		`"startDate":{"date":"2025-12-11","time":"25:61:00","tz":"Asia/Tokyo"},"speakers":[null,{"fullName":"A"}],`+
		`"track":null,"session":"S","description":"a\n\nb <br/>"}]}]}`), "s", "")
	f.Add([]byte(`{"results":[{"_type":"SessionSlot","conference":{"id":"3","title":"C"},"contributions":[]}]}`), "", "")
	f.Add([]byte(`{"_type":"HTTPAPIError","message":"nope"}`), "", "")

	f.Fuzz(func(t *testing.T, body []byte, track, session string) {
		doc, err := indico.Parse(body, "application/json", "https://indico.example/export/event/19.json?detail=contributions",
			indico.Rules{Track: track, Session: session})
		if err != nil {
			if doc != nil {
				t.Fatalf("document %+v with error %v", doc, err)
			}
			if !strings.HasPrefix(err.Error(), "parse indico: ") {
				t.Fatalf("error %q lacks the prefix", err)
			}
			return
		}
		for i, it := range doc.Items {
			if it.Link != "" {
				u, err := url.Parse(it.Link)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					t.Errorf("item %d: link %q not absolute http(s)", i, it.Link)
				}
				if it.GUID != it.Link {
					t.Errorf("item %d: guid %q, link %q", i, it.GUID, it.Link)
				}
			}
			for _, c := range it.Categories {
				if strings.TrimSpace(c) == "" {
					t.Errorf("item %d: empty category", i)
				}
			}
			for _, a := range it.Authors {
				if strings.TrimSpace(a) == "" {
					t.Errorf("item %d: empty author", i)
				}
			}
			if want := fold(track); want != "" && !containsFold(it.Categories, want) {
				t.Errorf("item %d: categories %q, filtered on track %q", i, it.Categories, track)
			}
			if want := fold(session); want != "" && !containsFold(it.Categories, want) {
				t.Errorf("item %d: categories %q, filtered on session %q", i, it.Categories, session)
			}
		}
		if len(doc.Warnings) > 21 {
			t.Errorf("%d warnings, want at most 21", len(doc.Warnings))
		}
	})
}

// fold collapses whitespace, as the filters do before comparing.
func fold(s string) string { return strings.Join(strings.Fields(s), " ") }

func containsFold(list []string, want string) bool {
	for _, s := range list {
		if strings.EqualFold(fold(s), want) {
			return true
		}
	}
	return false
}
