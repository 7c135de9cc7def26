// Package normalize turns the bytes of a source into entries: it parses
// (gofeed for feeds; later goquery for pages), converts to UTF-8, makes links
// absolute and canonical, sanitizes HTML, writes a plain summary and picks a
// stable id. It does no I/O and imports neither the store nor the config.
package normalize

import (
	"cmp"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/keyword"
)

// Version numbers the output rules of Entries: bump it whenever the same
// item can normalize to different Content, Summary or ContentHash, so that
// the store tells a change of netdigest's rules from a change at the source
// (entry.Entry.NormVersion). 1: the rules before it was recorded; 2: HTML
// is sanitized as published, no longer after a parse and render by the
// HTML parser: only the tags whose relative URLs are resolved are written
// again (SVG and MathML still go through the parser); 3: content is capped
// (Source.MaxContentBytes), characters XML forbids are stripped from every
// field, Atom and JSON Feed items without authors take the feed's, and links
// that differ only by a fragment keep it. 4: the talk fields (event start
// and end, speakers, session, track, role); an Indico contribution's start
// is its EventStart, no longer its Published, and speakers are Speakers
// rather than Authors. 5: RSS items without authors take the channel's
// (managingEditor, dc:creator, itunes:author). RawHash includes it, so a new
// version normalizes every item again.
const Version = 5

// Source is what normalize needs to know of where items came from.
type Source struct {
	Name string
	// URL is where the bytes came from (final, after redirects), as links
	// may show it: the pipeline passes it without userinfo and query.
	URL        string
	Conference string
	Tags       []string
	// Include, when set, keeps only items whose title or text matches it
	// ("only the networking posts of a general blog"); Exclude drops items
	// that match it and wins over Include.
	Include, Exclude *keyword.Matcher
	// MaxItems bounds the entries taken from one document (the newest);
	// MaxContentBytes bounds an entry's Content. Zero means the default
	// (DefaultMaxItems, DefaultMaxContentBytes).
	MaxItems, MaxContentBytes int
	// Role, when set, is the role of every entry of the source (a write-up
	// blog says "report"), over what its parser found.
	Role entry.Role
}

// Topic tags entries whose title or text mentions it.
type Topic struct {
	Name  string
	Match *keyword.Matcher
}

// Item is one parsed item before normalization: the common output of every
// source kind's parser. Fields hold the source's raw values.
type Item struct {
	GUID        string
	Title       string
	Link        string
	BaseURL     string // xml:base in effect for the item, "" for the document's
	Authors     []string
	Published   time.Time // zero when the item has no usable date
	Updated     time.Time
	ContentHTML string
	SummaryHTML string // description/summary as published (HTML or text)
	Categories  []string
	// Anchor names the item's place inside the page at Link when several
	// items share one page (a write-up split at its talk headings): the
	// entry links to Link#Anchor and takes an id made from page and anchor.
	Anchor string

	// Talk fields (entry.Entry's), as the source gives them. Event times
	// keep their time zone; Speakers' names and affiliations may hold
	// markup, as titles do. Omitted from JSON when unset, so the parsers'
	// golden files show them only where a source gives them.
	EventStart time.Time       `json:",omitzero"`
	EventEnd   time.Time       `json:",omitzero"`
	Speakers   []entry.Speaker `json:",omitempty"`
	Session    string          `json:",omitempty"`
	Track      string          `json:",omitempty"`
	Role       entry.Role      `json:",omitempty"` // "" leaves it to the source, else news
}

// Document is a parsed source: its own metadata and its items.
type Document struct {
	ID    string // the feed's own id (Atom's <id>), "" for formats without one
	Title string
	Link  string // the site the document describes (alternate link)
	Items []Item
	// Warnings report what was skipped or guessed in a partial result
	// (an item without a title, a date that did not parse…).
	Warnings []string
}

// Normalizer holds what is built once and reused (the sanitizing policy).
// The zero value is not usable; call New. A Normalizer is safe for
// concurrent use.
type Normalizer struct {
	content *bluemonday.Policy // for Entry.Content
	topics  []Topic
}

// New returns a Normalizer that tags entries with the given topics.
func New(topics ...Topic) *Normalizer {
	return &Normalizer{content: newContentPolicy(), topics: topics}
}

