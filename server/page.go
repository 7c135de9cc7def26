package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/html"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/pipeline"
	"github.com/netdigest/netdigest/redact"
	"github.com/netdigest/netdigest/render"
	"github.com/netdigest/netdigest/store"
	"github.com/netdigest/netdigest/templates"
)

// Template files of the web pages. site.html.tmpl holds what both pages
// share (the <head> and its <style>, the footer).
const (
	SiteTemplate    = "site.html.tmpl"
	PageTemplate    = "page.html.tmpl"
	DigestsTemplate = "digests.html.tmpl"
	SearchTemplate  = "search.html.tmpl"
)

// homeDigests is how many digests the home page lists before linking the
// full archive; archiveDigests how many the archive lists.
const (
	homeDigests    = 10
	archiveDigests = 1000
)

// SiteData is what both pages share. Hrefs are relative so that the pages
// work behind a reverse proxy under any path; the URLs shown for copying
// are the public ones under the config's link.
type SiteData struct {
	Title   string
	Home    string // href of the home page from this page
	Atom    string // href of the Atom feed from this page
	JSON    string
	RSS     string
	FeedURL string // the public Atom URL, to copy into a reader
	Version string
	Now     Stamp

	// Search is the href of the search page (the form's action), Query
	// the search box's text (on the search page), QueryMax its length in
	// bytes at most.
	Search   string
	Query    string
	QueryMax int
	// Calendar is the href of the talks' iCalendar file, CalendarURL its
	// public URL, to subscribe a calendar app to.
	Calendar, CalendarURL string
}

// PageData is what page.html.tmpl executes on.
type PageData struct {
	Site     SiteData
	Headline string // "100 latest entries from 12 sources"
	Count    int
	Groups   []GroupView
	Sources  []SourceView
	Failing  int // sources whose last fetch failed or that are gone
	// NextDigest is when the digest is planned (zero Stamp: not known).
	NextDigest  Stamp
	Digests     []DigestView
	MoreDigests bool // the archive page has more
	// Part is the topic or conference this page is of (nil: the home
	// page, which lists the Parts).
	Part  *PartView
	Parts []PartList
}

// DigestsData is what digests.html.tmpl (the archive) executes on.
type DigestsData struct {
	Site       SiteData
	NextDigest Stamp
	Digests    []DigestView
}

// GroupView is one group of the latest entries, as the digest groups and
// shows them (render.Views): a conference's talk cards, coming up and past,
// and its news; a topic's entries.
type GroupView struct {
	render.GroupData
	Anchor string // the element id to link to
}

// SourceView is one configured source's health.
type SourceView struct {
	Name  string
	Kind  string
	URL   string // http(s) or "" (a file:// snapshot is not linked)
	State string // "ok", "failing", "deferred", "gone", "new"
	// StateText says the state in words: "OK", "gone (HTTP 410)"…
	StateText   string
	LastSuccess Stamp
	LastError   string
	Failures    int // consecutive
	NextFetch   Stamp
	MovedTo     string // a permanent redirect's target: the config should be updated
}

// DigestView is one archived digest.
type DigestView struct {
	ID      string
	Href    string // relative to the page
	Subject string
	Period  string
	Created Stamp
	Status  string // "sent", "pending", "in doubt", "failed, will be retried"
}

// Stamp is a time as the pages show it; the zero Stamp is "not known".
type Stamp struct {
	ISO  string // RFC 3339, for <time datetime>
	Text string // "2026-11-23 20:38 CET"
	Rel  string // "5 min ago", "in 2 h"
}

// pages are the parsed page templates.
type pages struct {
	page    *htmltemplate.Template
	digests *htmltemplate.Template
	search  *htmltemplate.Template
	parts   *htmltemplate.Template
}

