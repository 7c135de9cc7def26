package config

import (
	"errors"
	"strings"
	"testing"
)

func sourceYAML(url string, extra ...string) string {
	return "title: t\nid: urn:x\nlink: http://x/\nsources:\n  - name: a\n    url: '" + url + "'\n" + strings.Join(extra, "")
}

func mapEnv(m map[string]string) Env {
	return func(name string) (string, bool) { v, ok := m[name]; return v, ok }
}

func TestURLVariables(t *testing.T) {
	env := mapEnv(map[string]string{
		"PASS":  "S3cret:Pass@/?",
		"TOKEN": "PRIVATE &x=1",
		"USER":  "user",
		"EMPTY": "",
	})
	tests := []struct {
		name, url  string
		want       string // the URL fetched
		wantPublic string
	}{
		{"none", "https://example.org/feed?a=1", "https://example.org/feed?a=1", "https://example.org/feed"},
		{"password", "https://${USER}:${PASS}@example.org/feed", "https://user:S3cret%3APass%40%2F%3F@example.org/feed", "https://example.org/feed"},
		{"query", "https://example.org/feed.json?token=${TOKEN}&v=2", "https://example.org/feed.json?token=PRIVATE+%26x%3D1&v=2", "https://example.org/feed.json"},
		{"query before a fragment", "https://example.org/f?t=${USER}#top", "https://example.org/f?t=user#top", "https://example.org/f"},
		{"a $ alone stays", "https://example.org/$x?p=$", "https://example.org/$x?p=$", "https://example.org/$x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := ParseEnv("feeds.yaml", []byte(sourceYAML(tt.url)), env)
			if err != nil {
				t.Fatal(err)
			}
			s := cfg.Sources[0]
			if s.URL != tt.want || s.PublicURL != tt.wantPublic {
				t.Errorf("URL, PublicURL = %q, %q; want %q, %q", s.URL, s.PublicURL, tt.want, tt.wantPublic)
			}
		})
	}
}

func TestURLVariableErrors(t *testing.T) {
	env := mapEnv(map[string]string{"HOST": "example.org", "TOKEN": "PRIVATE", "EMPTY": ""})
	tests := []struct{ name, url, want string }{
		{"missing", "https://example.org/f?token=${NOPE}", "feeds.yaml:6: source \"a\": url: environment variable NOPE is not set"},
		{"empty", "https://example.org/f?token=${EMPTY}", "feeds.yaml:6: source \"a\": url: environment variable EMPTY is not set (or is empty)"},
		{"in the host", "https://${HOST}/f", "feeds.yaml:6: source \"a\": url: ${HOST} stands outside the user name, password and query"},
		{"in the path", "https://example.org/${TOKEN}/f", "${TOKEN} stands outside"},
		{"in a file path", "snapshots/${TOKEN}.html", "${TOKEN} stands outside"},
		{"malformed", "https://example.org/f?token=${TOKEN", "a ${ without a NAME}"},
		{"bad name", "https://example.org/f?token=${1X}", "a ${ without a NAME}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseEnv("feeds.yaml", []byte(sourceYAML(tt.url)), env)
			var cerr *Error
			if !errors.As(err, &cerr) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "PRIVATE") || strings.Contains(err.Error(), "example.org/f?") {
				t.Errorf("error %q shows a secret or a query", err)
			}
		})
	}
}

// TestURLErrorsShowNoSecret: a url that is wrong after expansion is named in
// its redacted form, so neither a literal password nor an expanded one is
// echoed.
func TestURLErrorsShowNoSecret(t *testing.T) {
	env := mapEnv(map[string]string{"PASS": "S3cretPass"})
	for _, u := range []string{"gopher://user:${PASS}@example.org/x?token=PRIVATE", "gopher://user:S3cretPass@example.org/?token=PRIVATE"} {
		_, err := ParseEnv("feeds.yaml", []byte(sourceYAML(u)), env)
		if err == nil || !strings.Contains(err.Error(), `scheme "gopher" not supported`) {
			t.Fatalf("error = %v, want the scheme refused", err)
		}
		for _, s := range []string{"S3cretPass", "PRIVATE", "user"} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %q contains %q", err, s)
			}
		}
	}
}

func TestPublicURL(t *testing.T) {
	tests := []struct {
		name, url, base, want string
	}{
		{"http", "http://user:S3cretPass@127.0.0.1:8080/feed.json?token=PRIVATE", "", "http://127.0.0.1:8080/feed.json"},
		{"file without base", "snapshots/talks.html", "", ""},
		{"file with base", "snapshots/talks.html", "https://example.org/talks?year=2026", "https://example.org/talks?year=2026"},
		{"http with base", "https://example.org/feed/S3cret", "https://example.org/", "https://example.org/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra := ""
			if tt.base != "" {
				extra = "    base: '" + tt.base + "'\n"
			}
			cfg, err := ParseEnv("feeds.yaml", []byte(sourceYAML(tt.url, extra)), mapEnv(nil))
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Sources[0].PublicURL; got != tt.want {
				t.Errorf("PublicURL = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBaseWithUserinfo(t *testing.T) {
	_, err := ParseEnv("feeds.yaml", []byte(sourceYAML("x.html", "    base: 'https://user:S3cretPass@example.org/'\n")), mapEnv(nil))
	if err == nil || !strings.Contains(err.Error(), `feeds.yaml:7: base "https://example.org/": no user name or password here`) {
		t.Fatalf("error = %v, want base with userinfo refused", err)
	}
	if strings.Contains(err.Error(), "S3cretPass") {
		t.Errorf("error %q shows the password", err)
	}
}

func TestEnvSecret(t *testing.T) {
	env := mapEnv(map[string]string{"SET": "v", "EMPTY": ""})
	if v, err := env.Secret("SET"); v != "v" || err != nil {
		t.Errorf("Secret(SET) = %q, %v", v, err)
	}
	for _, name := range []string{"EMPTY", "UNSET"} {
		if _, err := env.Secret(name); err == nil || !strings.Contains(err.Error(), name+" is not set") {
			t.Errorf("Secret(%s) error = %v", name, err)
		}
	}
}
