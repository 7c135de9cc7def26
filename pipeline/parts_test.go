package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/store"
)

const partsConfig = `
title: netdigest — Linux networking news
id: tag:netdigest.example,2026:feed
link: https://netdigest.example/news
topics:
  XDP: [xdp]
  TLS/kTLS: [ktls]
  TLS kTLS: [tls13] # the same slug: one part, titled by the first
  "日本語": [nihongo]
sources:
  - name: a
    url: https://a.example/feed
    conference: Netdev 0.1
  - name: b
    url: https://b.example/feed
    conference: LPC 2015 · Networking MC
`

// partsRunner is a Runner over a store holding entries as normalize tags
// them: categories and topic names merged ignoring case, first spelling kept.
func partsRunner(t *testing.T) *Runner {
	t.Helper()
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "feeds.yaml"), []byte(partsConfig))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	st, err := store.Open(context.Background(), cfg.Store, func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := func(id, source, conf string, day int, tags ...string) entry.Entry {
		d := time.Date(2026, 11, day, 9, 0, 0, 0, time.UTC)
		return entry.Entry{ID: "urn:" + id, Source: source, Title: id, Link: "https://x.example/" + id,
			Published: d, Updated: d, Conference: conf, Tags: tags, ContentHash: id}
	}
	save := func(source string, es ...entry.Entry) {
		if _, err := st.SaveFetch(context.Background(), store.SourceState{Name: source}, es); err != nil {
			t.Fatal(err)
		}
	}
	save("a",
		e("a1", "a", "Netdev 0.1", 1, "XDP"),
		e("a2", "a", "netdev 0.1", 2, "xdp"),              // another spelling of the same slug
		e("a3", "a", "Netdev 0x19", 3, "TLS kTLS"),        // a conference no source declares
		e("a4", "a", "", 4, "tls-ktls", "Bluetooth"),      // a tag no topic names
		e("a5", "a", "", 5, "日本語"),                        // a topic whose name has no a-z0-9
		e("a6", "a", "Netdev 0.1", 6, "X.D.P", "nihongo"), // X.D.P has the slug x-d-p: not XDP
	)
	save("b", e("b1", "b", "LPC 2015 · Networking MC", 7, "XDP"))
	return &Runner{Config: cfg, Store: st, Version: "test", Now: func() time.Time { return at }}
}

func TestParts(t *testing.T) {
	r := partsRunner(t)
	ctx := context.Background()
	type want struct{ slug, name string }
	for _, tc := range []struct {
		kind string
		want []want
	}{
		// Config order; the stored tags add spellings, never topics.
		{PartTopics, []want{{"xdp", "XDP"}, {"tls-ktls", "TLS/kTLS"}, {PartSlug("日本語"), "日本語"}}},
		// The sources' conferences first, then those only entries name.
		{PartConferences, []want{{"netdev-0-1", "Netdev 0.1"}, {"lpc-2015-networking-mc", "LPC 2015 · Networking MC"}, {"netdev-0x19", "Netdev 0x19"}}},
	} {
		parts, err := r.Parts(ctx, tc.kind)
		if err != nil {
			t.Fatal(err)
		}
		var got []want
		for _, p := range parts {
			got = append(got, want{p.Slug, p.Name})
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.kind, got, tc.want)
		}
	}
	long := strings.Repeat("Netdev ", 2000)
	if s := PartSlug(long); len(s) > maxPartSlug || !strings.HasPrefix(s, "netdev-netdev") || strings.HasSuffix(s, "-") {
		t.Errorf("PartSlug of a %d-byte name: %d bytes %q", len(long), len(s), s)
	}
	if s := PartSlug("日本語"); s == "" || s == PartSlug("中文") {
		t.Errorf("PartSlug of a name without a-z0-9: %q", s)
	}

	for _, tc := range []struct {
		kind, name string
		ids        []string
	}{
		// Same slug, one part: "xdp" is XDP; "X.D.P" (x-d-p) is not.
		{PartTopics, "XDP", []string{"urn:b1", "urn:a2", "urn:a1"}},
		{PartTopics, "tls/ktls", []string{"urn:a4", "urn:a3"}},
		{PartTopics, "日本語", []string{"urn:a5"}},
		{PartConferences, "Netdev 0.1", []string{"urn:a6", "urn:a2", "urn:a1"}},
		{PartConferences, "NETDEV 0x19", []string{"urn:a3"}},
	} {
		p, _, err := r.FindPartByName(ctx, tc.kind, tc.name)
		if err != nil {
			t.Fatalf("%s %q: %v", tc.kind, tc.name, err)
		}
		es, err := r.PartEntries(ctx, p, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range es {
			ids = append(ids, e.ID)
		}
		if !slices.Equal(ids, tc.ids) {
			t.Errorf("%s %q: entries %q, want %q", tc.kind, tc.name, ids, tc.ids)
		}
	}

	for _, tc := range []struct{ kind, slug string }{
		{PartTopics, "bluetooth"}, // a tag, not a topic
		{PartTopics, "x-d-p"},
		{PartTopics, ""},
		{PartConferences, "netdev"},
		{"talks", "xdp"},
	} {
		_, known, err := r.FindPart(ctx, tc.kind, tc.slug)
		if err == nil {
			t.Errorf("%s/%s found", tc.kind, tc.slug)
		}
		if tc.kind != "talks" && (!errors.Is(err, ErrNoPart) || len(known) != 3) {
			t.Errorf("%s/%s: %v, %d known; want ErrNoPart and the 3 known", tc.kind, tc.slug, err, len(known))
		}
	}
}

