package server

import (
	"context"
	"slices"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/store"
)

// TestPageTalks: the page shows a conference as the digest does (the same
// render.Organize and render.Views): talk cards coming up, then past, with
// their time in the talk's zone, speakers and traces, and the conference's
// news in their own list.
func TestPageTalks(t *testing.T) {
	f := newFixture(t, nil)
	src, _ := f.cfg.Source("netdevconf")
	zurich := time.FixedZone("CET", 3600)
	talk := func(id, title string, start time.Time, speaker string) entry.Entry {
		link := "https://netdevconf.info/0x19/sessions/talk/" + id + ".html"
		return entry.Entry{ID: link, Title: title, Link: link, Conference: "Netdev 0x19", Role: entry.RoleAbstract,
			EventStart: start, EventEnd: start.Add(45 * time.Minute), Speakers: []entry.Speaker{{Name: speaker, Affiliation: "Example"}},
			Summary: "Abstract of " + title + ".", ContentHash: id}
	}
	talks := []entry.Entry{
		talk("netkit", "netkit: the BPF-programmable device", now.Add(50*time.Hour).In(zurich), "Daniel Borkmann"),
		talk("psp", "PSP encryption offload", now.Add(-20*time.Hour).In(zurich), "Jakub Kicinski"),
	}
	if _, err := f.store.SaveFetch(context.Background(), store.SourceState{Name: "netdevconf", URL: src.URL,
		LastFetch: now.Add(-time.Minute), LastSuccess: now.Add(-time.Minute)}, talks); err != nil {
		t.Fatal(err)
	}
	_, body := f.get("/")
	doc := parseHTML(t, body)

	var group *html.Node
	for _, s := range findAll(doc, func(n *html.Node) bool { return n.Data == "section" && attr(n, "class") == "group" }) {
		if h := findAll(s, tag("h3")); len(h) > 0 && textOf(findAll(h[0], tag("bdi"))[0]) == "Netdev 0x19" {
			group = s
		}
	}
	if group == nil {
		t.Fatal("no Netdev 0x19 section")
	}
	var parts []string
	for _, p := range findAll(group, func(n *html.Node) bool { return n.Data == "p" && attr(n, "class") == "part" }) {
		parts = append(parts, textOf(p))
	}
	if want := []string{"Coming up", "Talks", "News"}; !slices.Equal(parts, want) {
		t.Errorf("parts %q, want %q", parts, want)
	}
	lists := findAll(group, tag("ul"))
	if len(lists) != 3 {
		t.Fatalf("%d lists, want coming, talks, news", len(lists))
	}
	titles := func(n *html.Node) []string {
		var out []string
		for _, h := range findAll(n, tag("h4")) {
			out = append(out, textOf(h))
		}
		return out
	}
	for i, want := range [][]string{
		{"netkit: the BPF-programmable device"},
		{"PSP encryption offload"},
		{"Devmem TCP: zero-copy receive into device memory", "TC workshop"},
	} {
		if got := titles(lists[i]); !slices.Equal(got, want) {
			t.Errorf("list %d: %q, want %q", i, got, want)
		}
	}
	card := lists[0]
	if got, want := textOf(findAll(card, func(n *html.Node) bool { return n.Data == "p" && attr(n, "class") == "meta" })[0]),
		"Wed 25 Nov 2026, 15:00–15:45 CET · Daniel Borkmann (Example)"; got != want {
		t.Errorf("card meta %q, want %q", got, want)
	}
	if tm := findAll(card, tag("time")); len(tm) != 1 || attr(tm[0], "datetime") != "2026-11-25T15:00:00+01:00" {
		t.Errorf("card <time>: %d, want one with the talk's start", len(tm))
	}
	traces := findAll(card, func(n *html.Node) bool { return n.Data == "p" && attr(n, "class") == "meta traces" })
	if len(traces) != 1 || textOf(traces[0]) != "Abstract" || findAll(traces[0], tag("a")) == nil ||
		attr(findAll(traces[0], tag("a"))[0], "href") != "https://netdevconf.info/0x19/sessions/talk/netkit.html" {
		t.Errorf("card traces: want one Abstract link")
	}
}