// parsePages parses the templates from fsys, each missing file falling back
// to the embedded one, and executes them on sample data.
func parsePages(fsys fs.FS) (*pages, error) {
	read := func(name string) (string, error) {
		b, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			b, err = fs.ReadFile(templates.FS, name)
		}
		if err != nil {
			return "", fmt.Errorf("server: template %s: %w", name, err)
		}
		return string(b), nil
	}
	siteSrc, err := read(SiteTemplate)
	if err != nil {
		return nil, err
	}
	// The embedded definitions first, the user's over them: a
	// site.html.tmpl written for an older netdigest lacks the newer ones
	// ("searchform"), which then fall back as an absent file does.
	embedded, err := fs.ReadFile(templates.FS, SiteTemplate)
	if err != nil {
		return nil, fmt.Errorf("server: template %s: %w", SiteTemplate, err)
	}
	// Errors from Parse and Execute read "template: NAME:LINE: ...".
	site, err := htmltemplate.New(SiteTemplate).Funcs(pageFuncs()).Parse(string(embedded))
	if err == nil && siteSrc != string(embedded) {
		site, err = site.Parse(siteSrc)
	}
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	parse := func(name string, sample any) (*htmltemplate.Template, error) {
		src, err := read(name)
		if err != nil {
			return nil, err
		}
		base, err := site.Clone()
		if err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		t, err := base.New(name).Parse(src)
		if err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		if err := t.Execute(io.Discard, sample); err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		return t, nil
	}
	// parts.html.tmpl defines "partlists", which page.html.tmpl uses too.
	partsSrc, err := read(PartsTemplate)
	if err != nil {
		return nil, err
	}
	if _, err := site.New(PartsTemplate).Parse(partsSrc); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	p := &pages{}
	if p.page, err = parse(PageTemplate, samplePage()); err != nil {
		return nil, err
	}
	if err := p.page.Execute(io.Discard, samplePartPage()); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	if p.parts, err = site.Clone(); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	p.parts = p.parts.Lookup(PartsTemplate)
	if err := p.parts.Execute(io.Discard, samplePartsPage()); err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	sample := samplePage()
	if p.digests, err = parse(DigestsTemplate, DigestsData{Site: sample.Site, NextDigest: sample.NextDigest, Digests: sample.Digests}); err != nil {
		return nil, err
	}
	if p.search, err = parse(SearchTemplate, sampleSearch(sample)); err != nil {
		return nil, err
	}
	return p, nil
}

func pageFuncs() htmltemplate.FuncMap {
	return htmltemplate.FuncMap{
		"count": countNoun,
	}
}

func (s *server) handlePage(w http.ResponseWriter, r *http.Request) {
	data, err := s.pageData(r)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	s.writeHTML(w, r, s.pages.page, data)
}

func (s *server) handleArchive(w http.ResponseWriter, r *http.Request) {
	ds, err := s.store.Digests(r.Context(), archiveDigests)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	now := s.now()
	data := DigestsData{Site: s.site(now, "../"), NextDigest: s.nextDigest(now), Digests: s.digestViews(ds, "./", now)}
	s.writeHTML(w, r, s.pages.digests, data)
}

// writeHTML renders a page and allows exactly its <style> blocks in its
// Content-Security-Policy, hashed from the bytes sent: nothing else styles,
// and a template that changes its CSS cannot get out of step with the policy.
func (s *server) writeHTML(w http.ResponseWriter, r *http.Request, t *htmltemplate.Template, data any) {
	s.writeHTMLStatus(w, r, http.StatusOK, t, data)
}

// writeHTMLStatus is writeHTML with another status than 200.
func (s *server) writeHTMLStatus(w http.ResponseWriter, r *http.Request, status int, t *htmltemplate.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		s.internalError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	// Only template text can write "<form": html/template escapes every
	// '<' of the data.
	h.Set("Content-Security-Policy", pageCSP(styleHashes(buf.Bytes()), bytes.Contains(buf.Bytes(), []byte("<form"))))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	w.Write(buf.Bytes())
}

// pageCSP is the base policy with style-src listing the given hashes, and
// form-action 'self' on a page with a form (the search form, a GET to
// /search).
func pageCSP(hashes []string, form bool) string {
	style := "'none'"
	if len(hashes) > 0 {
		style = strings.Join(hashes, " ")
	}
	action := "'none'"
	if form {
		action = "'self'"
	}
	return "default-src 'none'; style-src " + style + "; img-src 'self'; base-uri 'none'; form-action " + action + "; frame-ancestors 'none'"
}

// styleHashes returns the CSP source ('sha256-…') of each <style> element's
// text. The tokenizer gives raw text with newlines normalized, as browsers
// hash it.
func styleHashes(doc []byte) []string {
	var out []string
	seen := map[string]bool{}
	add := func(text []byte) {
		sum := sha256.Sum256(text)
		h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
		if !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	z := html.NewTokenizer(bytes.NewReader(doc))
	inStyle := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken:
			name, _ := z.TagName()
			inStyle = string(name) == "style"
		case html.TextToken:
			if inStyle {
				add(z.Text())
				inStyle = false
			}
		case html.EndTagToken:
			if inStyle { // <style></style>: empty text, still hashed
				add(nil)
			}
			inStyle = false
		default:
			inStyle = false
		}
	}
}

