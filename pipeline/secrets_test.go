package pipeline

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/render"
	"github.com/netdigest/netdigest/store"
)

// secretFeed has no channel link, so relative item links resolve against
// the URL the feed was fetched from.
const secretFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Secret &amp; feed</title><description>d</description>
<item><title>Relative</title><link>post-1.html</link><guid isPermaLink="false">1</guid><pubDate>Mon, 25 Mar 2019 10:00:00 +0000</pubDate>
<description><![CDATA[<a href="post-1.html#more">more</a> <a href="#top">top</a>]]></description></item>
<item><title>Fragment</title><link>#b</link><pubDate>Mon, 25 Mar 2019 11:00:00 +0000</pubDate></item>
</channel></rss>`

// secretSources parses a config whose source URL carries a password and a
// token (the token from the environment), as a user would write it.
func secretSources(t *testing.T, srvURL string) []config.Source {
	t.Helper()
	u := strings.Replace(srvURL, "http://", "http://user:S3cretPass@", 1) + "/feed.xml?token=${TOKEN}"
	yaml := "title: t\nid: urn:x\nlink: http://127.0.0.1/\nsources:\n  - name: secret\n    url: '" + u + "'\n"
	cfg, err := config.ParseEnv("feeds.yaml", []byte(yaml), func(name string) (string, bool) {
		return "PRIVATE", name == "TOKEN"
	})
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Sources
}

// TestSecretsStayOutOfEntriesAndFeed: links made from the fetch URL carry
// neither its userinfo (url.ResolveReference keeps it) nor its query ("#b"
// keeps it), and the merged feed names the source by its feed's own title
// and its public URL.
func TestSecretsStayOutOfEntriesAndFeed(t *testing.T) {
	fs := &feedServer{body: secretFeed}
	ts := httptest.NewServer(fs)
	defer ts.Close()
	h := newHarness(t, secretSources(t, ts.URL)...)
	if res := h.fetchAll(t, true)["secret"]; res.Err != nil || res.Counts.New != 2 {
		t.Fatalf("fetch: %+v", res)
	}
	entries, err := h.store.Latest(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]string{}
	for _, e := range entries {
		links[e.Title] = e.Link
		for _, s := range []string{"S3cretPass", "PRIVATE", "user"} {
			if strings.Contains(e.ID+e.Link+e.Content+e.Summary, s) {
				t.Errorf("entry %q carries %q: id %q link %q content %q", e.Title, s, e.ID, e.Link, e.Content)
			}
		}
	}
	if want := ts.URL + "/post-1.html"; links["Relative"] != want {
		t.Errorf("relative link = %q, want %q", links["Relative"], want)
	}
	if want := ts.URL + "/feed.xml"; links["Fragment"] != want {
		t.Errorf("fragment link = %q, want %q", links["Fragment"], want)
	}

	st, err := h.store.SourceState(context.Background(), "secret")
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.FeedMeta{Title: "Secret & feed"}); st.Feed != want {
		t.Errorf("feed meta = %+v, want %+v", st.Feed, want)
	}

	feed, err := h.runner.RenderFeed(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"S3cretPass", "PRIVATE", "user:", "token"} {
		if strings.Contains(string(feed), s) {
			t.Errorf("feed.atom contains %q:\n%s", s, feed)
		}
	}
	if want := "<id>" + ts.URL + "/feed.xml</id>"; !strings.Contains(string(feed), want) {
		t.Errorf("feed.atom has no %s:\n%s", want, feed)
	}
	if !strings.Contains(string(feed), `<title type="text">Secret &amp; feed</title>`) {
		t.Errorf("feed.atom does not name the source by its feed's title:\n%s", feed)
	}
}

// TestSourceInfos: a state recorded for another URL says nothing of the
// source configured now.
func TestSourceInfos(t *testing.T) {
	meta := store.FeedMeta{ID: "urn:old", Title: "Old", Link: "https://old.example/"}
	sources := []config.Source{
		{Name: "same", URL: "https://a.example/feed?token=x", PublicURL: "https://a.example/feed"},
		{Name: "moved", URL: "https://b.example/feed", PublicURL: "https://b.example/feed"},
		{Name: "snapshot", URL: "file:///srv/snap.xml"},
	}
	states := []store.SourceState{
		{Name: "same", URL: "https://a.example/feed?token=x", Feed: meta},
		{Name: "moved", URL: "https://b.example/old-feed", Feed: meta},
	}
	got := SourceInfos(sources, states)
	want := map[string]render.SourceInfo{
		"same":     {Title: "same", URL: "https://a.example/feed", FeedID: "urn:old", FeedTitle: "Old", FeedLink: "https://old.example/"},
		"moved":    {Title: "moved", URL: "https://b.example/feed"},
		"snapshot": {Title: "snapshot"},
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %+v, want %+v", name, got[name], w)
		}
	}
}
