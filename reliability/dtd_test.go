package reliability

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/netdigest/netdigest/config"
)

// attackerSecret is what the entity server answers: it must never appear
// in netdigest's output (and the server must never be asked).
const attackerSecret = "ATTACKER-SECRET-7f3a"

// laughs declares the billion laughs entities (10^9 "lol" at lol9).
func laughs() string {
	var b strings.Builder
	b.WriteString(`<!ENTITY lol "lol">` + "\n")
	prev := "lol"
	for i := 1; i <= 9; i++ {
		name := fmt.Sprintf("lol%d", i)
		fmt.Fprintf(&b, `<!ENTITY %s "%s">`+"\n", name, strings.Repeat("&"+prev+";", 10))
		prev = name
	}
	return b.String()
}

func rssWith(doctype, title, description string) string {
	return `<?xml version="1.0"?>
` + doctype + `
<rss version="2.0"><channel><title>DTD</title><link>https://dtd.example.org/</link><description>d</description>
<item><title>` + title + `</title><link>https://dtd.example.org/1</link><guid isPermaLink="false">d1</guid>
<pubDate>Mon, 23 Nov 2026 10:00:00 +0000</pubDate><description>` + description + `</description></item>
</channel></rss>`
}

func atomWith(doctype, title, content string) string {
	return `<?xml version="1.0"?>
` + doctype + `
<feed xmlns="http://www.w3.org/2005/Atom"><title>DTD</title><id>urn:dtd</id><updated>2026-11-23T10:00:00Z</updated>
<entry><title>` + title + `</title><id>urn:dtd:1</id><updated>2026-11-23T10:00:00Z</updated>
<link href="https://dtd.example.org/1"/><content type="html">` + content + `</content></entry></feed>`
}

func TestXMLEntities(t *testing.T) {
	section(t, secDTD)
	var hits atomic.Int64
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if strings.HasSuffix(r.URL.Path, ".dtd") || r.URL.Path == "/param" {
			fmt.Fprintf(w, `<!ENTITY secret "%s">`, attackerSecret)
			return
		}
		fmt.Fprint(w, attackerSecret)
	}))
	defer attacker.Close()
	evil := attacker.URL

	// A quadratic blowup: one 50 KB entity referenced 4,000 times (200 MB
	// if expanded) in an 80 KB document.
	big := strings.Repeat("a", 50_000)
	quadratic := strings.Repeat("&big;", 4000)

	cases := []struct {
		name, expected, doc string
	}{
		{"billion laughs (RSS)", "no expansion", rssWith("<!DOCTYPE rss [\n"+laughs()+"]>", "Laughs &lol9;", "&lol9;")},
		{"billion laughs (Atom)", "no expansion", atomWith("<!DOCTYPE feed [\n"+laughs()+"]>", "Laughs &lol9;", "&lol9;")},
		{"quadratic blowup", "no expansion", rssWith(`<!DOCTYPE rss [<!ENTITY big "`+big+`">]>`, "Quadratic", quadratic)},
		{"external entity file:///etc/passwd (RSS)", "no file content in any output",
			rssWith(`<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`, "XXE &xxe;", "&xxe;")},
		{"external entity file:///etc/passwd (Atom content)", "no file content in any output",
			atomWith(`<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`, "XXE &xxe;", "&xxe;")},
		{"external entity http://127.0.0.1", "no request to the entity's server",
			rssWith(`<!DOCTYPE rss [<!ENTITY xxe SYSTEM "`+evil+`/x">]>`, "XXE &xxe;", "&xxe;")},
		{"external DTD http://127.0.0.1", "no request to the DTD's server",
			rssWith(`<!DOCTYPE rss SYSTEM "`+evil+`/evil.dtd">`, "DTD &secret;", "&secret;")},
		{"parameter entity http://127.0.0.1", "no request to the entity's server",
			rssWith(`<!DOCTYPE rss [<!ENTITY % remote SYSTEM "`+evil+`/param"> %remote;]>`, "Param &secret;", "&secret;")},
		{"XInclude of file:///etc/passwd", "not processed: no file content",
			rssWith("", "XInclude", `<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd" parse="text"/>`)},
	}

	// /etc/passwd's first line, to look for in the output; any Linux has root.
	passwd := "root:x:0:0"
	if data, err := os.ReadFile("/etc/passwd"); err == nil && len(data) > 0 {
		passwd = strings.SplitN(string(data), "\n", 2)[0]
	}

	docs := http.NewServeMux()
	var sources []config.Source
	for i, c := range cases {
		path := fmt.Sprintf("/doc%d", i)
		// Distinct links and ids, or the store would merge the entries.
		doc := strings.NewReplacer("https://dtd.example.org/1", fmt.Sprintf("https://dtd.example.org/%d", i),
			"urn:dtd:1", fmt.Sprintf("urn:dtd:%d", i)).Replace(c.doc)
		docs.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprint(w, doc)
		})
	}
	srv := httptest.NewServer(docs)
	defer srv.Close()
	for i := range cases {
		sources = append(sources, feedSource(fmt.Sprintf("dtd%d", i), fmt.Sprintf("%s/doc%d", srv.URL, i)))
	}
	h := newHarness(t, nil, hostileFetch(), sources...)
	results := h.fetchAll(t)
	feed, err := h.runner.RenderFeed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	stored, err := h.store.Latest(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}

	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := recordAt(t, i, secDTD, c.name, c.expected+"; no file or network access; the run completes")
			name := fmt.Sprintf("dtd%d", i)
			res := results[name]
			var out []string
			for _, e := range stored {
				if e.Source != name {
					continue
				}
				for field, v := range map[string]string{"title": e.Title, "content": e.Content, "summary": e.Summary} {
					if strings.Contains(v, passwd) || strings.Contains(v, attackerSecret) {
						t.Errorf("%s holds external content: %q", field, v)
					}
					if strings.Contains(v, "lollollol") || strings.Contains(v, big[:1000]) || len(v) > 64<<10 {
						t.Errorf("%s expanded: %d bytes", field, len(v))
					}
				}
				out = append(out, fmt.Sprintf("title %q", e.Title))
			}
			switch {
			case res.Err != nil:
				rec.res("refused: %s", quote(res.Err.Error()))
			case len(out) == 0:
				t.Errorf("no entry and no error: %+v", res)
			default:
				rec.res("parsed, nothing expanded: %s", strings.Join(out, ", "))
			}
		})
	}
	t.Run("all outputs", func(t *testing.T) {
		rec := recordAt(t, len(cases), secDTD, "every document above, in one run",
			"the rendered Atom feed holds neither file nor server content; the servers named by the entities get no request")
		if strings.Contains(string(feed), passwd) || strings.Contains(string(feed), attackerSecret) {
			t.Error("the Atom feed holds external content")
		}
		if n := hits.Load(); n != 0 {
			t.Errorf("the entity server was asked %d times", n)
		}
		if len(feed) > 1<<20 {
			t.Errorf("feed is %d bytes: something expanded", len(feed))
		}
		rec.res("held: %d requests to the entity server, no external content, feed of %d entries", hits.Load(), len(stored))
	})
}
