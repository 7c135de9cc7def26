package reliability

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/fetch"
	"github.com/netdigest/netdigest/normalize"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/server"
	"github.com/netdigest/netdigest/store"
	"github.com/netdigest/netdigest/templates"
)

// secretEnv names the variable the config's ${…} takes the token from.
const (
	secretEnv   = "NETDIGEST_TEST_FEED_TOKEN"
	secretToken = "PRIVATE"
)

// secretFeedJSON is a JSON Feed without a home page whose item links are
// relative: they resolve against the URL fetched, password and all.
const secretFeedJSON = `{"version": "https://jsonfeed.org/version/1.1", "title": "Members-only talks",
 "items": [
  {"id": "1", "url": "talks/1.html", "title": "Secret talk one", "date_published": "2026-11-23T10:00:00Z",
   "content_html": "<p><a href=\"slides.pdf\">slides</a> <a href=\"#notes\">notes</a></p>"},
  {"id": "2", "url": "#two", "title": "Secret talk two", "date_published": "2026-11-23T09:00:00Z"}
 ]}`

// movedAtom is what a permanent redirect (which keeps the token in its
// query) leads to: a feed with its own id, title and alternate link.
const movedAtom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>tag:talks.example,2026:moved</id><title>Moved talks</title>
<link rel="alternate" href="https://talks.example/"/><updated>2026-11-23T10:00:00Z</updated>
<entry><id>tag:talks.example,2026:m1</id><title>Moved talk</title><link href="https://talks.example/m1"/>
<updated>2026-11-23T08:00:00Z</updated><content type="html">&lt;p&gt;moved&lt;/p&gt;</content></entry></feed>`

// snapshotRSS is a local snapshot without a channel link.
const snapshotRSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Private snapshot</title><description>d</description>
<item><title>Snapshot talk</title><link>talk.html</link><guid isPermaLink="false">s1</guid>
<pubDate>Mon, 23 Nov 2026 07:00:00 +0000</pubDate><description><![CDATA[<p><img src="fig.png"> figure</p>]]></description></item>
</channel></rss>`

// secretsFetchBlock is the fetch: block of the secrets config (binaryConfig
// adds the opt-in to the 127.0.0.1 servers).
const secretsFetchBlock = "{timeout: 10s}"

// secretsConfig is a feeds.yaml whose sources carry a password and a token
// (from the environment), and local snapshots without base.
func secretsConfig(srvURL string) string {
	withSecrets := func(path string) string {
		return strings.Replace(srvURL, "http://", "http://user:S3cretPass@", 1) + path + "?token=${" + secretEnv + "}"
	}
	return binaryConfig(secretsFetchBlock, map[string]string{
		"secret":   withSecrets("/feed.json"),
		"failing":  withSecrets("/broken"),
		"moved":    withSecrets("/old"),
		"snapshot": "snapshots/private.xml",
		"lost":     "snapshots/missing.xml",
	}, "")
}

// secretsClient is the client of the in-process run, from the config as
// cmd/netdigest builds it.
func secretsClient(cfg *config.Config) *fetch.Client {
	return fetch.New(fetch.Options{Timeout: cfg.Fetch.Timeout, ConnectTimeout: cfg.Fetch.ConnectTimeout,
		MaxBodyBytes: cfg.Fetch.MaxBodyBytes, PerHost: cfg.Fetch.PerHost,
		AllowPrivateNetworks: cfg.Fetch.AllowPrivateNetworks})
}

// leaks lists the secrets found in text.
func leaks(text string, secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if strings.Contains(text, s) {
			out = append(out, s)
		}
	}
	return out
}

// cleanResult records what was checked, and fails the case on a leak.
func cleanResult(t *testing.T, rec *caseRecord, what string, text string, secrets []string, detail string) {
	t.Helper()
	if text == "" {
		t.Errorf("%s: empty output", what)
	}
	if found := leaks(text, secrets); len(found) > 0 {
		t.Errorf("%s contains %q:\n%s", what, found, text)
		rec.res("leaks %s", strings.Join(found, ", "))
		return
	}
	rec.res("none of the %d secret strings%s", len(secrets), detail)
}

var (
	atomSourceRE = regexp.MustCompile(`(?s)<source>(.*?)</source>`)
	// progressNoise is a progress line's counter and duration.
	progressNoise = regexp.MustCompile(`^\[\d+/\d+\] | \[[^]]*\]$`)
)

