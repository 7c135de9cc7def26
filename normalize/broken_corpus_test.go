package normalize_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/internal/shareddata"
	"github.com/netdigest/netdigest/normalize"
)

// TestCorpusNothingLostSilently runs every file of ../shared/corpus through
// ParseFeed and Entries (what pipeline.Parse runs for a feed source) and
// reports, per class of issue #16, how many files it touches: feeds
// recovered from a break, documents warned about for holding no items, JSON
// refused as no JSON Feed, Atom Entry Documents read, and feeds whose links
// keep a fragment that tells their items apart. The entries of every
// recovered or anchored file must keep the invariants of corpus_test.go.
func TestCorpusNothingLostSilently(t *testing.T) {
	root := shareddata.Path(t, "corpus")
	n := normalize.New()
	type class struct {
		name  string
		files []string
		items int
	}
	recovered := &class{name: "recovered from a break"}
	empty := &class{name: "0-entry warnings"}
	notJSON := &class{name: "refused: not a JSON Feed"}
	entryDocs := &class{name: "Atom Entry Documents"}
	anchored := &class{name: "links keeping a fragment"}
	files := listFiles(t, root)
	for _, path := range files {
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		res, ok := runCorpusFile(t, n, raw, "", "https://feeds.example/"+rel)
		if !ok {
			continue
		}
		if res.err != nil {
			if errors.Is(res.err, normalize.ErrNotJSONFeed) {
				notJSON.files = append(notJSON.files, rel)
			}
			continue
		}
		for _, w := range res.doc.Warnings {
			switch {
			case strings.HasPrefix(w, "0 entries parsed from "):
				empty.files = append(empty.files, rel)
			case strings.Contains(w, "; recovered "):
				recovered.files = append(recovered.files, rel)
				recovered.items += len(res.doc.Items)
			}
		}
		if isAtomEntryDocument(raw) {
			entryDocs.files = append(entryDocs.files, rel)
			entryDocs.items += len(res.doc.Items)
			if len(res.doc.Items) != 1 {
				t.Errorf("%s: an Atom Entry Document gave %d items, want 1", rel, len(res.doc.Items))
			}
		}
		kept := 0
		for _, it := range res.doc.Items {
			if it.Anchor != "" {
				kept++
			}
		}
		if kept > 0 {
			anchored.files = append(anchored.files, rel)
			anchored.items += kept
		}
		if kept > 0 || (len(recovered.files) > 0 && recovered.files[len(recovered.files)-1] == rel) {
			for _, p := range invariantProblems(res.doc, res.entries) {
				t.Errorf("%s: %s", rel, p)
			}
		}
	}
	for _, c := range []*class{recovered, empty, notJSON, entryDocs, anchored} {
		for _, f := range c.files {
			t.Logf("%s: %s", c.name, f)
		}
	}
	t.Logf("issue #16 over %d corpus files: %d recovered from a break (%d complete items kept); %d with a 0-entry warning; "+
		"%d refused as not a JSON Feed; %d Atom Entry Documents (%d entries); %d with links keeping a fragment (%d items)",
		len(files), len(recovered.files), recovered.items, len(empty.files), len(notJSON.files),
		len(entryDocs.files), entryDocs.items, len(anchored.files), anchored.items)
}

// isAtomEntryDocument reports whether raw's root element is atom:entry.
func isAtomEntryDocument(raw []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(raw))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "entry" && se.Name.Space == "http://www.w3.org/2005/Atom"
		}
	}
}
