package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseValid(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "feeds.yaml")
	data := `
title: Linux networking
id: tag:example.org,2026:netdigest
link: https://news.example.org/
max_entries: 50
fetch:
  workers: 4
  timeout: 30s
  max_body_bytes: 1048576
sources:
  - name: bootlin
    kind: feed
    url: https://bootlin.com/feed/
    schedule: "0 */6 * * *"
    conference: Netdev 0x13
    tags: [netdev, " xdp ", XDP, ""]
  - name: local
    url: snapshots/x.xml
  - name: abs-file
    url: file:///srv/feeds/y.xml
  - name: tz
    url: http://example.org/
    schedule: "CRON_TZ=Europe/Paris @every 30m"
`
	cfg, err := Parse(path, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Store != filepath.Join(dir, DefaultStore) || cfg.Output != filepath.Join(dir, DefaultOutput) {
		t.Errorf("store/output = %q %q, want defaults next to the config", cfg.Store, cfg.Output)
	}
	if cfg.Listen != DefaultListen {
		t.Errorf("listen = %q, want the loopback default %q", cfg.Listen, DefaultListen)
	}
	if cfg.MaxEntries != 50 || cfg.Fetch.Workers != 4 || cfg.Fetch.PerHost != DefaultPerHost ||
		cfg.Fetch.Timeout != 30*time.Second || cfg.Fetch.MaxBodyBytes != 1<<20 {
		t.Errorf("settings not applied: %+v", cfg)
	}
	want := []Source{
		{Name: "bootlin", Kind: "feed", URL: "https://bootlin.com/feed/", Schedule: "0 */6 * * *",
			Conference: "Netdev 0x13", Tags: []string{"netdev", "xdp"}, Line: 11},
		{Name: "local", Kind: "feed", URL: "file://" + filepath.ToSlash(filepath.Join(dir, "snapshots/x.xml")), Schedule: "@hourly", Line: 17},
		{Name: "abs-file", Kind: "feed", URL: "file:///srv/feeds/y.xml", Schedule: "@hourly", Line: 19},
		{Name: "tz", Kind: "feed", URL: "http://example.org/", Schedule: "CRON_TZ=Europe/Paris @every 30m", Line: 21},
	}
	if len(cfg.Sources) != len(want) {
		t.Fatalf("got %d sources, want %d", len(cfg.Sources), len(want))
	}
	for i, w := range want {
		g := cfg.Sources[i]
		if g.Name != w.Name || g.Kind != w.Kind || g.URL != w.URL || g.Schedule != w.Schedule ||
			g.Conference != w.Conference || strings.Join(g.Tags, ",") != strings.Join(w.Tags, ",") || g.Line != w.Line {
			t.Errorf("source %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
	if s, ok := cfg.Source("local"); !ok || s.Name != "local" {
		t.Errorf("Source(local) = %v, %v", s, ok)
	}
}

// TestParseReportsEverything checks that one pass reports every problem with
// its line, so a person can fix the whole file at once.
func TestParseReportsEverything(t *testing.T) {
	_, err := Load("testdata/bad.yaml")
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Load = %v, want *config.Error", err)
	}
	want := []string{
		`testdata/bad.yaml:3: id "not a uri" is not an absolute URI`,
		`testdata/bad.yaml:4: link "ftp://example.org/" is not an absolute http(s) URL`,
		`testdata/bad.yaml:5: unknown key "colour" in top level`,
		`testdata/bad.yaml:6: must be a positive number, got -3`,
		`testdata/bad.yaml:9: "soon" is not a positive duration`,
		`testdata/bad.yaml:13: source "good": duplicate name (first defined at line 11)`,
		`testdata/bad.yaml:16: source "badurl": url "gopher://example.org/": scheme "gopher" not supported`,
		`testdata/bad.yaml:19: source "badcron": schedule "every tuesday":`,
		`testdata/bad.yaml:22: unknown key "tagz" in source`,
		`testdata/bad.yaml:24: source "whatkind": unknown kind "carrier-pigeon" (known: feed, html, article, text, indico)`,
		`testdata/bad.yaml:26: source has no name`,
	}
	if len(cerr.Problems) != len(want) {
		t.Errorf("got %d problems, want %d:\n%v", len(cerr.Problems), len(want), err)
	}
	msg := err.Error()
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("missing problem %q in:\n%s", w, msg)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"empty", "", "empty file"},
		{"not a mapping", "- a\n- b\n", "top level must be a mapping"},
		{"syntax", "title: [unclosed\n", "yaml: line"},
		{"missing required", "sources: []\n", "title is required"},
		{"no sources key", "title: t\nid: urn:x\nlink: http://x/\n", "sources is required"},
		{"empty sources", "title: t\nid: urn:x\nlink: http://x/\nsources: []\n", "sources is empty"},
		{"wrong type", "title: t\nid: urn:x\nlink: http://x/\nmax_entries: lots\nsources:\n  - name: a\n    url: http://x/\n", ":4: cannot unmarshal"},
		{"tags not a list", "title: t\nid: urn:x\nlink: http://x/\nsources:\n  - name: a\n    url: http://x/\n    tags: xdp\n", ":7: cannot unmarshal"},
		{"repeated key", "title: t\ntitle: u\nid: urn:x\nlink: http://x/\nsources:\n  - name: a\n    url: http://x/\n", `:2: key "title" repeated`},
		{"bad name", "title: t\nid: urn:x\nlink: http://x/\nsources:\n  - name: 'a b'\n    url: http://x/\n", `source name "a b"`},
		{"http without host", "title: t\nid: urn:x\nlink: http://x/\nsources:\n  - name: a\n    url: 'http:///feed'\n", "no host"},
		{"listen without port", "title: t\nid: urn:x\nlink: http://x/\nlisten: localhost\nsources:\n  - name: a\n    url: http://x/\n", `:4: listen "localhost" is not host:port`},
		{"listen port out of range", "title: t\nid: urn:x\nlink: http://x/\nlisten: 127.0.0.1:70000\nsources:\n  - name: a\n    url: http://x/\n", `:4: listen "127.0.0.1:70000": port`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("feeds.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseListen(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:8080", ":9000", "[::1]:8080", "0.0.0.0:80"} {
		cfg, err := Parse("feeds.yaml", []byte("title: t\nid: urn:x\nlink: http://x/\nlisten: '"+addr+"'\nsources:\n  - name: a\n    url: http://x/\n"))
		if err != nil {
			t.Errorf("listen %q: %v", addr, err)
			continue
		}
		if cfg.Listen != addr {
			t.Errorf("listen = %q, want %q", cfg.Listen, addr)
		}
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want ErrNotExist", err)
	}
}

// TestShippedConfigs keeps the repo's own configs loadable.
func TestShippedConfigs(t *testing.T) {
	for _, path := range []string{"../feeds.yaml", "../examples/offline.yaml"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if _, err := os.Stat(path); err != nil {
				t.Fatalf("shipped config missing: %v", err)
			}
			cfg, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Sources) == 0 {
				t.Error("no sources")
			}
		})
	}
}