// atomSources summarizes the distinct <source> elements of an Atom feed.
func atomSources(feed string) string {
	seen := map[string]bool{}
	var out []string
	for _, m := range atomSourceRE.FindAllStringSubmatch(feed, -1) {
		var parts []string
		for _, el := range []string{"id", "title"} {
			if v := regexp.MustCompile(`<` + el + `[^>]*>([^<]*)</` + el + `>`).FindStringSubmatch(m[1]); v != nil {
				parts = append(parts, el+" "+v[1])
			}
		}
		if v := regexp.MustCompile(`<link href="([^"]*)"`).FindStringSubmatch(m[1]); v != nil {
			parts = append(parts, "link "+v[1])
		}
		s := strings.Join(parts, ", ")
		if !seen[s] {
			seen[s] = true
			out = append(out, "`"+s+"`")
		}
	}
	slices.Sort(out)
	return stable(strings.Join(out, "; "))
}

// TestSecrets follows a source URL with a password and a token (one from
// the environment) and local snapshots through every output: the binary's
// check, run (progress, logs, feed.atom, the digest files) and preview, and
// the web server's feeds, page and metrics over the store that run filled.
func TestSecrets(t *testing.T) {
	section(t, secSecrets)
	t.Setenv(secretEnv, secretToken)
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/feed+json")
		io.WriteString(w, secretFeedJSON)
	})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "broken", 500) })
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/new?"+r.URL.RawQuery, http.StatusMovedPermanently)
	})
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		io.WriteString(w, movedAtom)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	dir := t.TempDir()
	writeFile(t, dir, "feeds.yaml", secretsConfig(srv.URL))
	if err := os.Mkdir(filepath.Join(dir, "snapshots"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "snapshots/private.xml", snapshotRSS)

	// What no one may read; published outputs must not show the local
	// layout either (the config's directory, file: URLs).
	logSecrets := []string{"S3cretPass", secretToken, "user:", "user@", "token="}
	published := append(slices.Clone(logSecrets), dir, "file://", "private.xml")

	n := nd{bin: buildBinary(t), dir: dir}

	t.Run("check", func(t *testing.T) {
		rec := recordAt(t, 1, secSecrets, "`netdigest check` lists the sources", "each url without userinfo and query")
		out, errOut, code := n.run(t, "check")
		if code != 0 {
			t.Fatalf("check: exit %d\n%s", code, errOut)
		}
		cleanResult(t, rec, "check output", out+errOut, logSecrets, fmt.Sprintf("; shows `%s`", stable(srv.URL+"/feed.json")))
	})

	t.Run("missing variable", func(t *testing.T) {
		rec := recordAt(t, 2, secSecrets, "`${NAME}` in a url, variable not set", "config error with file:line, nothing fetched")
		cmd := n.command(context.Background(), "check")
		cmd.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, secretEnv+"=") })
		_, errOut, code := runCmd(t, cmd)
		line := ""
		for _, l := range strings.Split(errOut, "\n") {
			if strings.Contains(l, secretEnv) {
				line = strings.TrimSpace(l)
				break
			}
		}
		if code == 0 || !strings.Contains(line, "feeds.yaml:") || !strings.Contains(line, "is not set") {
			t.Errorf("check without %s: exit %d\n%s", secretEnv, code, errOut)
		}
		rec.res("exit %d: %s", code, quote(strings.Replace(line, dir, "TMP", 1)))
	})

	var runOut string
	t.Run("run", func(t *testing.T) {
		rec := recordAt(t, 3, secSecrets, "`netdigest run -v`: progress lines and logs, two sources failing",
			"errors name the url without userinfo and query")
		out, errOut, code := n.run(t, "run", "-all", "-v")
		runOut = out + errOut
		if code == 0 || !strings.Contains(runOut, `source "failing"`) || !strings.Contains(runOut, "moved permanently to") {
			t.Fatalf("run: exit %d, want a partial failure with the failing source and the redirect reported\n%s", code, runOut)
		}
		// The two lines that name a URL: an HTTP error and a redirect.
		var shown []string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, `source "failing"`) || strings.Contains(l, "moved permanently") {
				l = progressNoise.ReplaceAllString(strings.TrimSpace(l), "")
				shown = append(shown, quote(strings.Join(strings.Fields(l), " ")))
			}
		}
		slices.Sort(shown) // sources finish in any order
		cleanResult(t, rec, "run output", runOut, logSecrets, "; "+strings.Join(shown, ", "))
	})
	if runOut == "" {
		t.Fatal("run did not complete: nothing to check in the outputs")
	}

	feed, err := os.ReadFile(filepath.Join(dir, "out", "feed.atom"))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("feed.atom", func(t *testing.T) {
		rec := recordAt(t, 4, secSecrets, "feed.atom written by `run`",
			"no userinfo, query or local path; `<source>` is the origin feed's id/title/link, else the public URL, else (snapshot) no URL")
		cleanResult(t, rec, "feed.atom", string(feed), published, "; sources: "+atomSources(string(feed)))
	})

	t.Run("digest files", func(t *testing.T) {
		rec := recordAt(t, 5, secSecrets, "the digest `run` wrote (HTML and text parts)", "no userinfo, query or local path")
		var parts []string
		for _, ext := range []string{"*.html", "*.txt"} {
			files, _ := filepath.Glob(filepath.Join(dir, "out", "digests", ext))
			if len(files) != 1 {
				t.Fatalf("digest %s files: %v", ext, files)
			}
			b, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), "Secret talk one") {
				t.Errorf("%s does not list the secret source's entries", files[0])
			}
			parts = append(parts, string(b))
		}
		cleanResult(t, rec, "digest", strings.Join(parts, "\n"), published, "")
	})

	t.Run("preview", func(t *testing.T) {
		rec := recordAt(t, 6, secSecrets, "`netdigest preview secret`", "entry links resolved against the url without userinfo and query")
		out, errOut, code := n.run(t, "preview", "secret")
		if code != 0 {
			t.Fatalf("preview: exit %d\n%s", code, errOut)
		}
		if !strings.Contains(out, srv.URL+"/talks/1.html") {
			t.Errorf("preview does not show the resolved link %s:\n%s", srv.URL+"/talks/1.html", out)
		}
		cleanResult(t, rec, "preview output", out+errOut, logSecrets, "; links such as `"+stable(srv.URL+"/talks/1.html")+"`")
	})

	// The web server, and an in-process cycle (its slog records and the
	// metrics it observes), over the store that run filled.
	cfg, err := config.Load(n.config())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), cfg.Store, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs bytes.Buffer
	runner := &pipeline.Runner{Config: cfg, Store: st, Client: secretsClient(cfg), Normalizer: normalize.New(),
		Version: "reliability", Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	metrics := server.NewMetrics()
	for _, res := range runner.FetchAll(context.Background(), cfg.Sources, pipeline.FetchOptions{All: true}) {
		metrics.ObserveFetch(res)
	}
	h, err := server.New(server.Deps{Config: cfg, Runner: runner, Metrics: metrics, Templates: templates.FS})
	if err != nil {
		t.Fatal(err)
	}
	web := httptest.NewServer(h)
	defer web.Close()
	get := func(t *testing.T, path string) string {
		t.Helper()
		resp, err := http.Get(web.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
		return string(b)
	}

	t.Run("slog", func(t *testing.T) {
		rec := recordAt(t, 7, secSecrets, "slog records of a cycle (`pipeline.Runner.Log`), two sources failing", "no userinfo or query")
		if !strings.Contains(logs.String(), "fetch failed") {
			t.Errorf("no failure logged:\n%s", logs.String())
		}
		cleanResult(t, rec, "logs", logs.String(), logSecrets, fmt.Sprintf(" in %d records", strings.Count(logs.String(), "\n")))
	})
	for i, p := range []struct{ path, what string }{
		{"/feed.atom", "`/feed.atom` (served)"},
		{"/feed.rss", "`/feed.rss`"},
		{"/feed.json", "`/feed.json`"},
		{"/", "the web page `/` (source table, links, last errors)"},
		{"/digests/", "`/digests/`"},
		{"/metrics", "`/metrics` (labels)"},
	} {
		t.Run(p.path, func(t *testing.T) {
			rec := recordAt(t, 8+i, secSecrets, p.what, "no userinfo, query or local path")
			body := get(t, p.path)
			detail := ""
			if p.path == "/" {
				if !strings.Contains(body, "(the source&#39;s local file)") {
					t.Errorf("the page does not show the lost snapshot's error without its path:\n%s", body)
				}
				detail = "; a snapshot's error reads `open (the source's local file): no such file or directory`"
			}
			cleanResult(t, rec, p.path, body, published, detail)
		})
	}
}