// pageData gathers the home page from the store, the config and the plan.
func (s *server) pageData(r *http.Request) (PageData, error) {
	ctx := r.Context()
	now := s.now()
	entries, err := s.store.Latest(ctx, s.maxEntries())
	if err != nil {
		return PageData{}, err
	}
	states, err := s.store.Sources(ctx)
	if err != nil {
		return PageData{}, err
	}
	ds, err := s.store.Digests(ctx, homeDigests+1)
	if err != nil {
		return PageData{}, err
	}

	d := PageData{Site: s.site(now, "./"), Count: len(entries), NextDigest: s.nextDigest(now)}
	d.Groups = s.groupViews(entries, now)
	d.Sources = s.sourceViews(states, now)
	for _, sv := range d.Sources {
		if sv.State == "failing" || sv.State == "gone" {
			d.Failing++
		}
	}
	if len(ds) > homeDigests {
		ds, d.MoreDigests = ds[:homeDigests], true
	}
	d.Digests = s.digestViews(ds, "digests/", now)
	if d.Parts, err = s.homeParts(ctx); err != nil {
		return PageData{}, err
	}

	sources := map[string]bool{}
	for _, e := range entries {
		sources[e.Source] = true
	}
	switch len(entries) {
	case 0:
		d.Headline = "No entries yet: the sources have not been fetched."
	default:
		d.Headline = countNoun(len(entries), "latest entry", "latest entries") + " from " + countNoun(len(sources), "source", "sources")
	}
	return d, nil
}

// countNoun is "1 entry", "34 entries".
func countNoun(n int, singular, plural string) string {
	if n == 1 {
		return "1 " + singular
	}
	return strconv.Itoa(n) + " " + plural
}

// site is the shared part of a page at depth home ("./" for the home page,
// "../" under /digests/).
func (s *server) site(now time.Time, home string) SiteData {
	return SiteData{
		Title:   s.cfg.Title,
		Home:    home,
		Atom:    home + "feed.atom",
		JSON:    home + "feed.json",
		RSS:     home + "feed.rss",
		FeedURL: pipeline.PublicURL(s.cfg.Link, "feed.atom"),
		Version: s.runner.Version,
		Now:     s.stamp(now, now),

		Search:      home + "search",
		QueryMax:    store.MaxQueryBytes,
		Calendar:    home + pipeline.CalendarFile,
		CalendarURL: pipeline.PublicURL(s.cfg.Link, pipeline.CalendarFile),
	}
}

func (s *server) groupViews(entries []entry.Entry, now time.Time) []GroupView {
	topics := make([]string, len(s.cfg.Topics))
	for i, t := range s.cfg.Topics {
		topics[i] = t.Name
	}
	// Related stays nil until the store links one talk's traces; the
	// grouping and the cards take the links as they come.
	groups := render.Views(render.Organize(entries, render.Organization{Topics: topics, Now: now}), s.location())
	out := make([]GroupView, len(groups))
	for i, g := range groups {
		out[i] = GroupView{GroupData: g, Anchor: "group-" + strconv.Itoa(i+1)}
	}
	return out
}

// EntryView is one entry as the search page shows it. Strings are plain
// text.
type EntryView struct {
	Title   string
	Link    string // http(s) or ""
	Source  string
	Authors string // comma-separated
	Summary string
	Date    Stamp
	// Also are the other traces of the entry's talk (entry.Related).
	Also []TraceView
}

// TraceView is another trace of an entry's talk: "Notes", "Write-up by
// bootlin" (entry.Related.Label), linked when it has an http(s) link.
type TraceView struct {
	Label string
	Title string
	Link  string
}

// entryView is how the search page shows an entry.
func (s *server) entryView(e *entry.Entry, now time.Time) EntryView {
	ev := EntryView{
		Title:   strings.TrimSpace(e.Title),
		Link:    render.HTTPURL(e.Link),
		Source:  e.Source,
		Summary: e.Summary,
		Date:    s.stamp(e.Date(), now),
	}
	if ev.Title == "" {
		ev.Title = "(untitled)"
	}
	var authors []string
	for _, a := range e.Byline() {
		if a = strings.TrimSpace(a); a != "" {
			authors = append(authors, a)
		}
	}
	ev.Authors = strings.Join(authors, ", ")
	for _, r := range e.Related {
		ev.Also = append(ev.Also, TraceView{Label: r.Label(), Title: r.Title, Link: render.HTTPURL(r.Link)})
	}
	return ev
}