func TestParseKinds(t *testing.T) {
	data := `title: t
id: urn:x
link: http://x/
topics:
  XDP: [xdp, "express data path", "/af_xdp/"]
  TC: [tc, traffic control]
sources:
  - name: netdev01
    kind: html
    url: https://netdevconf.info/0.1/news.html
    split:
      heading: h3
      pattern: '^(?P<date>\d{4}-\d{2}-\d{2}):\s*(?P<title>.+)$'
  - name: bootlin-html
    kind: html
    url: https://bootlin.com/blog/
    select:
      item: article.post
      title: h2.entry-title
      date: time.entry-date.published
      date_attr: datetime
      date_layout: "2006-01-02T15:04:05-07:00"
    include: [netdev, networking]
    exclude: [sponsored]
  - name: lpc2015
    kind: text
    url: https://etherpad.example.org/p/LPC2015_Networking/export/txt
    text:
      entry: '^- (?P<title>[^()]{3,60}) \((?P<speakers>[A-Z][^()]*)\)$'
      start_after: SCHEDULE
      date: 2015-08-20
  - name: lpc2025
    kind: indico
    url: https://lpc.events/export/event/19.json?detail=contributions
    indico:
      track: Networking Track
  - name: writeup
    kind: article
    url: https://nevolakernelblog.wordpress.com/2016/10/05/netdev-1-2-day-i/
    split:
      heading: .entry-content h2
`
	cfg, err := Parse("feeds.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Topics) != 2 || cfg.Topics[0].Name != "XDP" || !cfg.Topics[0].Match.Match("AF_XDP sockets") {
		t.Errorf("topics = %+v", cfg.Topics)
	}
	s := cfg.Sources
	if s[0].Split == nil || s[0].Split.Heading != "h3" || s[0].Split.Pattern.SubexpIndex("date") < 0 {
		t.Errorf("netdev01 split = %+v", s[0].Split)
	}
	if sel := s[1].Select; sel == nil || sel.Item != "article.post" || sel.DateAttr != "datetime" || len(sel.DateLayouts) != 1 {
		t.Errorf("bootlin select = %+v", sel)
	}
	if !s[1].Include.Match("Netdev 0x13") || !s[1].Exclude.Match("a sponsored post") {
		t.Error("include/exclude not compiled")
	}
	if tx := s[2].Text; tx == nil || tx.StartAfter != "SCHEDULE" || !tx.Date.Equal(time.Date(2015, 8, 20, 0, 0, 0, 0, time.UTC)) ||
		!tx.Entry.MatchString("- VRF's in Linux (Shrijeet, David)") {
		t.Errorf("lpc2015 text = %+v", tx)
	}
	if s[3].Indico == nil || s[3].Indico.Track != "Networking Track" {
		t.Errorf("indico = %+v", s[3].Indico)
	}
	if s[4].Kind != KindArticle || s[4].Split.Heading != ".entry-content h2" {
		t.Errorf("article = %+v", s[4])
	}
}

