package reliability

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/internal/shareddata"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/server"
)

// boundsFetch is the fetch configuration of the size cases: the hostile
// bounds with the body cap raised to maxBody, so the caps behind it (per
// entry, per source) are what is tested, and a total timeout that a big
// body under -race never meets.
func boundsFetch(maxBody int64) config.Fetch {
	fc := hostileFetch()
	fc.MaxBodyBytes = maxBody
	fc.Timeout = watchdog / 2
	return fc
}

// bigContent is an item body of at least n bytes of ordinary HTML, which
// differs with gen (so each fetch brings a changed item).
func bigContent(n, gen int) string {
	var b strings.Builder
	b.WriteString("<div>")
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "<h2>Part %d</h2><p>Round %d: XDP &amp; <b>eBPF</b> offload, paragraph %d of a long post.</p>\n", i, gen, i)
	}
	b.WriteString("</div>")
	return b.String()
}

func TestSizeLimits(t *testing.T) {
	section(t, secBounds)

	t.Run("9 MiB item", func(t *testing.T) {
		const fetches = 3
		rec := recordAt(t, 0, secBounds, fmt.Sprintf("a feed whose one item is 9 MiB of HTML, changed on each of %d fetches", fetches),
			"the stored content is cut at an element boundary to the 256 KiB cap, closed, and ends with a "+
				"\"Continued at the source\" link; the store does not grow with the item")
		var gen atomic.Int64
		big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := int(gen.Add(1))
			w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
			io.WriteString(w, rssFeed("Big blog", rssItem{GUID: "big", Title: "A very long post",
				Link: "https://big.example.org/post", Content: bigContent(9<<20, n)}))
		}))
		t.Cleanup(big.Close)
		good := newGoodServer(t, 3)
		h := newHarness(t, nil, boundsFetch(16<<20), feedSource("big", big.URL+"/feed"), feedSource("good", good.URL+"/feed"))

		const more = `<p><a href="https://big.example.org/post" rel="nofollow">Continued at the source…</a></p>`
		longest := 0
		for i := range fetches {
			res := h.fetchAll(t)
			if r := res["big"]; r.Err != nil || r.Counts.New+r.Counts.Updated != 1 {
				t.Fatalf("fetch %d: %+v; want the item new or updated", i+1, r)
			}
			if g := res["good"]; g.Err != nil {
				t.Errorf("good source: %v", g.Err)
			}
			all, err := h.store.Latest(context.Background(), 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range all {
				if e.Source != "big" {
					continue
				}
				if len(e.Content) > normalize.DefaultMaxContentBytes+len(more) {
					t.Errorf("fetch %d: stored content is %d bytes, over the cap %d and the link", i+1, len(e.Content), normalize.DefaultMaxContentBytes)
				}
				if !strings.HasSuffix(e.Content, "</div>"+more) || !strings.Contains(e.Content, fmt.Sprintf("Round %d:", i+1)) {
					t.Errorf("fetch %d: content ends %q; want this round's text, the div closed and the link", i+1, e.Content[max(0, len(e.Content)-200):])
				}
				longest = max(longest, len(e.Content))
			}
		}
		// A compacted copy weighs what the store holds, WAL and free pages aside.
		backup := filepath.Join(t.TempDir(), "copy.db")
		if err := h.store.Backup(context.Background(), backup); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(backup)
		if err != nil {
			t.Fatal(err)
		}
		const storeBound = 4 << 20
		if fi.Size() > storeBound {
			t.Errorf("the store holds %d bytes after %d fetches, over %d", fi.Size(), fetches, storeBound)
		}
		rec.res("%d fetches of %d MiB: stored content at most %d bytes (cap %d + the link), "+
			"ends with the closed div and the link; a backup of the store under %d MiB; good source stored", fetches, 9,
			longest, normalize.DefaultMaxContentBytes, storeBound>>20)
	})

	t.Run("300,000 items", func(t *testing.T) {
		const items = 300_000
		rec := recordAt(t, 1, secBounds, "a JSON Feed page of 300,000 dated items (16 MB)",
			"1,000 entries stored (max_items), the newest; a warning names how many were dropped and their dates")
		var b strings.Builder
		b.WriteString(`{"version":"https://jsonfeed.org/version/1.1","title":"Huge","home_page_url":"https://huge.example.org/","items":[`)
		first := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range items {
			if i > 0 {
				b.WriteByte(',')
			}
			// Oldest first, as some archives list them: the newest are at the end.
			fmt.Fprintf(&b, `{"id":"urn:huge:%d","date_published":%q}`, i, first.Add(time.Duration(i)*time.Minute).Format(time.RFC3339))
		}
		b.WriteString("]}")
		body := b.String()
		huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/feed+json")
			io.WriteString(w, body)
		}))
		t.Cleanup(huge.Close)
		good := newGoodServer(t, 3)
		h := newHarness(t, nil, boundsFetch(32<<20), feedSource("huge", huge.URL+"/feed"), feedSource("good", good.URL+"/feed"))

		res := h.fetchAll(t)["huge"]
		if res.Err != nil || res.Counts.New != normalize.DefaultMaxItems {
			t.Fatalf("result %+v; want %d new entries", res, normalize.DefaultMaxItems)
		}
		if n := h.entriesOf(t, "huge"); n != normalize.DefaultMaxItems {
			t.Errorf("stored %d entries, want %d", n, normalize.DefaultMaxItems)
		}
		all, err := h.store.Latest(context.Background(), 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		oldestKept := first.Add(time.Duration(items-normalize.DefaultMaxItems) * time.Minute)
		for _, e := range all {
			if e.Source == "huge" && e.Published.Before(oldestKept) {
				t.Errorf("kept %s of %s, older than the newest %d", e.ID, e.Published, normalize.DefaultMaxItems)
				break
			}
		}
		if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "dropped 299000") {
			t.Errorf("warnings %q; want one naming the 299000 dropped", res.Warnings)
		}
		rec.res("%d bytes, %d items: %d entries stored, all of the newest; warning %s", len(body), items, res.Counts.New, quote(strings.Join(res.Warnings, "; ")))
	})

	t.Run("control characters", func(t *testing.T) {
		// JSON escapes and character references carry what an XML parser
		// would refuse as raw bytes.
		const bad = `\u0000\u0001\u000b\u001f\ufffe\uffff\ud800`
		item := `{"id":"urn:cc:1` + bad + `","url":"https://cc.example.org/1","title":"Con` + bad + `trol &#1;characters",` +
			`"content_html":"<p>A <b>bold` + bad + `</b> &#1;&#x1F;&#xFFFE; claim</p>","summary":"Sum` + bad + `mary",` +
			`"authors":[{"name":"Ann` + bad + `"}],"tags":["xdp` + bad + `"],"date_published":"2026-11-23T10:00:00Z"}`
		feed := `{"version":"https://jsonfeed.org/version/1.1","title":"Hostile","items":[` + item + `]}`
		src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/feed+json")
			io.WriteString(w, feed)
		}))
		t.Cleanup(src.Close)
		good := newGoodServer(t, 3)
		h := newHarness(t, nil, hostileFetch(), feedSource("hostile", src.URL+"/feed"), feedSource("good", good.URL+"/feed"))
		if r := h.fetchAll(t)["hostile"]; r.Err != nil || r.Counts.New != 1 {
			t.Fatalf("result %+v; want 1 new entry", r)
		}
		handler, err := server.New(server.Deps{Runner: h.runner, Now: h.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		get := func(t *testing.T, path string) []byte {
			t.Helper()
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
			if w.Code != http.StatusOK {
				t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
			}
			return w.Body.Bytes()
		}
		const expected = "well-formed: encoding/xml reads it to the end; the text around the characters is kept"

		t.Run("RSS", func(t *testing.T) {
			rec := recordAt(t, 2, secBounds, "U+0000–U+001F, U+FFFE/U+FFFF and a lone surrogate in every field of a JSON Feed item → `/feed.rss`",
				expected+" (content:encoded is CDATA, which escapes nothing)")
			doc := get(t, "/feed.rss")
			texts, err := xmlTexts(doc, "title", "encoded")
			if err != nil {
				t.Fatalf("/feed.rss is not well-formed XML: %v", err)
			}
			title, content := pick(texts["title"], "Con"), pick(texts["encoded"], "claim")
			if !strings.HasPrefix(title, "Con") || !strings.Contains(content, "<b>bold") {
				t.Errorf("title %q, content %q: want the text kept", title, content)
			}
			rec.res("well-formed; item title %q, content:encoded %q", title, content)
		})
		t.Run("Atom", func(t *testing.T) {
			rec := recordAt(t, 3, secBounds, "the same item → `/feed.atom`", expected+"; RFC 4287's schema accepts it (xmllint, where installed)")
			doc := get(t, "/feed.atom")
			texts, err := xmlTexts(doc, "title", "content")
			if err != nil {
				t.Fatalf("/feed.atom is not well-formed XML: %v", err)
			}
			t.Run("schema", func(t *testing.T) {
				// Not a recorded case: it skips where xmllint or ../shared is absent.
				if out, ok := shareddata.ValidateAtom(t, doc); !ok {
					t.Errorf("xmllint rejects the feed: %s", out)
				}
			})
			rec.res("well-formed; entry title %q, content %q", pick(texts["title"], "Con"), pick(texts["content"], "claim"))
		})
		t.Run("JSON", func(t *testing.T) {
			rec := recordAt(t, 4, secBounds, "the same item → `/feed.json`", "valid JSON without those characters, escaped or not")
			doc := get(t, "/feed.json")
			var f struct {
				Items []struct {
					Title       string `json:"title"`
					ContentHTML string `json:"content_html"`
				} `json:"items"`
			}
			if err := json.Unmarshal(doc, &f); err != nil {
				t.Fatalf("/feed.json: %v", err)
			}
			for _, esc := range []string{`\u0000`, `\u0001`, `\u000b`, `\ufffe`, `\uffff`, `\ud800`} {
				if bytes.Contains(bytes.ToLower(doc), []byte(esc)) {
					t.Errorf("/feed.json holds %s", esc)
				}
			}
			if normalize.XMLSafe(string(doc)) != string(doc) {
				t.Error("/feed.json holds a character XML forbids")
			}
			rec.res("valid JSON; none of the characters in it")
		})
	})
}

