package render

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io"
	"io/fs"
	"net/url"
	"slices"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode"

	"github.com/netdigest/netdigest/entry"
)

// Template file names a template directory must hold.
const (
	DigestHTMLTemplate = "digest.html.tmpl"
	DigestTextTemplate = "digest.txt.tmpl"
)

// DefaultDigestSubject is the subject template used when
// DigestInfo.SubjectTemplate is empty.
const DefaultDigestSubject = `netdigest: {{.Count}} new {{plural .Count "entry" "entries"}} · {{.Period}}`

// DefaultMaxHTMLBytes keeps the HTML part under Gmail's 102 KB clipping limit.
const DefaultMaxHTMLBytes = 100_000

// Group kinds, in the order groups are listed.
const (
	KindConference = "conference"
	KindTopic      = "topic"
	KindOther      = "other"
)

// OtherNews names the group of entries with neither conference nor topic.
const OtherNews = "Other news"

// TextWidth is the column the text part is wrapped at.
const TextWidth = 72

// ErrHTMLTooLarge is returned when not even the digest's frame (header,
// counts, footer) fits in DigestInfo.MaxHTMLBytes.
var ErrHTMLTooLarge = errors.New("render digest: HTML part does not fit in MaxHTMLBytes")

// ErrTextTooLarge is ErrHTMLTooLarge for the plain-text part.
var ErrTextTooLarge = errors.New("render digest: text part does not fit in MaxTextBytes")

// DigestInfo describes one digest: who sends it, the period it covers and
// how to lay it out.
type DigestInfo struct {
	Title       string // the feed's title, e.g. "netdigest — Linux networking news"
	FeedURL     string // subscribe link (the Atom feed); only http(s) is linked
	PageURL     string // the served web page with the full list, "" when none
	Unsubscribe string // http(s) or mailto: URL, or a sentence; "" tells to reply to the sender
	// ArchiveURL is this digest's own page (<link>digests/<id>), which the
	// footer links as the way to read it on the web; "" falls back to PageURL.
	ArchiveURL string
	// Start and End bound the period covered. An End at local midnight is
	// exclusive (the day before is the last one shown). A zero Start or End
	// falls back to the oldest or newest entry.
	Start, End time.Time
	Location   *time.Location // for displayed dates, nil = UTC
	// Topics are topic names in config order: the grouping order after
	// conferences.
	Topics []string
	// SubjectTemplate is a text/template executed on SubjectData, default
	// DefaultDigestSubject.
	SubjectTemplate string
	MaxHTMLBytes    int // default DefaultMaxHTMLBytes
	// MaxTextBytes bounds the plain-text part the same way; default the
	// HTML part's budget, so that no part makes the email heavy.
	MaxTextBytes int
	// Rejected are earlier digests the mail server refused for good: the
	// digest says so and links to where they can be read.
	Rejected []RejectedDigest
	// Related joins the traces of one talk (Organization.Related).
	Related map[string][]string
	// Now tells coming talks from past ones; zero means End.
	Now time.Time
}

// RejectedDigest is an earlier digest that was never delivered.
type RejectedDigest struct {
	Subject string
	Created time.Time
	Reason  string // the server's reply
	URL     string // its archive page; only http(s) is linked
}

// SubjectData is what the subject template executes on. The function
// plural (n, singular, plural) is available.
type SubjectData struct {
	Title      string
	Count      int    // entries
	Sources    int    // distinct sources
	Period     string // e.g. "12–19 Nov 2026"
	Start, End time.Time
}

// Digest is a rendered digest.
type Digest struct {
	Subject string
	HTML    []byte
	Text    []byte
	Count   int // entries
	Sources int // distinct sources
	// Groups holds every entry once, in listing order. Each part may
	// shorten the oldest (see Truncated and Omitted).
	Groups []DigestGroup
	// Truncated entries are listed in the HTML by title only, and Omitted
	// ones only counted, to keep it under MaxHTMLBytes. Both are the last
	// in budget order (Other news, then the oldest; a card counts all its
	// entries); the HTML then links PageURL for the full list.
	Truncated int
	Omitted   int
	// TextTruncated and TextOmitted are the same for the text part and
	// MaxTextBytes.
	TextTruncated int
	TextOmitted   int
}

// DigestGroup is one heading of the digest.
type DigestGroup struct {
	Name string
	Kind string // KindConference, KindTopic or KindOther
	// Entries holds each entry of the group once, in listing order.
	Entries []entry.Entry
	// A conference's entries as Organize arranges them: talks coming up,
	// the other talks, and its news. Empty for other kinds.
	Coming []Talk
	Talks  []Talk
	News   []entry.Entry
}