func TestParseKindErrors(t *testing.T) {
	head := "title: t\nid: urn:x\nlink: http://x/\nsources:\n  - name: a\n    url: http://x/\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"html without item or split", "    kind: html\n", "kind html needs select.item"},
		{"bad selector", "    kind: html\n    select:\n      item: 'div[['\n", `:9: selector "div[["`},
		{"bad split pattern", "    kind: html\n    split:\n      heading: h3\n      pattern: '(?P<date>['\n", ":10: pattern:"},
		{"pattern without groups", "    kind: html\n    split:\n      heading: h3\n      pattern: '^\\d+'\n", "none of the named groups date, title"},
		{"split without heading", "    kind: article\n    split:\n      pattern: '(?P<title>.*)'\n", "split needs heading"},
		{"block of another kind", "    kind: feed\n    select:\n      item: li\n", `:8: source "a": "select" does not apply to kind feed`},
		{"unknown select key", "    kind: html\n    select:\n      item: li\n      titel: h2\n", `:10: unknown key "titel" in select`},
		{"bad text date", "    kind: text\n    text:\n      date: 20 Aug 2015\n", "want YYYY-MM-DD"},
		{"bad include regexp", "    include: ['/(x/']\n", "include: pattern /(x/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("feeds.yaml", []byte(head+tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	_, err := Parse("feeds.yaml", []byte("title: t\nid: urn:x\nlink: http://x/\ntopics:\n  XDP: xdp\n  TC: ['/[/']\nsources:\n  - name: a\n    url: http://x/\n"))
	if err == nil || !strings.Contains(err.Error(), ":5: cannot unmarshal") || !strings.Contains(err.Error(), `:6: topic "TC"`) {
		t.Errorf("topics error = %v", err)
	}
}

func TestParseDigestAndMail(t *testing.T) {
	head := "title: t\nid: urn:x\nlink: https://news.example.org/\nsources:\n  - name: a\n    url: http://x/\n"
	cfg, err := Parse("feeds.yaml", []byte(head+`templates: my-templates
digest:
  schedule: "0 7 * * MON"
  subject: "{{.Count}} items"
  timezone: Europe/Paris
  unsubscribe: mailto:owner@example.org?subject=unsubscribe
mail:
  host: smtp.example.org
  port: 465
  security: tls
  username: digest
  password_env: NETDIGEST_SMTP_PASSWORD
  from: "netdigest <digest@example.org>"
  to: [alice@example.org, "Bob <bob@example.org>"]
`))
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Digest
	if d.Schedule != "0 7 * * MON" || d.Subject != "{{.Count}} items" || d.Location.String() != "Europe/Paris" ||
		d.PageURL != "https://news.example.org/" || d.FirstDays != 7 || d.SendEmpty {
		t.Errorf("digest = %+v", d)
	}
	m := cfg.Mail
	if m == nil || m.Host != "smtp.example.org" || m.Port != 465 || m.Security != "tls" || len(m.To) != 2 || m.PasswordEnv != "NETDIGEST_SMTP_PASSWORD" {
		t.Errorf("mail = %+v", m)
	}
	if !strings.HasSuffix(cfg.Templates, "my-templates") || !filepath.IsAbs(cfg.Templates) {
		t.Errorf("templates = %q", cfg.Templates)
	}

	cfg, err = Parse("feeds.yaml", []byte(head))
	if err != nil || cfg.Mail != nil || cfg.Digest.Schedule != DefaultDigestSchedule || cfg.Digest.Location != time.UTC {
		t.Errorf("defaults: %+v, %v", cfg, err)
	}

	_, err = Parse("feeds.yaml", []byte(head+`digest:
  schedule: "whenever"
  subject: "{{.Count"
  timezone: Mars/Olympus
  unsubscribe: "javascript:alert(1)"
mail:
  host: smtp.example.org
  security: ssl
  password: hunter2
  from: "not an address"
  to: []
`))
	for _, want := range []string{`:8: digest schedule "whenever"`, ":9: digest subject:", `:10: timezone "Mars/Olympus"`, ":11: unsubscribe",
		`:14: security "ssl"`, ":15: mail password must not be in the config file", `:16: from "not an address"`, "mail needs to"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), "hunter2") {
		t.Error("the error message repeats the password")
	}
}
