package reliability

import (
	"slices"
	"strings"
	"testing"
)

// Every vector is unsafe as written: if the checker missed one, the XSS
// sweeps could not fail on it.
func TestCheckerFlagsEveryRawVector(t *testing.T) {
	names := map[string]bool{}
	for _, v := range XSSVectors() {
		if names[v.Name] {
			t.Errorf("duplicate vector name %q", v.Name)
		}
		names[v.Name] = true
		raw := v.HTML
		if v.Evasion {
			if p := UnsafeHTML(raw, Fragment); len(p) > 0 {
				t.Errorf("%s: evasion vector %q is unsafe as written (%s): not an evasion", v.Name, raw, p[0])
			}
			raw = NaiveStrip(raw)
		}
		if p := UnsafeHTML(raw, Fragment); len(p) == 0 {
			t.Errorf("%s: %q not flagged as entry content", v.Name, v.HTML)
		}
	}
}

func TestCheckerPassesSafeHTML(t *testing.T) {
	for _, tc := range []struct {
		name, html string
		mode       Mode
	}{
		{"plain markup", `<p>XDP <a href="https://example.org/x" rel="nofollow">talk</a> <img src="https://example.org/a.png" alt="a"></p>`, Fragment},
		{"relative and mailto links", `<a href="/x">x</a> <a href="mailto:a@example.org">m</a> <a href="#top">t</a>`, Fragment},
		{"script as text", `<p>&lt;script&gt;alert(1)&lt;/script&gt; and javascript:alert(1) as prose</p>`, Fragment},
		{"title mentioning javascript", `<abbr title="javascript: the good parts">JS</abbr>`, Fragment},
		{"code with language class", `<pre><code class="language-c">if (x) { return 0; }</code></pre>`, Fragment},
		{"email document", `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
			`<style>body { color: #222 } a { color: #06c }</style></head><body><table style="width:100%"><tr><td>x</td></tr></table></body></html>`, Document},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if p := UnsafeHTML(tc.html, tc.mode); len(p) > 0 {
				t.Errorf("flagged safe HTML: %s", strings.Join(p, "; "))
			}
		})
	}
}

func TestCheckerDocumentMode(t *testing.T) {
	for _, tc := range []struct {
		name, html string
		want       string
	}{
		{"meta refresh", `<html><head><meta http-equiv="Refresh" content="0;url=http://evil.example/"></head></html>`, "refresh"},
		{"style expression", `<html><head><style>p { width: expression(alert(1)) }</style></head></html>`, "<style>"},
		{"script in body", `<html><body><script>alert(1)</script></body></html>`, "<script>"},
		{"outlook conditional script", `<html><body><!--[if mso]><script>alert(1)</script><![endif]--></body></html>`, "comment"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := UnsafeHTML(tc.html, Document)
			if !strings.Contains(strings.Join(p, "\n"), tc.want) {
				t.Errorf("problems %q, want one mentioning %q", p, tc.want)
			}
		})
	}
}

func TestURLScheme(t *testing.T) {
	for in, want := range map[string]string{
		"javascript:alert(1)":    "javascript",
		" \x01JavaScript:x":      "javascript",
		"jav\tas\ncript:x":       "javascript",
		"https://example.org/":   "https",
		"/relative:path":         "",
		"x/y:z":                  "",
		"":                       "",
		"mailto:a@example.org":   "mailto",
		"1http:x":                "",
		"data:text/html,<b>":     "data",
		"vbscript:msgbox(1)":     "vbscript",
		"java script:alert(1)":   "",
		"#frag:javascript:alert": "",
	} {
		if got := URLScheme(in); got != want {
			t.Errorf("URLScheme(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReportRoundTrip(t *testing.T) {
	r := NewReport("T", "intro", Section{Name: "A", About: "about a"}, Section{Name: "B"})
	for _, row := range []Row{
		{Section: "B", Case: "second", Expected: "x | y", Result: "ok"},
		{Section: "A", Case: "z", Expected: "e", Result: "multi\nline   result"},
		{Section: "A", Case: "a", Expected: "e", Result: "ok"},
	} {
		if err := r.Add(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Add(Row{Section: "nope"}); err == nil {
		t.Error("Add accepted an unknown section")
	}
	rows, err := ParseMarkdown(r.Markdown())
	if err != nil {
		t.Fatal(err)
	}
	if got := len(rows); got != 3 {
		t.Fatalf("parsed %d rows, want 3:\n%s", got, r.Markdown())
	}
	if rows[0].Case != "a" || rows[1].Case != "z" || rows[2].Section != "B" || rows[2].Expected != "x | y" {
		t.Errorf("rows out of order or mangled: %+v", rows)
	}
	if p := r.Compare(rows, true); len(p) != 0 {
		t.Errorf("round trip differs: %q", p)
	}

	changed := append([]Row(nil), rows...)
	changed[1].Result = "something else"
	changed = append(changed, Row{Section: "A", Case: "gone", Expected: "e", Result: "ok"})
	p := r.Compare(changed, true)
	if len(p) != 2 || !strings.Contains(p[0], "result differs") || !strings.Contains(p[1], "no test observed it") {
		t.Errorf("Compare = %q, want a differing result and a stale row", p)
	}
	if p := r.Compare(changed, false); len(p) != 1 {
		t.Errorf("filtered run: Compare = %q, want only the differing result", p)
	}
	skipped := NewReport("T", "", Section{Name: "A"}, Section{Name: "B"})
	_ = skipped.Add(Row{Section: "A", Case: "a", Expected: "e", Result: "ok"})
	skipped.MarkSkipped("A", "gone")
	if p := skipped.Compare(changed, true); len(p) != 2 || !strings.Contains(p[0], "A / z:") || !strings.Contains(p[1], "B / second:") {
		t.Errorf("skipped case: Compare = %q, want only the unobserved rows z and second reported stale", p)
	}
	skipped.KeepSkipped(changed)
	var cases []string
	for _, row := range skipped.Rows() {
		cases = append(cases, row.Case)
	}
	if !slices.Equal(cases, []string{"a", "gone"}) {
		t.Errorf("KeepSkipped kept %q, want the observed row and the skipped one", cases)
	}
	r.MarkIncomplete("A")
	if p := r.Compare(changed, true); len(p) != 1 {
		t.Errorf("incomplete section: Compare = %q, want only the differing result", p)
	}
}
