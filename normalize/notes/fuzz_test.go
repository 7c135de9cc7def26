package notes_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/netdigest/netdigest/normalize/notes"
)

var anchorShape = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// FuzzNotes checks that Parse never panics and that what it returns holds
// together: a title on every item, unique anchors, balanced lists. Seeds:
// the fixtures, the cases in testdata/fuzz/FuzzNotes, and these.
func FuzzNotes(f *testing.F) {
	f.Add(readFixture(f, "lpc2015-networking.txt"), "SCHEDULE", true)
	f.Add(readFixture(f, "lpc2015-networking-indented.txt"), "SCHEDULE", false)
	f.Add([]byte("\t* a (B, C and D)\n\t\t* n\n\t\t\t\t* deep\n\t\t* back\n"), "", false)
	f.Add([]byte("- x ((y)\n- (z))\n\r\n\t\r- &#0;&#xFFFFFF;&#55296;\n"), "", false)
	f.Add([]byte("SCHEDULE\n  - (A)\n\t- ''' (B)\n - http://a.b/(c)).\n"), "schedule", true)
	f.Add(readFixture(f, "lpc2015-networking-export.html"), "SCHEDULE", false)
	f.Add([]byte(`<!doctype html><meta name=generator content=Etherpad><body>x<br><ul class="bullet"><li>a (B)<ul class="indent"><ul class="bullet"><li>n</ul></ul></ul><ol start="x" class="number"><li>1<br>2</ol>`), "", false)

	pattern := regexp.MustCompile(notes.ExampleEntryPattern)
	f.Fuzz(func(t *testing.T, body []byte, startAfter string, usePattern bool) {
		rules := notes.Rules{StartAfter: startAfter}
		if usePattern {
			rules.Entry = pattern
		}
		doc, err := notes.Parse(body, "", "https://pad.example/p/fuzz/export/txt", rules)
		if err != nil {
			if doc != nil {
				t.Fatalf("document %+v with error %v", doc, err)
			}
			if !strings.HasPrefix(err.Error(), "parse text: ") {
				t.Fatalf("error %q lacks the prefix", err)
			}
			return
		}
		if len(doc.Items) == 0 {
			t.Fatal("no items and no error")
		}
		anchors := map[string]bool{}
		for i, it := range doc.Items {
			if it.Title == "" || strings.ContainsAny(it.Title, "\r\n") || !utf8.ValidString(it.Title) {
				t.Errorf("item %d: title %q", i, it.Title)
			}
			if !anchorShape.MatchString(it.Anchor) || anchors[it.Anchor] {
				t.Errorf("item %d: anchor %q malformed or repeated", i, it.Anchor)
			}
			anchors[it.Anchor] = true
			for _, a := range it.Authors {
				if a == "" || strings.ContainsAny(a, ",&\n") {
					t.Errorf("item %d: author %q", i, a)
				}
			}
			c := it.ContentHTML
			if strings.Count(c, "<ul>") != strings.Count(c, "</ul>") || strings.Count(c, "<li>") != strings.Count(c, "</li>") {
				t.Errorf("item %d: unbalanced lists %q", i, c)
			}
			if it.Link != "https://pad.example/p/fuzz" {
				t.Errorf("item %d: link %q", i, it.Link)
			}
		}
		if len(doc.Warnings) > 21 {
			t.Errorf("%d warnings, want at most 21", len(doc.Warnings))
		}
	})
}