func TestPartFeedInfo(t *testing.T) {
	r := partsRunner(t)
	p, _, err := r.FindPartByName(context.Background(), PartConferences, "LPC 2015 · Networking MC")
	if err != nil {
		t.Fatal(err)
	}
	info := r.FeedInfo(&p, p.File("rss"), nil)
	for _, c := range []struct{ what, got, want string }{
		{"id", info.ID, "tag:netdigest.example,2026:feed/conferences/lpc-2015-networking-mc"},
		{"title", info.Title, "netdigest — LPC 2015 · Networking MC"},
		{"self", info.SelfLink, "https://netdigest.example/news/conferences/lpc-2015-networking-mc.rss"},
		{"alternate", info.Link, "https://netdigest.example/news/conferences/lpc-2015-networking-mc"},
	} {
		if c.got != c.want {
			t.Errorf("%s %q, want %q", c.what, c.got, c.want)
		}
	}
	whole := r.FeedInfo(nil, "feed.atom", nil)
	if whole.ID != r.Config.ID || whole.Title != r.Config.Title || whole.SelfLink != "https://netdigest.example/news/feed.atom" {
		t.Errorf("merged feed info changed: %+v", whole)
	}
}

func TestWriteParts(t *testing.T) {
	r := partsRunner(t)
	ctx := context.Background()
	dir := t.TempDir()
	// Left by an earlier run: a conference no longer known, and files that
	// are not feeds.
	confDir := filepath.Join(dir, "conferences")
	os.MkdirAll(filepath.Join(confDir, "old.atom"), 0o755) // a directory, not a feed file
	for _, name := range []string{"netdev-0x18.atom", "netdev-0x18.rss", "README.txt", "netdev-0-1.atom"} {
		os.WriteFile(filepath.Join(confDir, name), []byte("old"), 0o644)
	}
	pub, err := r.WriteParts(ctx, dir, PartConferences)
	if err != nil {
		t.Fatal(err)
	}
	if len(pub.Written) != 9 { // 3 conferences × 3 formats
		t.Errorf("%d files written: %q", len(pub.Written), pub.Written)
	}
	want := []string{filepath.Join(confDir, "netdev-0x18.atom"), filepath.Join(confDir, "netdev-0x18.rss")}
	if !slices.Equal(pub.Removed, want) {
		t.Errorf("removed %q, want %q", pub.Removed, want)
	}
	for _, name := range []string{"README.txt", "old.atom"} {
		if _, err := os.Stat(filepath.Join(confDir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	p, _, _ := r.FindPartByName(ctx, PartConferences, "Netdev 0.1")
	for _, f := range Formats() {
		got, err := os.ReadFile(filepath.Join(dir, "conferences", "netdev-0-1."+f.Ext))
		if err != nil {
			t.Fatal(err)
		}
		want, _, err := r.Render(ctx, &p, f)
		if err != nil || string(got) != string(want) {
			t.Errorf("conferences/netdev-0-1.%s is not Render's output (%v)", f.Ext, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "topics")); !os.IsNotExist(err) {
		t.Errorf("topics/ written when not asked for: %v", err)
	}
	if kinds := PublishedKinds(r.Config); len(kinds) != 0 {
		t.Errorf("PublishedKinds without publish: = %q", kinds)
	}
}