// DigestData is what both digest templates execute on. Strings are plain
// text; html/template escapes them. Links are absolute http(s) URLs or "".
type DigestData struct {
	Title   string
	Subject string
	FeedURL string // http(s) or ""
	PageURL string // http(s) or ""
	// ArchiveURL is this digest on the web (http(s) or ""), linked from the footer.
	ArchiveURL string
	Period     string // "12–19 Nov 2026"
	Headline   string // "34 new entries from 7 sources, 12–19 Nov 2026"
	// Contents lists the groups: "Netdev 0x13 (2), XDP (1), Other news (3)".
	Contents string
	// Preheader is the inbox preview line: the headline and the groups.
	Preheader string
	// Unsubscribe is an http(s) or mailto: URL; UnsubscribeText a sentence
	// when DigestInfo.Unsubscribe was not a URL. Both empty: none given.
	Unsubscribe     string
	UnsubscribeText string
	Count           int // entries
	Sources         int // distinct sources
	Shown           int // entries in full in this part
	Truncated       int // entries by title only in this part
	Omitted         int // entries only counted in this part
	Groups          []GroupData
	Links           []LinkData // every entry link, numbered in listing order
	// TextComplete: the plain-text part lists every entry in full (what
	// the HTML part omits can be found there).
	TextComplete bool
	// Rejected are earlier digests the server refused (DigestInfo.Rejected).
	Rejected []RejectedData
}

// RejectedData is an earlier, undelivered digest as a template shows it.
type RejectedData struct {
	Subject string
	Date    string // "19 Nov 2026"
	Reason  string
	URL     string // http(s) or ""
}

// GroupData is one group as a template shows it.
type GroupData struct {
	Name  string
	Kind  string
	Count int // all entries of the group
	// Coming and Talks are a conference's talk cards shown in full (talks
	// ahead of now, the others in time order).
	Coming []TalkData
	Talks  []TalkData
	// Entries are shown in full: a conference's news, a topic's entries.
	Entries []EntryData
	Also    []EntryData // shown by title only (talks by their main title)
	Omitted int         // entries only counted
}

// TalkData is a talk's card: one talk with all its traces.
type TalkData struct {
	Title    string
	Link     string // the main trace's, http(s) or ""
	Num      int    // the link's number in Links
	Speakers string // "Name (Affiliation), Name"
	// When is the talk's day and time in its own zone, "Thu 11 Dec 2025,
	// 11:30–12:00 JST", or its day alone; "" when unknown. ISO is the same
	// instant in RFC 3339, for <time datetime>.
	When string
	ISO  string
	// Summary is the abstract's text, else the report's.
	Summary string
	Traces  []TraceData
}

// TraceData is one trace of a talk: "Abstract", "Write-up by nevola",
// "Notes", "Slides", "Video".
type TraceData struct {
	Label string
	Link  string // http(s) or ""
	Num   int
}

// EntryData is one entry as a template shows it.
type EntryData struct {
	Title   string
	Link    string // http(s) or ""
	Num     int    // the link's number in Links, 0 without link
	Source  string
	Date    string // "19 Nov 2026", "" when unknown
	Time    time.Time
	ISO     string // Time in RFC 3339, "" when unknown
	Authors string // comma-separated
	Summary string
}

// LinkData is a numbered link of the text part.
type LinkData struct {
	Num int
	URL string
}

// DigestRenderer renders digests from a pair of templates. It is safe for
// concurrent use.
type DigestRenderer struct {
	html *htmltemplate.Template
	text *texttemplate.Template
}

