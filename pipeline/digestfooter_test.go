package pipeline

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/store"
)

// TestDigestFooterLinksItsArchivePage: each digest's footer, in both parts,
// links its own archive page (<link>digests/<id>), also for a digest whose
// id took a "-2" suffix because another had its second.
func TestDigestFooterLinksItsArchivePage(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "n.db"), clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := digestRunner(t, st, clk, nil)
	addEntries(t, st, clk, "f", 2)
	var ids []string
	for range 2 { // the same second: the second digest is <id>-2
		res, err := r.Digest(ctx, DigestOptions{Dir: t.TempDir(), Since: clk.Now().Add(-24 * time.Hour)})
		if err != nil || res.Digest == nil {
			t.Fatalf("digest: %+v, %v", res, err)
		}
		d := res.Digest
		ids = append(ids, d.ID)
		archive := "https://news.example.org/digests/" + d.ID
		_, foot, _ := strings.Cut(d.HTML, `class="nd-foot"`)
		if !strings.Contains(foot, `<a href="`+archive+`"`) {
			t.Errorf("digest %s: the HTML footer does not link %s:\n%s", d.ID, archive, foot)
		}
		_, textFoot, _ := strings.Cut(d.Text, "\n-- \n")
		if !strings.Contains(textFoot, "Read it on the web: "+archive+"\n") {
			t.Errorf("digest %s: the text footer does not link %s:\n%s", d.ID, archive, textFoot)
		}
		if string(res.Rendered.HTML) != d.HTML {
			t.Errorf("digest %s: the result's rendering is not the one recorded", d.ID)
		}
	}
	if ids[1] != ids[0]+"-2" {
		t.Errorf("ids %q, want the second to be the first's -2", ids)
	}
}