// sourceViews lists the configured sources (in config order) with what the
// store remembers of each and when the schedule fetches it next.
func (s *server) sourceViews(states []store.SourceState, now time.Time) []SourceView {
	byName := sourceStates(states)
	out := make([]SourceView, 0, len(s.cfg.Sources))
	for _, src := range s.cfg.Sources {
		// The pipeline's decision: what of the stored state applies (none
		// of an old URL's), and whether it is gone or deferred.
		d := pipeline.Decide(src, byName[src.Name], now)
		st := d.State
		sv := SourceView{
			Name:        src.Name,
			Kind:        src.Kind,
			URL:         render.HTTPURL(src.PublicURL),
			LastSuccess: s.stamp(st.LastSuccess, now),
			LastError:   publicError(src, st.LastError),
			Failures:    st.Failures,
			MovedTo:     render.HTTPURL(redact.String(st.PermanentURL)),
		}
		if s.sched != nil {
			sv.NextFetch = s.stamp(s.sched.Next(src.Name), now)
		}
		switch {
		case d.Reason == pipeline.ReasonGone:
			sv.State, sv.StateText = "gone", "gone (HTTP 410): not fetched until its url changes"
		case d.Reason == pipeline.ReasonRetryAfter:
			sv.State, sv.StateText = "deferred", "deferred until "+s.stamp(d.Until, now).Text+" (the server asked to wait)"
		case st.LastFetch.IsZero():
			sv.State, sv.StateText = "new", "not fetched yet"
		case st.Failures > 0:
			sv.State, sv.StateText = "failing", "failing"
		default:
			sv.State, sv.StateText = "ok", "OK"
		}
		out = append(out, sv)
	}
	return out
}

func (s *server) digestViews(ds []store.Digest, prefix string, now time.Time) []DigestView {
	loc := s.location()
	out := make([]DigestView, 0, len(ds))
	for i := range ds {
		d := &ds[i]
		dv := DigestView{
			ID:      d.ID,
			Subject: d.Subject,
			Period:  render.FormatPeriod(d.PeriodStart, d.PeriodEnd, loc),
			Created: s.stamp(d.Created, now),
		}
		if digestID.MatchString(d.ID) {
			dv.Href = prefix + url.PathEscape(d.ID)
		}
		switch {
		case !d.Sent.IsZero():
			dv.Status = "sent"
		case !d.Rejected.IsZero():
			dv.Status = "not delivered: refused by the mail server (" + d.LastError + "); not retried"
		case s.store.Held(d) && d.InDoubt():
			dv.Status = "being sent by " + d.Owner.String()
		case s.store.Held(d):
			dv.Status = "being prepared by " + d.Owner.String()
		case d.InDoubt():
			dv.Status = "in doubt: a delivery was interrupted"
		case d.LastError != "":
			dv.Status = "failed, will be retried"
		default:
			dv.Status = "pending"
		}
		out = append(out, dv)
	}
	return out
}

func (s *server) nextDigest(now time.Time) Stamp {
	if s.sched == nil {
		return Stamp{}
	}
	return s.stamp(s.sched.NextDigest(), now)
}

// location is the digest's timezone, which the pages show times in.
func (s *server) location() *time.Location {
	if s.cfg.Digest.Location != nil {
		return s.cfg.Digest.Location
	}
	return time.UTC
}

// stamp formats t for the pages; zero gives the zero Stamp.
func (s *server) stamp(t, now time.Time) Stamp {
	if t.IsZero() {
		return Stamp{}
	}
	return Stamp{
		ISO:  t.UTC().Format(time.RFC3339),
		Text: t.In(s.location()).Format("2006-01-02 15:04 MST"),
		Rel:  relative(t, now),
	}
}