// NewDigestRenderer parses digest.html.tmpl (html/template) and
// digest.txt.tmpl (text/template) from fsys: templates.FS, or a user's
// override directory via os.DirFS. Both must be present. Each template is
// also executed once on sample data, so that a reference to a missing field
// fails here, naming the file and line, rather than on the day of the digest.
func NewDigestRenderer(fsys fs.FS) (*DigestRenderer, error) {
	funcs := templateFuncs()
	htmlSrc, err := fs.ReadFile(fsys, DigestHTMLTemplate)
	if err != nil {
		return nil, fmt.Errorf("render digest: template %s: %w", DigestHTMLTemplate, err)
	}
	textSrc, err := fs.ReadFile(fsys, DigestTextTemplate)
	if err != nil {
		return nil, fmt.Errorf("render digest: template %s: %w", DigestTextTemplate, err)
	}
	// Errors from Parse and Execute read "template: NAME:LINE: ...".
	ht, err := htmltemplate.New(DigestHTMLTemplate).Funcs(funcs).Parse(string(htmlSrc))
	if err != nil {
		return nil, fmt.Errorf("render digest: %w", err)
	}
	tt, err := texttemplate.New(DigestTextTemplate).Funcs(funcs).Parse(string(textSrc))
	if err != nil {
		return nil, fmt.Errorf("render digest: %w", err)
	}
	r := &DigestRenderer{html: ht, text: tt}
	sample := sampleData()
	if err := r.html.Execute(io.Discard, sample); err != nil {
		return nil, fmt.Errorf("render digest: %w", err)
	}
	if err := r.text.Execute(io.Discard, sample); err != nil {
		return nil, fmt.Errorf("render digest: %w", err)
	}
	return r, nil
}

// Render groups entries and renders the digest's subject, HTML and text.
//
// Groups are Organize's (info.Topics, info.Related, info.Now): conferences
// with their talk cards and news, topics, OtherNews. Each part has its
// budget (MaxHTMLBytes, MaxTextBytes). When a part would exceed it, the
// cards and entries last in budget order (Other news first, then the
// oldest, undated ones last of all) are listed by title only; when even
// that does not fit, half of the budget goes to the first in full, as many
// titles as fit follow, and the rest are counted (Digest.Omitted).
func (r *DigestRenderer) Render(info DigestInfo, entries []entry.Entry) (*Digest, error) {
	loc := info.Location
	if loc == nil {
		loc = time.UTC
	}
	maxBytes := info.MaxHTMLBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxHTMLBytes
	}

	now := info.Now
	if now.IsZero() {
		now = info.End
	}
	groups := Organize(entries, Organization{Topics: info.Topics, Related: info.Related, Now: now})
	sources := countSources(entries)
	start, end := periodBounds(info.Start, info.End, entries)
	period := FormatPeriod(start, end, loc)

	subject, err := renderSubject(info.SubjectTemplate, SubjectData{
		Title: info.Title, Count: len(entries), Sources: sources, Period: period,
		Start: start, End: end,
	})
	if err != nil {
		return nil, err
	}

	b := newViewBuilder(groups, loc)
	b.info, b.subject, b.period, b.sources = info, subject, period, sources

	maxText := info.MaxTextBytes
	if maxText <= 0 {
		maxText = maxBytes
	}
	text, textFull, textCompact, err := fitPart(b, r.text.Execute, true, maxText, ErrTextTooLarge)
	if err != nil {
		return nil, err
	}
	b.textComplete = textFull == len(b.units)
	html, full, compact, err := fitPart(b, r.html.Execute, false, maxBytes, ErrHTMLTooLarge)
	if err != nil {
		return nil, err
	}

	d := &Digest{
		Subject:       subject,
		HTML:          html,
		Text:          text,
		Count:         len(entries),
		Sources:       sources,
		Groups:        groups,
		Truncated:     b.entriesIn(full+compact) - b.entriesIn(full),
		Omitted:       len(entries) - b.entriesIn(full+compact),
		TextTruncated: b.entriesIn(textFull+textCompact) - b.entriesIn(textFull),
		TextOmitted:   len(entries) - b.entriesIn(textFull+textCompact),
	}
	return d, nil
}