// Entries normalizes a document's items into entries, dropping duplicates
// within the document (same id: first wins). Of a document with more than
// src.MaxItems items only the newest are taken, and a warning naming the
// others is added to doc.Warnings.
// now clamps dates more than a day in the future (a zero now clamps nothing).
func (n *Normalizer) Entries(src Source, doc *Document, now time.Time) []entry.Entry {
	out, _ := n.EntriesSkipping(src, doc, now, nil)
	return out
}

// EntriesSkipping is Entries for a document stored before: an item whose
// RawHash is a key of known (raw hash → entry id, as the store has them for
// the source) would normalize to the entry already stored, so it is not
// normalized again, nor returned; skipped counts those. Its id still counts
// for the dedupe within the document, so a later item with the same id is
// dropped as Entries would drop it. Filters and topics are not applied to
// a skipped item: it is stored already, and they never rewrite stored
// entries (see tagTopics). An item dated more than a day after now
// is normalized anyway: its clamped date was stored as first seen, and once
// now passes it the item's own date must replace it.
func (n *Normalizer) EntriesSkipping(src Source, doc *Document, now time.Time, known map[string]string) (
	out []entry.Entry, skipped int) {
	if doc == nil {
		return nil, 0
	}
	keep, warning := keptItems(&src, doc)
	if warning != "" {
		doc.Warnings = append(doc.Warnings, warning)
	}
	size := min(len(doc.Items), src.maxItems())
	out = make([]entry.Entry, 0, size)
	seenID := make(map[string]bool, size)
	needText := len(n.topics) > 0 || src.Include != nil || src.Exclude != nil
	for i := range doc.Items {
		if keep != nil && !keep[i] {
			continue
		}
		it := &doc.Items[i]
		raw := RawHash(src, doc, it)
		if id, ok := known[raw]; ok && !inFuture(it, now) {
			if !seenID[id] {
				seenID[id] = true
				skipped++
			}
			continue
		}
		e, text := n.entry(src, doc, it, now, needText)
		e.RawHash = raw
		if !src.keeps(e.Title, text) {
			continue
		}
		n.tagTopics(&e, text)
		// Only the id dedupes within a document: items without a GUID take
		// their link as id, and items with distinct GUIDs are distinct posts
		// even when their links differ only by a fragment.
		if seenID[e.ID] {
			continue
		}
		seenID[e.ID] = true
		out = append(out, e)
	}
	return out, skipped
}

// inFuture reports whether clampFuture drops one of the item's dates at now.
func inFuture(it *Item, now time.Time) bool {
	return (!it.Published.IsZero() && clampFuture(it.Published, now).IsZero()) ||
		(!it.Updated.IsZero() && clampFuture(it.Updated, now).IsZero())
}

// keeps applies the source's include/exclude filters.
func (src *Source) keeps(title, text string) bool {
	if src.Exclude.Match(title, text) {
		return false
	}
	return src.Include == nil || src.Include.Match(title, text)
}

// tagTopics adds the name of every topic the entry mentions to its tags.
// The content hash is computed before, so a new topic in the config does not
// make every stored entry look changed.
func (n *Normalizer) tagTopics(e *entry.Entry, text string) {
	var names []string
	for _, t := range n.topics {
		if t.Match.Match(e.Title, text) {
			names = append(names, t.Name)
		}
	}
	if len(names) > 0 {
		e.Tags = mergeTags(e.Tags, names)
	}
}