// relative is "just now", "5 min ago", "in 3 h", "2 days ago".
func relative(t, now time.Time) string {
	d := t.Sub(now)
	future := d > 0
	if !future {
		d = -d
	}
	var s string
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		s = strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 48*time.Hour:
		s = strconv.Itoa(int(d/time.Hour)) + " h"
	default:
		s = strconv.Itoa(int(d/(24*time.Hour))) + " days"
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

// samplePage exercises every field and branch a page template is likely to
// use, so that New catches a reference to a missing field.
func samplePage() PageData {
	at := Stamp{ISO: "2026-01-01T08:00:00Z", Text: "2026-01-01 08:00 UTC", Rel: "5 min ago"}
	site := SiteData{Title: "netdigest", Home: "./", Atom: "feed.atom", JSON: "feed.json", RSS: "feed.rss", Search: "search", QueryMax: 512,
		FeedURL: "https://example.org/feed.atom", Version: "dev", Now: at,
		Calendar: "talks.ics", CalendarURL: "https://example.org/talks.ics"}
	e := render.EntryData{Title: "Sample", Link: "https://example.org/a", Source: "example", Authors: "A. Author",
		Summary: "Summary.", Date: "1 Jan 2026", ISO: at.ISO}
	talk := render.TalkData{Title: "Talk", Link: "https://example.org/t", Speakers: "A. Speaker (Example)",
		When: "Thu 1 Jan 2026, 10:00–10:30 UTC", ISO: "2026-01-01T10:00:00Z", Summary: "Abstract.",
		Traces: []render.TraceData{{Label: "Abstract", Link: "https://example.org/t"}, {Label: "Notes"}}}
	return PageData{
		Site: site, Headline: "1 latest entry from 1 source", Count: 1,
		Groups: []GroupView{
			{GroupData: render.GroupData{Name: "Conference", Kind: render.KindConference, Count: 3,
				Coming: []render.TalkData{talk}, Talks: []render.TalkData{talk}, Entries: []render.EntryData{e}}, Anchor: "group-1"},
			{GroupData: render.GroupData{Name: "Topic", Kind: render.KindTopic, Count: 1, Entries: []render.EntryData{e}}, Anchor: "group-2"},
			{GroupData: render.GroupData{Name: render.OtherNews, Kind: render.KindOther, Count: 1,
				Entries: []render.EntryData{{Title: "Bare"}}}, Anchor: "group-3"},
		},
		Sources: []SourceView{
			{Name: "ok", Kind: "feed", URL: "https://example.org/feed", State: "ok", StateText: "OK", LastSuccess: at, NextFetch: at},
			{Name: "bad", Kind: "html", State: "failing", StateText: "failing", LastError: "HTTP 500", Failures: 2,
				MovedTo: "https://example.org/new"},
		},
		Failing:    1,
		NextDigest: at,
		Digests: []DigestView{{ID: "20260101T080000Z", Href: "digests/20260101T080000Z", Subject: "netdigest: 1 new entry",
			Period: "1 Jan 2026", Created: at, Status: "sent"}},
		MoreDigests: true,
		Parts: []PartList{
			{Title: "Topics", Href: "./topics/", Links: []PartLink{{Name: "XDP", Href: "./topics/xdp", Slug: "xdp"}}},
			{Title: "Conferences", Href: "./conferences/", Links: []PartLink{{Name: "Netdev 0.1", Href: "./conferences/netdev-0-1", Slug: "netdev-0-1"}}},
		},
	}
}

// samplePartPage is samplePage as a topic's page shows it.
func samplePartPage() PageData {
	d := samplePage()
	d.Part = &PartView{Kind: render.KindTopic, Name: "XDP"}
	d.Sources, d.Digests = nil, nil
	return d
}

// samplePartsPage is the list of parts, as the answer to an unknown one.
func samplePartsPage() PartsData {
	return PartsData{Site: samplePage().Site, Heading: "Not found", Message: "There is no topic at topics/x.",
		Lists: samplePage().Parts}
}

// sourceStates indexes the stored states by source name.
func sourceStates(states []store.SourceState) map[string]store.SourceState {
	m := make(map[string]store.SourceState, len(states))
	for _, st := range states {
		m[st.Name] = st
	}
	return m
}

// maxEntries is how many entries the feeds and the page show: the config's
// max_entries, as in the written feed.
func (s *server) maxEntries() int {
	if s.cfg.MaxEntries > 0 {
		return s.cfg.MaxEntries
	}
	return config.DefaultMaxEntries
}

// publicError is a source's stored error as the page may show it. Errors
// name URLs as redact does, but a local snapshot's path (which says how the
// host is laid out) is replaced, as is the URL of a source with a base, and
// so are the full URL and the
// url.URL.Redacted form (user name and query kept) that errors recorded by
// older versions carried.
func publicError(src config.Source, text string) string {
	u, err := url.Parse(src.URL)
	if text == "" || err != nil {
		return text
	}
	shown, hidden := redact.URL(u), []string{src.URL, u.Redacted()}
	switch {
	case u.Scheme == "file":
		shown, hidden = "(the source's local file)", append(hidden, filepath.FromSlash(u.Path))
	case src.Base != "":
		// base says the fetched URL is not public (a secret in its path).
		shown, hidden = "(the source's url)", append(hidden, redact.URL(u))
	}
	for _, h := range hidden { // the URL forms first: they contain the path
		if h != "" && h != shown {
			text = strings.ReplaceAll(text, h, shown)
		}
	}
	return text
}