// pick returns the first of texts containing sub, or "".
func pick(texts []string, sub string) string {
	for _, s := range texts {
		if strings.Contains(s, sub) {
			return s
		}
	}
	return ""
}

// xmlTexts reads doc to its end with encoding/xml (which refuses what XML
// 1.0 forbids, in CDATA too) and returns the text of the elements with the
// given local names.
func xmlTexts(doc []byte, names ...string) (map[string][]string, error) {
	out := map[string][]string{}
	d := xml.NewDecoder(bytes.NewReader(doc))
	var open []string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			open = append(open, tok.Name.Local)
			text.Reset()
		case xml.CharData:
			text.Write(tok)
		case xml.EndElement:
			for _, n := range names {
				if n == tok.Name.Local {
					out[n] = append(out[n], text.String())
				}
			}
			open = open[:len(open)-1]
			text.Reset()
		}
	}
}

// TestForeignFiles gives the built binary files that are not netdigest's.
func TestForeignFiles(t *testing.T) {
	section(t, secBounds)
	bin := buildBinary(t)

	t.Run("config /dev/zero", func(t *testing.T) {
		if _, err := os.Stat("/dev/zero"); err != nil {
			t.Skipf("no /dev/zero: %v", err)
		}
		rec := recordAt(t, 5, secBounds, "`netdigest check -config /dev/zero`",
			"exit 2 at once with an error naming the file and the 1 MiB limit")
		ctx, cancel := context.WithTimeout(context.Background(), watchdog)
		defer cancel()
		_, errOut, code := runCmd(t, exec.CommandContext(ctx, bin, "check", "-config", "/dev/zero"))
		if code != 2 || !strings.Contains(errOut, "/dev/zero") || !strings.Contains(errOut, "1 MiB") {
			t.Errorf("exit %d, stderr %q; want 2 and the file and limit named", code, errOut)
		}
		rec.res("exit %d: %s", code, quote(firstLine(errOut)))
	})

	t.Run("foreign SQLite file", func(t *testing.T) {
		rec := recordAt(t, 6, secBounds, "`netdigest run` on another program's SQLite file with `user_version = 3` and its own table",
			"refused before any write: exit non-zero naming the file; the file byte for byte as it was, no -wal or -shm left")
		dir := t.TempDir()
		n := nd{bin: bin, dir: dir}
		writeFile(t, dir, "feed.xml", rssFeed("Local", goodItems(1)...))
		writeFile(t, dir, "feeds.yaml", binaryConfig("", map[string]string{"local": "feed.xml"}, ""))
		db, err := sql.Open("sqlite", n.db())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine'); PRAGMA user_version = 3"); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		before := fileSum(t, n.db())
		_, errOut, code := n.run(t, "run")
		if code == 0 || !strings.Contains(errOut, "another program") {
			t.Errorf("exit %d, stderr %q; want a refusal naming another program's database", code, errOut)
		}
		if fileSum(t, n.db()) != before {
			t.Error("the file changed")
		}
		for _, suffix := range []string{"-wal", "-shm", "-journal"} {
			if _, err := os.Stat(n.db() + suffix); err == nil {
				t.Errorf("%s left beside the file", filepath.Base(n.db()+suffix))
			}
		}
		rec.res("exit %d: %s; file unchanged (SHA-256), nothing beside it", code, quote(firstLine(errOut)))
	})
}
