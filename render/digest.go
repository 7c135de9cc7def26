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
	// ones only counted, to keep it under MaxHTMLBytes. Both are the oldest
	// entries; the HTML then links PageURL for the full list.
	Truncated int
	Omitted   int
	// TextTruncated and TextOmitted are the same for the text part and
	// MaxTextBytes.
	TextTruncated int
	TextOmitted   int
}

// DigestGroup is one heading of the digest.
type DigestGroup struct {
	Name    string
	Kind    string // KindConference, KindTopic or KindOther
	Entries []entry.Entry
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
	Name    string
	Kind    string
	Count   int         // all entries of the group
	Entries []EntryData // shown in full
	Also    []EntryData // shown by title only
	Omitted int         // only counted
}

// EntryData is one entry as a template shows it.
type EntryData struct {
	Title   string
	Link    string // http(s) or ""
	Num     int    // the link's number in Links, 0 without link
	Source  string
	Date    string // "19 Nov 2026", "" when unknown
	Time    time.Time
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
// Groups: one per conference (newest first), then one per topic of
// info.Topics that an entry without conference carries as a tag (the first
// such topic wins), then OtherNews; newest entry first within each. The text
// part lists every entry in full. When the HTML part would exceed
// MaxHTMLBytes, the oldest entries are listed by title only; when even that
// does not fit, half of the budget goes to the newest entries in full, as
// many titles as fit follow, and the rest are counted (Digest.Omitted).
func (r *DigestRenderer) Render(info DigestInfo, entries []entry.Entry) (*Digest, error) {
	loc := info.Location
	if loc == nil {
		loc = time.UTC
	}
	maxBytes := info.MaxHTMLBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxHTMLBytes
	}

	groups := groupEntries(entries, info.Topics)
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

	b := viewBuilder{
		info: info, loc: loc, groups: groups, subject: subject, period: period,
		count: len(entries), sources: sources, rank: rankEntries(groups),
	}

	maxText := info.MaxTextBytes
	if maxText <= 0 {
		maxText = maxBytes
	}
	text, textFull, textCompact, err := fitPart(&b, r.text.Execute, true, maxText, ErrTextTooLarge)
	if err != nil {
		return nil, err
	}
	b.textComplete = textFull == len(entries)
	html, full, compact, err := fitPart(&b, r.html.Execute, false, maxBytes, ErrHTMLTooLarge)
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
		Truncated:     compact,
		Omitted:       len(entries) - full - compact,
		TextTruncated: textCompact,
		TextOmitted:   len(entries) - textFull - textCompact,
	}
	return d, nil
}

// fitPart renders one part with the newest full entries in full and the
// next compact ones by title, choosing the largest counts that fit in
// maxBytes; tooLarge is the error when not even the frame fits. The size
// grows with both counts, so binary searches find them.
func fitPart(b *viewBuilder, execute func(io.Writer, any) error, forText bool, maxBytes int, tooLarge error) (out []byte, full, compact int, err error) {
	n := b.count
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

// rankEntries gives each grouped entry its position in newest-first order:
// rank[g][i] of entry i of group g. The HTML shows the lowest ranks first, so
// within a group the entries kept in full are always its top ones.
func rankEntries(groups []DigestGroup) [][]int {
	type pos struct{ g, i int }
	var all []pos
	rank := make([][]int, len(groups))
	for g := range groups {
		rank[g] = make([]int, len(groups[g].Entries))
		for i := range groups[g].Entries {
			all = append(all, pos{g, i})
		}
	}
	slices.SortStableFunc(all, func(a, b pos) int {
		return newerFirst(&groups[a.g].Entries[a.i], &groups[b.g].Entries[b.i])
	})
	for r, p := range all {
		rank[p.g][p.i] = r
	}
	return rank
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
// between entries in full, by title, and only counted.
type viewBuilder struct {
	info    DigestInfo
	loc     *time.Location
	groups  []DigestGroup
	rank    [][]int
	subject string
	period  string
	count   int
	sources int
	// textComplete: the text part lists every entry in full.
	textComplete bool
}

// data shows the full newest entries in full and the next compact by title.
// forText strips bidi controls, which plain text cannot isolate.
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
		Shown:        min(full, b.count),
		Truncated:    min(compact, b.count-min(full, b.count)),
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

	var contents []string
	num := 0
	for g, grp := range b.groups {
		gd := GroupData{Name: clean(grp.Name), Kind: grp.Kind, Count: len(grp.Entries)}
		contents = append(contents, gd.Name+" ("+strconv.Itoa(gd.Count)+")")
		for i := range grp.Entries {
			e := &grp.Entries[i]
			r := b.rank[g][i]
			if r >= full+compact {
				gd.Omitted++
				continue
			}
			ed := EntryData{Title: clean(e.Title), Link: HTTPURL(e.Link)}
			if ed.Title == "" {
				ed.Title = "(untitled)"
			}
			// Titles-only entries are numbered too: the text part lists
			// their links (the HTML links their titles).
			if ed.Link != "" {
				num++
				ed.Num = num
				d.Links = append(d.Links, LinkData{Num: num, URL: ed.Link})
			}
			if r >= full {
				gd.Also = append(gd.Also, ed)
				continue
			}
			ed.Source = clean(e.Source)
			if t := e.Date(); !t.IsZero() {
				ed.Time = t
				ed.Date = t.In(b.loc).Format("2 Jan 2006")
			}
			var authors []string
			for _, a := range e.Byline() {
				if a = clean(a); a != "" {
					authors = append(authors, a)
				}
			}
			ed.Authors = strings.Join(authors, ", ")
			ed.Summary = strings.Join(strings.Fields(clean(e.Summary)), " ")
			gd.Entries = append(gd.Entries, ed)
		}
		d.Groups = append(d.Groups, gd)
	}
	d.Contents = strings.Join(contents, ", ")
	d.Preheader = d.Headline
	if d.Contents != "" {
		d.Preheader += ". In this digest: " + d.Contents
	}
	return d
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
		Date: "1 Jan 2026", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Authors: "A. Author", Summary: "Summary.",
	}
	return DigestData{
		Title: "netdigest", Subject: "netdigest: 3 new entries · 1 Jan 2026",
		FeedURL: "https://example.org/feed.atom", PageURL: "https://example.org/",
		Period: "1 Jan 2026", Headline: "3 new entries from 1 source, 1 Jan 2026",
		Contents: "Sample (3)", Preheader: "3 new entries", Unsubscribe: "mailto:digest@example.org",
		Count: 3, Sources: 1, Shown: 1, Truncated: 1, Omitted: 1,
		Groups: []GroupData{{Name: "Sample", Kind: KindOther, Count: 3,
			Entries: []EntryData{e}, Also: []EntryData{e}, Omitted: 1}},
		Links:    []LinkData{{Num: 1, URL: e.Link}},
		Rejected: []RejectedData{{Subject: "netdigest: 2 new entries", Date: "1 Jan 2026", Reason: "552 too large", URL: "https://example.org/digests/x"}},
	}
}
