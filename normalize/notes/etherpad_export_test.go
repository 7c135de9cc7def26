package notes_test

// testdata/lpc2015-networking-export.html is a reconstruction of the pad's /export/html: the
// lines of lpc2015-networking-indented.txt rendered by a port of etherpad-lite's ExportHtml.ts
// into its export_html.html template (see the file's header comment).

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/netdigest/netdigest/normalize/notes"
)

const padHTMLExportURL = "https://etherpad.openstack.org/p/LPC2015_Networking/export/html"

// TestParseEtherpadHTMLExport: the pad's HTML export gives the document its
// text export gives, with either kind of rules: the same talks, notes,
// nesting, links and anchors, byte for byte the text export's golden file.
func TestParseEtherpadHTMLExport(t *testing.T) {
	date := time.Date(2015, 8, 20, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name  string
		rules notes.Rules
	}{
		{"by indentation", notes.Rules{StartAfter: "SCHEDULE", Date: date}},
		{"by pattern", notes.Rules{StartAfter: "SCHEDULE", Date: date, Entry: examplePattern()}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			fromText, err := notes.Parse(readFixture(t, "lpc2015-networking-indented.txt"), "text/plain; charset=utf-8", padExportURL, tt.rules)
			if err != nil {
				t.Fatal(err)
			}
			fromHTML, err := notes.Parse(readFixture(t, "lpc2015-networking-export.html"), "text/html; charset=utf-8", padHTMLExportURL, tt.rules)
			if err != nil {
				t.Fatal(err)
			}
			checkLPC2015(t, fromHTML, date)
			if !reflect.DeepEqual(fromHTML, fromText) {
				t.Errorf("HTML export:\n%+v\ntext export:\n%+v", fromHTML, fromText)
			}
		})
	}
	doc, err := notes.Parse(readFixture(t, "lpc2015-networking-export.html"), "text/html", padHTMLExportURL,
		notes.Rules{StartAfter: "SCHEDULE", Date: date})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "lpc2015-networking-indented.golden.json")
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("the HTML export's document differs from %s:\n%s", golden, buf.Bytes())
	}
}