// fitPart renders one part with the first full units (cards or entries,
// in budget order) in full and the next compact ones by title, choosing the
// largest counts that fit in maxBytes; tooLarge is the error when not even
// the frame fits. The size grows with both counts, so binary searches find
// them.
func fitPart(b *viewBuilder, execute func(io.Writer, any) error, forText bool, maxBytes int, tooLarge error) (out []byte, full, compact int, err error) {
	n := len(b.units)
	render := func(f, c int) ([]byte, error) {
		var buf bytes.Buffer
		if err := execute(&buf, b.data(f, c, forText)); err != nil {
			return nil, fmt.Errorf("render digest: %w", err)
		}
		return buf.Bytes(), nil
	}
	// largest is the largest k in [lo, hi] whose split(k) renders within
	// limit, given that lo does. It gallops up from lo before it bisects,
	// so that no trial is much larger than limit: 100,000 entries cost a
	// few renders of a budget's worth, not renders of them all.
	largest := func(lo, hi, limit int, split func(k int) (f, c int)) (int, error) {
		for step := 1; lo < hi; step *= 2 {
			probe := min(hi, lo+step)
			out, err := render(split(probe))
			if err != nil {
				return 0, err
			}
			if len(out) > limit {
				hi = probe - 1
				break
			}
			lo = probe
		}
		for lo < hi {
			mid := lo + (hi-lo+1)/2
			out, err := render(split(mid))
			if err != nil {
				return 0, err
			}
			if len(out) <= limit {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return lo, nil
	}

	frame, err := render(0, 0)
	if err != nil {
		return nil, 0, 0, err
	}
	if len(frame) > maxBytes {
		return nil, 0, 0, fmt.Errorf("%w (%d bytes without any entry, limit %d)", tooLarge, len(frame), maxBytes)
	}
	if full, err = largest(0, n, maxBytes, func(k int) (int, int) { return k, 0 }); err != nil || full == n {
		if err == nil {
			out, err = render(n, 0)
		}
		return out, n, 0, err
	}
	titles, err := largest(0, n, maxBytes, func(k int) (int, int) { return 0, k })
	switch {
	case err != nil:
	case titles == n:
		// Every title fits: as many of the newest entries in full as can.
		full, err = largest(0, n, maxBytes, func(k int) (int, int) { return k, n - k })
		compact = n - full
	default:
		// Half the budget for entries in full, so that neither a list of
		// titles alone nor a handful of summaries alone is what the reader gets.
		full = 0
		if len(frame) <= maxBytes/2 {
			if full, err = largest(0, n, maxBytes/2, func(k int) (int, int) { return k, 0 }); err != nil {
				return nil, 0, 0, err
			}
		}
		compact, err = largest(0, n-full, maxBytes, func(k int) (int, int) { return full, k })
	}
	if err != nil {
		return nil, 0, 0, err
	}
	out, err = render(full, compact)
	return out, full, compact, err
}

// groupEntries sorts entries into conference groups (newest group first),
// then topic groups in topics order, then OtherNews, newest entry first in
// each; empty groups are left out.
func groupEntries(entries []entry.Entry, topics []string) []DigestGroup {
	confs := map[string]*DigestGroup{}
	var confOrder []*DigestGroup
	topicGroups := make([]DigestGroup, len(topics))
	for i, t := range topics {
		topicGroups[i] = DigestGroup{Name: t, Kind: KindTopic}
	}
	other := DigestGroup{Name: OtherNews, Kind: KindOther}

	for _, e := range entries {
		if c := strings.TrimSpace(e.Conference); c != "" {
			g := confs[c]
			if g == nil {
				g = &DigestGroup{Name: c, Kind: KindConference}
				confs[c] = g
				confOrder = append(confOrder, g)
			}
			g.Entries = append(g.Entries, e)
			continue
		}
		if i := firstTopic(e.Tags, topics); i >= 0 {
			topicGroups[i].Entries = append(topicGroups[i].Entries, e)
			continue
		}
		other.Entries = append(other.Entries, e)
	}

	var out []DigestGroup
	for _, g := range confOrder {
		sortNewest(g.Entries)
		out = append(out, *g)
	}
	slices.SortStableFunc(out, func(a, b DigestGroup) int {
		if c := newerFirst(&a.Entries[0], &b.Entries[0]); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, g := range append(topicGroups, other) {
		if len(g.Entries) > 0 {
			sortNewest(g.Entries)
			out = append(out, g)
		}
	}
	return out
}

// firstTopic is the index of the first topic the tags name. Case is ignored
// so that a source tagged "xdp" in the config joins the topic "XDP".
func firstTopic(tags, topics []string) int {
	for i, t := range topics {
		for _, tag := range tags {
			if strings.EqualFold(strings.TrimSpace(tag), t) {
				return i
			}
		}
	}
	return -1
}

func sortNewest(es []entry.Entry) {
	slices.SortStableFunc(es, func(a, b entry.Entry) int { return newerFirst(&a, &b) })
}

// newerFirst orders entries newest first (undated last), then by title and
// id so that equal dates give a stable order.
func newerFirst(a, b *entry.Entry) int {
	if c := b.Date().Compare(a.Date()); c != 0 {
		return c
	}
	if c := strings.Compare(a.Title, b.Title); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// unit is what the budget shows in full, by title or only counts: a talk's
// card or one entry.
type unit struct {
	g       int // its group
	talk    *Talk
	e       *entry.Entry
	entries int // entries it holds
	rank    int // its position in budget order
}

// budgetOrder orders units for the size budget: conference and topic
// content before "Other news", then newest first by their own date (a
// talk's time, else its newest dated trace) with undated ones last, so an
// entry stamped with its first sighting never wins the budget by being
// "new". Within a group the units kept in full are therefore its first ones
// in this order, and the title-only list its next ones.
func budgetOrder(a, b *unit, groups []DigestGroup) int {
	tier := func(u *unit) int {
		if groups[u.g].Kind == KindOther {
			return 1
		}
		return 0
	}
	if c := cmp.Compare(tier(a), tier(b)); c != 0 {
		return c
	}
	ta, tb := a.when(), b.when()
	if c := tb.Compare(ta); c != 0 { // newest first, zero (undated) last
		return c
	}
	ea, eb := a.first(), b.first()
	if c := strings.Compare(ea.Title, eb.Title); c != 0 {
		return c
	}
	return strings.Compare(ea.ID, eb.ID)
}

func (u *unit) first() *entry.Entry {
	if u.talk != nil {
		return &u.talk.Main
	}
	return u.e
}

// when is the unit's date for the budget, zero when it has none of its own.
func (u *unit) when() time.Time {
	if u.e != nil {
		if dated(u.e) {
			return u.e.Date()
		}
		return time.Time{}
	}
	if !u.talk.Start.IsZero() {
		return u.talk.Start
	}
	var t time.Time
	for i := range u.talk.Traces {
		if e := &u.talk.Traces[i]; dated(e) && e.Date().After(t) {
			t = e.Date()
		}
	}
	return t
}

// newViewBuilder lists the groups' units in listing order and ranks them.
func newViewBuilder(groups []DigestGroup, loc *time.Location) *viewBuilder {
	b := &viewBuilder{loc: loc, groups: groups, byGroup: make([][]*unit, len(groups))}
	for g := range groups {
		grp := &groups[g]
		b.count += len(grp.Entries)
		add := func(u *unit) {
			u.g = g
			b.units = append(b.units, u)
			b.byGroup[g] = append(b.byGroup[g], u)
		}
		if grp.Kind == KindConference {
			for _, ts := range [][]Talk{grp.Coming, grp.Talks} {
				for i := range ts {
					add(&unit{talk: &ts[i], entries: len(ts[i].Traces)})
				}
			}
			for i := range grp.News {
				add(&unit{e: &grp.News[i], entries: 1})
			}
			continue
		}
		for i := range grp.Entries {
			add(&unit{e: &grp.Entries[i], entries: 1})
		}
	}
	order := slices.Clone(b.units)
	slices.SortStableFunc(order, func(x, y *unit) int { return budgetOrder(x, y, groups) })
	b.cum = make([]int, len(order)+1)
	for r, u := range order {
		u.rank = r
		b.cum[r+1] = b.cum[r] + u.entries
	}
	return b
}

// entriesIn is how many entries the first k units in budget order hold.
func (b *viewBuilder) entriesIn(k int) int {
	return b.cum[min(max(k, 0), len(b.units))]
}

func countSources(entries []entry.Entry) int {
	seen := map[string]bool{}
	for _, e := range entries {
		if e.Source != "" {
			seen[e.Source] = true
		}
	}
	return len(seen)
}

// periodBounds fills a zero start or end from the entries' dates.
func periodBounds(start, end time.Time, entries []entry.Entry) (time.Time, time.Time) {
	var oldest, newest time.Time
	for i := range entries {
		d := entries[i].Date()
		if d.IsZero() {
			continue
		}
		if oldest.IsZero() || d.Before(oldest) {
			oldest = d
		}
		if d.After(newest) {
			newest = d
		}
	}
	if start.IsZero() {
		start = oldest
	}
	if end.IsZero() {
		end = newest
	}
	return start, end
}

// FormatPeriod formats the days from start to end in loc: "19 Nov 2026",
// "12–19 Nov 2026", "28 Oct – 3 Nov 2026", "28 Dec 2026 – 3 Jan 2027". An
// end at local midnight after start is exclusive. Either time may be zero
// (only the other is shown); both zero give "".
func FormatPeriod(start, end time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	switch {
	case start.IsZero() && end.IsZero():
		return ""
	case start.IsZero():
		start = end
	case end.IsZero():
		end = start
	}
	start, end = start.In(loc), end.In(loc)
	if end.After(start) && end.Equal(startOfDay(end)) {
		end = end.Add(-time.Nanosecond)
	}
	if end.Before(start) {
		start, end = end, start
	}
	sy, sm, sd := start.Date()
	ey, em, ed := end.Date()
	switch {
	case sy == ey && sm == em && sd == ed:
		return end.Format("2 Jan 2006")
	case sy == ey && sm == em:
		return strconv.Itoa(sd) + "–" + end.Format("2 Jan 2006")
	case sy == ey:
		return start.Format("2 Jan") + " – " + end.Format("2 Jan 2006")
	default:
		return start.Format("2 Jan 2006") + " – " + end.Format("2 Jan 2006")
	}
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func renderSubject(tmpl string, data SubjectData) (string, error) {
	if tmpl == "" {
		tmpl = DefaultDigestSubject
	}
	t, err := texttemplate.New("subject").Funcs(texttemplate.FuncMap{"plural": plural}).Parse(tmpl)
	if err != nil {
		return "", fmt.Errorf("render digest: subject template: %w", err)
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("render digest: subject template: %w", err)
	}
	// One line: a newline from the template must not reach a mail header.
	s := strings.Join(strings.Fields(cleanText(b.String(), true)), " ")
	if s == "" {
		return "", fmt.Errorf("render digest: subject template %q gives an empty subject", tmpl)
	}
	return s, nil
}

// plural returns singular when n is 1, else pluralForm.
func plural(n int, singular, pluralForm string) string {
	if n == 1 {
		return singular
	}
	return pluralForm
}

// countNoun is "1 entry", "34 entries".
func countNoun(n int, singular, pluralForm string) string {
	return strconv.Itoa(n) + " " + plural(n, singular, pluralForm)
}

// viewBuilder turns the grouped entries into DigestData for a given split
// between units in full, by title, and only counted.
type viewBuilder struct {
	info    DigestInfo
	loc     *time.Location
	groups  []DigestGroup
	units   []*unit   // in listing order
	byGroup [][]*unit // each group's units, in listing order
	cum     []int     // cum[k]: entries in the first k units in budget order
	subject string
	period  string
	count   int
	sources int
	// textComplete: the text part lists every entry in full.
	textComplete bool
}

// data shows the first full units in budget order in full and the next
// compact by title. forText strips bidi controls, which plain text cannot
// isolate.
func (b *viewBuilder) data(full, compact int, forText bool) DigestData {
	clean := func(s string) string { return strings.TrimSpace(cleanText(s, forText)) }
	d := DigestData{
		Title:        cmp.Or(clean(b.info.Title), "netdigest"),
		Subject:      b.subject,
		FeedURL:      HTTPURL(b.info.FeedURL),
		PageURL:      HTTPURL(b.info.PageURL),
		ArchiveURL:   HTTPURL(b.info.ArchiveURL),
		Period:       b.period,
		Count:        b.count,
		Sources:      b.sources,
		Shown:        b.entriesIn(full),
		Truncated:    b.entriesIn(full+compact) - b.entriesIn(full),
		TextComplete: b.textComplete,
	}
	for _, rd := range b.info.Rejected {
		d.Rejected = append(d.Rejected, RejectedData{
			Subject: clean(rd.Subject), Date: rd.Created.In(b.loc).Format("2 Jan 2006"),
			Reason: clean(rd.Reason), URL: HTTPURL(rd.URL),
		})
	}
	d.Omitted = b.count - d.Shown - d.Truncated
	if u := strings.TrimSpace(b.info.Unsubscribe); u != "" {
		if link := unsubscribeURL(u); link != "" {
			d.Unsubscribe = link
		} else {
			d.UnsubscribeText = clean(u)
		}
	}
	switch {
	case b.count == 0 && b.period != "":
		d.Headline = "No new entries, " + b.period
	case b.count == 0:
		d.Headline = "No new entries"
	default:
		d.Headline = countNoun(b.count, "new entry", "new entries") + " from " + countNoun(b.sources, "source", "sources")
		if b.period != "" {
			d.Headline += ", " + b.period
		}
	}

	d.Groups, d.Links = b.groupData(full, compact, forText)
	var contents []string
	for _, gd := range d.Groups {
		contents = append(contents, gd.Name+" ("+strconv.Itoa(gd.Count)+")")
	}
	d.Contents = strings.Join(contents, ", ")
	d.Preheader = d.Headline
	if d.Contents != "" {
		d.Preheader += ". In this digest: " + d.Contents
	}
	return d
}

// groupData is the groups as templates show them, the units ranked below
// full in full, the next compact by title, the rest counted, and every
// link shown numbered in listing order.
func (b *viewBuilder) groupData(full, compact int, forText bool) ([]GroupData, []LinkData) {
	clean := func(s string) string { return strings.TrimSpace(cleanText(s, forText)) }
	var links []LinkData
	// number gives a shown link its number: the text part lists every
	// link, title-only ones too (the HTML links their titles).
	number := func(link string) int {
		if link == "" {
			return 0
		}
		links = append(links, LinkData{Num: len(links) + 1, URL: link})
		return len(links)
	}
	title := func(e *entry.Entry) string { return cmp.Or(clean(e.Title), "(untitled)") }
	people := func(names []string) string {
		var out []string
		for _, a := range names {
			if a = clean(a); a != "" {
				out = append(out, a)
			}
		}
		return strings.Join(out, ", ")
	}
	summary := func(e *entry.Entry) string { return strings.Join(strings.Fields(clean(e.Summary)), " ") }

	var out []GroupData
	for g, grp := range b.groups {
		gd := GroupData{Name: clean(grp.Name), Kind: grp.Kind, Count: len(grp.Entries)}
		coming := len(grp.Coming)
		for k, u := range b.byGroup[g] {
			if u.rank >= full+compact {
				gd.Omitted += u.entries
				continue
			}
			main := u.first()
			link := HTTPURL(main.Link)
			if u.rank >= full {
				gd.Also = append(gd.Also, EntryData{Title: title(main), Link: link, Num: number(link)})
				continue
			}
			if t := u.talk; t != nil {
				td := TalkData{Title: title(main), Link: link, Num: number(link), Speakers: people(talkSpeakers(t))}
				if !t.Start.IsZero() {
					td.When, td.ISO = talkWhen(t.Start, t.End), t.Start.Format(time.RFC3339)
				}
				// The abstract's text, else the report's, else the first
				// trace with any.
				for _, e := range t.Traces {
					if td.Summary = summary(&e); td.Summary != "" {
						break
					}
				}
				for i := range t.Traces {
					e := &t.Traces[i]
					tr := TraceData{Label: clean(traceLabel(e)), Link: HTTPURL(e.Link), Num: td.Num}
					if i > 0 { // the main trace's link has its number already
						tr.Num = number(tr.Link)
					}
					td.Traces = append(td.Traces, tr)
				}
				if k < coming {
					gd.Coming = append(gd.Coming, td)
				} else {
					gd.Talks = append(gd.Talks, td)
				}
				continue
			}
			e := u.e
			ed := EntryData{Title: title(e), Link: link, Num: number(link), Source: clean(e.Source),
				Authors: people(e.Byline()), Summary: summary(e)}
			if t := e.Date(); !t.IsZero() {
				ed.Time, ed.ISO = t, t.UTC().Format(time.RFC3339)
				ed.Date = t.In(b.loc).Format("2 Jan 2006")
			}
			gd.Entries = append(gd.Entries, ed)
		}
		out = append(out, gd)
	}
	return out, links
}

// talkSpeakers are the speakers of the first trace that names any.
func talkSpeakers(t *Talk) []string {
	for _, e := range t.Traces {
		if len(e.Speakers) > 0 {
			var out []string
			for _, s := range e.Speakers {
				if s.Name != "" {
					out = append(out, s.String())
				}
			}
			return out
		}
	}
	return nil
}

// traceLabel says what a trace is to its talk: "Abstract", "Write-up by
// nevola" (its author, else its source), "Notes", "Slides", "Video".
func traceLabel(e *entry.Entry) string {
	switch e.Role {
	case entry.RoleAbstract:
		return "Abstract"
	case entry.RoleReport:
		by := e.Source
		if len(e.Authors) > 0 && strings.TrimSpace(e.Authors[0]) != "" {
			by = e.Authors[0]
		}
		return "Write-up by " + by
	case entry.RoleNotes:
		return "Notes"
	case entry.RoleSlides:
		return "Slides"
	case entry.RoleVideo:
		return "Video"
	}
	return cmp.Or(e.Source, "News")
}

// talkWhen is a talk's time in its own zone: "Thu 11 Dec 2025, 11:30–12:00
// JST", or "Wed 19 Aug 2015" for a talk known only by its day (00:00 UTC,
// no end, as entry.Entry's EventStart says).
func talkWhen(start, end time.Time) string {
	if end.IsZero() && start.Location() == time.UTC && start.Equal(startOfDay(start)) {
		return start.Format("Mon 2 Jan 2006")
	}
	s := start.Format("Mon 2 Jan 2006, 15:04")
	if end = end.In(start.Location()); !end.IsZero() && startOfDay(end).Equal(startOfDay(start)) {
		s += "–" + end.Format("15:04")
	}
	return s + " " + start.Format("MST")
}

// Views is the groups as the web page shows them: every card and entry in
// full, dates in loc, with the digest's own mapping of entries to views.
func Views(groups []DigestGroup, loc *time.Location) []GroupData {
	if loc == nil {
		loc = time.UTC
	}
	b := newViewBuilder(groups, loc)
	out, _ := b.groupData(len(b.units), 0, false)
	return out
}

// HTTPURL returns s when it is an absolute http(s) URL with a host, else "":
// anything else (javascript:, data:, file:, relative) is dropped rather than
// linked, or left for html/template to replace with "#ZgotmplZ". The web
// page uses it for the same links.
func HTTPURL(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	if scheme := strings.ToLower(u.Scheme); scheme != "http" && scheme != "https" {
		return ""
	}
	return s
}

// unsubscribeURL accepts http(s) and mailto: URLs.
func unsubscribeURL(s string) string {
	if u := HTTPURL(s); u != "" {
		return u
	}
	u, err := url.Parse(s)
	if err == nil && strings.EqualFold(u.Scheme, "mailto") && u.Opaque != "" {
		return s
	}
	return ""
}

// cleanText drops control characters (other whitespace becomes a space) and,
// with stripBidi, the bidi embedding, override and isolate controls, which
// plain text has no way to contain. HTML keeps them inside <bdi>.
func cleanText(s string, stripBidi bool) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v':
			return ' '
		case unicode.IsControl(r):
			return -1
		case stripBidi && isBidiControl(r):
			return -1
		}
		return r
	}, s)
}

func isBidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// templateFuncs are available to both digest templates.
func templateFuncs() map[string]any {
	return map[string]any{
		"plural": plural,
		"count":  countNoun,
		// wrap and heading are for the text part.
		"wrap":    func(prefix, s string) string { return wrapText(prefix, s, TextWidth) },
		"heading": func(underline, s string) string { return headingText(underline, s, TextWidth) },
		// ref is a title's link number: " [3]", or "" without link.
		"ref": func(num int) string {
			if num == 0 {
				return ""
			}
			return " [" + strconv.Itoa(num) + "]"
		},
		// traces is a talk's traces for the text part: "Abstract [1] ·
		// Notes [2] · Write-up by nevola [3]".
		"traces": func(ts []TraceData) string {
			parts := make([]string, len(ts))
			for i, t := range ts {
				parts[i] = t.Label
				if t.Num > 0 {
					parts[i] += " [" + strconv.Itoa(t.Num) + "]"
				}
			}
			return strings.Join(parts, " · ")
		},
		// join joins the non-empty parts.
		"join": func(sep string, parts ...string) string {
			return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), sep)
		},
	}
}