// entry normalizes one item. With needText it also returns the item's plain
// text (of the whole content, not the cut summary) for filters and topics.
func (n *Normalizer) entry(src Source, doc *Document, it *Item, now time.Time, needText bool) (entry.Entry, string) {
	link, err := CanonicalLink(it.Link, it.BaseURL, doc.Link, src.URL)
	if err != nil {
		link = "" // no usable link (absent, javascript:, mailto:, relative without base)
	}
	guid := strings.TrimSpace(it.GUID)
	if it.Anchor != "" && link != "" {
		// Items sharing one page: the anchor keeps their links apart (so
		// dedupe by link does not merge them) and their ids carry no
		// fragment, which canonical links would drop.
		if guid == "" {
			page := strings.TrimSuffix(link[strings.Index(link, "://")+3:], "/")
			guid = page + "/" + it.Anchor
		}
		link += "#" + it.Anchor
	}

	rawContent := it.ContentHTML
	if strings.TrimSpace(rawContent) == "" {
		rawContent = it.SummaryHTML
	}
	content := ""
	if strings.TrimSpace(rawContent) != "" {
		// Relative URLs in content are relative to the item's xml:base, else
		// to the item's own page.
		base := resolveBases([]string{it.BaseURL, link, doc.Link, src.URL})
		if base != nil {
			rawContent = AbsolutizeHTML(rawContent, base.String())
		}
		content = capContent(strings.TrimSpace(n.content.Sanitize(rawContent)), src.maxContentBytes(), link)
	}

	rawSummary := it.SummaryHTML
	if strings.TrimSpace(rawSummary) == "" {
		rawSummary = it.ContentHTML
	}
	text := PlainText(rawSummary)
	summary := Truncate(text, summaryRunes)

	title := PlainText(it.Title)
	if title == "" {
		title = firstWords(text, titleWords)
	}

	var authors []string
	for _, a := range it.Authors {
		if a = PlainText(a); a != "" {
			authors = append(authors, a)
		}
	}

	pub, upd := clampFuture(it.Published, now), clampFuture(it.Updated, now)
	if pub.IsZero() {
		pub = upd
	}
	if upd.IsZero() {
		upd = pub
	}

	e := entry.Entry{
		EventStart:  eventTime(it.EventStart),
		EventEnd:    eventTime(it.EventEnd),
		Speakers:    speakers(it.Speakers),
		Session:     PlainText(it.Session),
		Track:       PlainText(it.Track),
		Role:        cmp.Or(src.Role, it.Role, entry.RoleNews),
		ID:          EntryID(src.Name, guid, link, title, pub),
		GUID:        guid,
		Source:      src.Name,
		Title:       title,
		Link:        link,
		Authors:     authors,
		Published:   pub,
		Updated:     upd,
		Content:     content,
		Summary:     summary,
		Tags:        mergeTags(it.Categories, src.Tags),
		Conference:  src.Conference,
		NormVersion: Version,
	}
	xmlSafeEntry(&e)
	e.ContentHash = ContentHash(&e)
	if !needText {
		return e, ""
	}
	fullText := text
	if rawContent != rawSummary {
		fullText = text + "\n" + PlainText(rawContent)
	}
	return e, fullText
}

// clampFuture returns t in UTC, or zero when it is more than a day after now
// or outside years 0000-9999 in UTC: such dates are wrong clocks or
// placeholders ("0000-01-01T00:00:00+01:00" is year -1 in UTC), would pin an
// entry to the top of every listing, and RFC 3339 cannot write them.
func clampFuture(t, now time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return time.Time{}
	}
	if !now.IsZero() && t.After(now.Add(24*time.Hour)) {
		return time.Time{}
	}
	return t
}

// eventTime is a talk's time as given, in its own zone: only a time RFC
// 3339 cannot write (outside years 0000-9999 in UTC) is dropped. A talk
// may be ahead, so unlike a publication date it is never clamped.
func eventTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return time.Time{}
	}
	return t
}

// speakers makes names and affiliations plain text, dropping speakers
// without a name and repeated ones; nil when none is left.
func speakers(in []entry.Speaker) []entry.Speaker {
	var out []entry.Speaker
	seen := make(map[string]bool, len(in))
	for _, s := range in {
		s = entry.Speaker{Name: PlainText(s.Name), Affiliation: PlainText(s.Affiliation)}
		if s.Name == "" || seen[strings.ToLower(s.Name)] {
			continue
		}
		seen[strings.ToLower(s.Name)] = true
		out = append(out, s)
	}
	return out
}

// mergeTags joins an item's categories and the source's tags: trimmed,
// empty ones dropped, duplicates (ignoring case) dropped keeping the first
// spelling. nil when there are none.
func mergeTags(lists ...[]string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, l := range lists {
		for _, t := range l {
			t = strings.Join(strings.Fields(t), " ")
			k := strings.ToLower(t)
			if t == "" || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, t)
		}
	}
	return out
}
