package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/opml"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/store"
)

func TestSourcesOPML(t *testing.T) {
	dir := t.TempDir()
	env := config.Env(func(string) (string, bool) { return "S3cret", true })
	cfg, err := config.ParseEnv(filepath.Join(dir, "feeds.yaml"), []byte(testConfig+`
  - name: private
    kind: feed
    url: https://bot:${TOKEN}@intranet.example/netdev.atom?key=${TOKEN}
    conference: Netdev 0x19
  - name: snapshot
    kind: html
    url: snapshots/talks.html
    select: {item: article}
`), env)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), cfg.Store, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h, err := New(Deps{Config: cfg, Runner: &pipeline.Runner{Config: cfg, Store: st}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	res, err := http.Get(srv.URL + "/sources.opml")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/x-opml; charset=utf-8" || res.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("GET /sources.opml: %s %v", res.Status, res.Header)
	}
	want, _ := opml.Marshal(pipeline.OPML(cfg))
	if string(body) != string(want) {
		t.Errorf("body is not pipeline.OPML's:\n%s", body)
	}
	doc, err := opml.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	var feeds []string
	for _, f := range doc.Walk() {
		feeds = append(feeds, f.Label()+" "+f.XMLURL)
	}
	if len(feeds) != 8 || !strings.Contains(strings.Join(feeds, "\n"), "private https://intranet.example/netdev.atom") {
		t.Errorf("outlines:\n%s", strings.Join(feeds, "\n"))
	}
	for _, secret := range []string{"S3cret", "bot", "snapshots"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("/sources.opml shows %q:\n%s", secret, body)
		}
	}

	etag := res.Header.Get("ETag")
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/sources.opml", nil)
	req.Header.Set("If-None-Match", etag)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if etag == "" || res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation with %q: %s, want 304", etag, res.Status)
	}
}