// sampleData exercises every field and branch a template is likely to use.
func sampleData() DigestData {
	e := EntryData{
		Title: "Sample", Link: "https://example.org/a", Num: 1, Source: "example",
		Date: "1 Jan 2026", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ISO: "2026-01-01T00:00:00Z",
		Authors: "A. Author", Summary: "Summary.",
	}
	talk := TalkData{
		Title: "Sample talk", Link: "https://example.org/t", Num: 1, Speakers: "A. Speaker (Example)",
		When: "Thu 1 Jan 2026, 10:00–10:30 UTC", ISO: "2026-01-01T10:00:00Z", Summary: "Abstract.",
		Traces: []TraceData{{Label: "Abstract", Link: "https://example.org/t", Num: 1}, {Label: "Notes"}},
	}
	return DigestData{
		Title: "netdigest", Subject: "netdigest: 3 new entries · 1 Jan 2026",
		FeedURL: "https://example.org/feed.atom", PageURL: "https://example.org/",
		Period: "1 Jan 2026", Headline: "3 new entries from 1 source, 1 Jan 2026",
		Contents: "Sample (3)", Preheader: "3 new entries", Unsubscribe: "mailto:digest@example.org",
		Count: 3, Sources: 1, Shown: 1, Truncated: 1, Omitted: 1,
		Groups: []GroupData{
			{Name: "Conference", Kind: KindConference, Count: 3, Coming: []TalkData{talk}, Talks: []TalkData{talk},
				Entries: []EntryData{e}},
			{Name: "Sample", Kind: KindOther, Count: 3, Entries: []EntryData{e}, Also: []EntryData{e}, Omitted: 1}},
		Links:    []LinkData{{Num: 1, URL: e.Link}},
		Rejected: []RejectedData{{Subject: "netdigest: 2 new entries", Date: "1 Jan 2026", Reason: "552 too large", URL: "https://example.org/digests/x"}},
	}
}
