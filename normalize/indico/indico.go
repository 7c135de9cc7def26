// Package indico reads Indico's HTTP export API
// (/export/event/<id>.json?detail=contributions), as served by the Linux
// Plumbers Conference and other Indico-hosted events, into one item per
// contribution. It does no I/O.
//
// The response shape follows Indico's serializers
// (indico/modules/events/api.py, indico/web/http_api/responses.py):
//
//	{"count": 1, "_type": "HTTPAPIResult", "url": …, "ts": …, "additionalInfo": {},
//	 "results": [{"_type": "Conference", "id": "19", "title": …, "url": "https://lpc.events/event/19/",
//	   "timezone": "Asia/Tokyo", "startDate": {"date": "2025-12-11", "time": "09:00:00", "tz": "Asia/Tokyo"},
//	   "contributions": [{"_type": "Contribution", "id": "101" (the friendly id), "db_id": 2101,
//	     "friendly_id": 101, "title": …, "description": …, "startDate": {…} or null, "duration": 30,
//	     "url": "https://lpc.events/event/19/contributions/2101/", "track": "Networking Track" or null,
//	     "session": "Networking Track" or null, "speakers": [person], "primaryauthors": [person],
//	     "coauthors": [person], …}]}]}
//
// where a person is {"first_name", "last_name", "fullName": "Last, First",
// "affiliation", …}. Dates are in the time zone the request asked for
// (?tz=), by default the server's; "tz" names it. Without
// ?detail=contributions an event has no "contributions" key. The session
// export (/export/event/<id>/session/<sid>.json) answers with session
// blocks ("_type": "SessionSlot") holding "contributions" and their event
// as "conference"; Parse reads those too.
package indico

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/normalize"
)

// Rules pick contributions from an Indico export API response.
type Rules struct {
	Track   string // keep only contributions of this track (or session) title; "" keeps all
	Session string // keep only contributions of this session title; "" keeps all
}

// Errors wrapped by Parse, for callers that branch on the kind of failure.
var (
	// ErrNotExport: the body is not an export API response (not JSON, an
	// HTML page, JSON without "results", an API error message).
	ErrNotExport = errors.New("not an Indico export API response")
	// ErrNoEvent: "results" is empty (an unknown or protected event).
	ErrNoEvent = errors.New("no event in the response")
	// ErrNoDetail: the events carry no contributions at all, because the
	// URL did not ask for them.
	ErrNoDetail = errors.New("no contributions in the response")
	// ErrNoMatch: Rules.Track or Rules.Session names no contribution's
	// track or session.
	ErrNoMatch = errors.New("no contribution matches")
)

// maxWarnings bounds Document.Warnings.
const maxWarnings = 20

// response is the export API's envelope; Message is set instead of
// Results when the API answers with an error.
type response struct {
	Type    string          `json:"_type"`
	Message string          `json:"message"`
	Results json.RawMessage `json:"results"`
}

// event is a result: an event ("Conference"), or a session block
// ("SessionSlot") whose event is Conference.
type event struct {
	Type          string             `json:"_type"`
	ID            flexString         `json:"id"`
	Title         string             `json:"title"`
	URL           string             `json:"url"`
	Timezone      string             `json:"timezone"`
	Contributions *[]json.RawMessage `json:"contributions"` // nil when absent
	Conference    *event             `json:"conference"`
}

type contribution struct {
	ID             flexString `json:"id"`    // the friendly id, or a legacy id
	DBID           flexString `json:"db_id"` // the id in the contribution's URL
	Title          string     `json:"title"`
	Description    string     `json:"description"`
	StartDate      *dateTime  `json:"startDate"` // nil when unscheduled
	EndDate        *dateTime  `json:"endDate"`
	URL            string     `json:"url"`
	Speakers       []*person  `json:"speakers"`
	PrimaryAuthors []*person  `json:"primaryauthors"`
	Duration       float64    `json:"duration"` // minutes
	Track          string     `json:"track"`
	Session        string     `json:"session"`
}

type person struct {
	FullName    string `json:"fullName"` // "Last, First"
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Affiliation string `json:"affiliation"`
}

// dateTime is Indico's serialized datetime: {"date": "2025-12-11",
// "time": "10:00:00", "tz": "Asia/Tokyo"}.
type dateTime struct {
	Date string `json:"date"`
	Time string `json:"time"`
	TZ   string `json:"tz"`
}

// flexString reads an id that Indico versions write as a string or a
// number.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(strings.TrimSpace(s))
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("id: want a string or a number, got %.20s", b)
		}
		*f = flexString(n.String())
	}
	return nil
}

// parser carries one Parse call's state.
type parser struct {
	fetchURL  string
	locations map[string]*time.Location // loaded once per zone name
	warnings  []string
	dropped   int
}

func (p *parser) warnf(format string, args ...any) {
	if len(p.warnings) >= maxWarnings {
		p.dropped++
		return
	}
	p.warnings = append(p.warnings, fmt.Sprintf(format, args...))
}

// Parse reads an export API response into one item per contribution
// (kind indico).
//
// Each item: Title; Speakers the speakers (else the primary authors) with
// their affiliations; ContentHTML the description (kept when it is HTML,
// else escaped into paragraphs); EventStart and EventEnd the start and end
// in their time zone, zero when unscheduled; no Published (a contribution
// has no publication date: the store gives it first-seen); Session, Track
// and Categories the track and session; Role abstract; Link and GUID the
// contribution's URL, Indico's permalink (built from the event's URL and
// db_id when absent).
//
// Rules.Track keeps contributions whose track or session is that title,
// Rules.Session those whose session is; both ignore case. A filter that no
// contribution matches is an error (wrapping ErrNoMatch) that lists the
// tracks and sessions there are. An event without any contribution yet
// gives an empty document with a warning. A field of another type than
// Indico writes ("track" an object) in at least as many contributions as
// decode is the export's shape changing: an error wrapping ErrShape that
// names the field and the type found; fewer are skipped with a warning.
// Errors start with "parse indico: ".
func Parse(body []byte, contentType, fetchURL string, rules Rules) (*normalize.Document, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("parse indico: empty body: %w", ErrNotExport)
	}
	utf, err := normalize.ToUTF8(body, contentType)
	if err != nil {
		return nil, fmt.Errorf("parse indico: %w", err)
	}
	var resp response
	if err := json.Unmarshal(utf, &resp); err != nil {
		return nil, fmt.Errorf("parse indico: %w (%s): %w", ErrNotExport, describeBody(utf, contentType), err)
	}
	if resp.Results == nil || bytes.Equal(resp.Results, []byte("null")) {
		if resp.Message != "" {
			return nil, fmt.Errorf("parse indico: %w: API error: %s", ErrNotExport, resp.Message)
		}
		return nil, fmt.Errorf("parse indico: %w: no \"results\"", ErrNotExport)
	}
	var results []json.RawMessage
	if err := json.Unmarshal(resp.Results, &results); err != nil {
		return nil, fmt.Errorf("parse indico: %w: \"results\" is not a list of events (use /export/event/<id>.json?detail=contributions)", ErrNotExport)
	}
	if len(results) == 0 {
		return nil, fmt.Errorf("parse indico: %w (unknown event id, or an event that needs an API key)", ErrNoEvent)
	}

	p := &parser{fetchURL: fetchURL, locations: make(map[string]*time.Location)}
	doc := &normalize.Document{}
	var (
		items          []normalize.Item
		tracks         []string
		sessions       []string
		decoded        int
		total          int
		withoutDetails int
		misshapen      int   // contributions skipped for a field of another type
		shape          error // the first such field, or an event's
	)
	for i, raw := range results {
		var ev event
		if err := json.Unmarshal(raw, &ev); err != nil {
			// A result that is no object at all is "no result is an event";
			// an event with a field of another type, a shape change.
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && te.Field != "" {
				err = shapeError("event", err)
			}
			if shape == nil && errors.Is(err, ErrShape) {
				shape = fmt.Errorf("result %d: %w", i+1, err)
			}
			p.warnf("result %d skipped: %v", i+1, err)
			continue
		}
		decoded++
		contribs := ev.Contributions
		if ev.Type == "SessionSlot" && ev.Conference != nil {
			ev = *ev.Conference // the block's event, for its title, zone and URL
		}
		eventURL := p.eventURL(&ev)
		if doc.Title == "" {
			doc.Title, doc.Link = strings.TrimSpace(ev.Title), eventURL
		}
		if contribs == nil {
			withoutDetails++
			continue
		}
		for j, craw := range *contribs {
			var c contribution
			if err := json.Unmarshal(craw, &c); err != nil {
				err = shapeError("contribution", err)
				if errors.Is(err, ErrShape) {
					misshapen++
					if shape == nil {
						shape = fmt.Errorf("event %s: contribution %d: %w", ev.ID, j+1, err)
					}
				}
				p.warnf("event %s: contribution %d skipped: %v", ev.ID, j+1, err)
				continue
			}
			total++
			tracks = appendUnique(tracks, c.Track)
			sessions = appendUnique(sessions, c.Session)
			if !rules.keeps(&c) {
				continue
			}
			items = append(items, p.item(&c, &ev, eventURL))
		}
	}
	if decoded == 0 {
		if shape != nil {
			return nil, fmt.Errorf("parse indico: %w", shape)
		}
		return nil, fmt.Errorf("parse indico: %w: no result is an event (%s)", ErrNotExport, strings.Join(p.warnings, "; "))
	}
	// A field of another type in as many contributions as were read is
	// the export's shape changing, not one odd contribution: say so rather
	// than "no contribution matches" or an empty event.
	if misshapen > 0 && misshapen >= total {
		return nil, fmt.Errorf("parse indico: %w (%d of %d contributions)", shape, misshapen, misshapen+total)
	}
	if withoutDetails == decoded {
		return nil, fmt.Errorf("parse indico: %w: add ?detail=contributions to the url", ErrNoDetail)
	}
	switch {
	case total == 0:
		p.warnf("the event has no contributions yet")
	case len(items) == 0:
		return nil, fmt.Errorf("parse indico: %w %s (tracks: %s; sessions: %s)",
			ErrNoMatch, rules.describe(), quoteList(tracks), quoteList(sessions))
	}
	doc.Items = items
	if p.dropped > 0 {
		p.warnings = append(p.warnings, fmt.Sprintf("%d more warnings not shown", p.dropped))
	}
	doc.Warnings = p.warnings
	return doc, nil
}

// keeps reports whether c passes the filters.
func (r Rules) keeps(c *contribution) bool {
	track, session := strings.TrimSpace(r.Track), strings.TrimSpace(r.Session)
	if track != "" && !sameTitle(c.Track, track) && !sameTitle(c.Session, track) {
		return false
	}
	return session == "" || sameTitle(c.Session, session)
}

// describe says what the filters ask for, for the no-match error.
func (r Rules) describe() string {
	var parts []string
	if t := strings.TrimSpace(r.Track); t != "" {
		parts = append(parts, fmt.Sprintf("track %q", t))
	}
	if s := strings.TrimSpace(r.Session); s != "" {
		parts = append(parts, fmt.Sprintf("session %q", s))
	}
	return strings.Join(parts, " and ")
}

func sameTitle(a, b string) bool {
	return strings.EqualFold(strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " "))
}

// item maps one contribution.
func (p *parser) item(c *contribution, ev *event, eventURL string) normalize.Item {
	title := strings.TrimSpace(c.Title)
	if title == "" {
		p.warnf("event %s: contribution %s has no title", ev.ID, c.ID)
	}
	link := p.contributionURL(c, ev, eventURL)
	guid := link
	if guid == "" && ev.ID != "" && c.ID != "" {
		// Not a URI: EntryID scopes it to the source.
		guid = "event/" + string(ev.ID) + "/contribution/" + string(c.ID)
	}
	var categories []string
	for _, s := range []string{c.Track, c.Session} {
		if s = strings.TrimSpace(s); s != "" && !slices.ContainsFunc(categories, func(t string) bool { return sameTitle(t, s) }) {
			categories = append(categories, s)
		}
	}
	people := c.Speakers
	if len(people) == 0 {
		people = c.PrimaryAuthors
	}
	var speakers []entry.Speaker
	for _, pe := range people {
		if s, ok := pe.speaker(); ok {
			speakers = append(speakers, s)
		}
	}
	start := p.dateTime(c, "start", c.StartDate, ev)
	end := p.dateTime(c, "end", c.EndDate, ev)
	if end.IsZero() && !start.IsZero() && c.Duration > 0 {
		end = start.Add(time.Duration(c.Duration) * time.Minute)
	}
	if start.IsZero() || !end.After(start) {
		end = time.Time{} // unscheduled, or a zero-length slot: no end to show
	}
	return normalize.Item{
		GUID:        guid,
		Title:       title,
		Link:        link,
		EventStart:  start,
		EventEnd:    end,
		Speakers:    speakers,
		Session:     strings.TrimSpace(c.Session),
		Track:       strings.TrimSpace(c.Track),
		Role:        entry.RoleAbstract,
		ContentHTML: descriptionHTML(c.Description),
		Categories:  categories,
	}
}

// speaker is the person's "First Last" (else the full name) and
// affiliation; false without a name.
func (pe *person) speaker() (entry.Speaker, bool) {
	if pe == nil {
		return entry.Speaker{}, false
	}
	name := strings.Join(strings.Fields(pe.FirstName+" "+pe.LastName), " ")
	if name == "" {
		name = strings.Join(strings.Fields(pe.FullName), " ")
	}
	if name == "" {
		return entry.Speaker{}, false
	}
	return entry.Speaker{Name: name, Affiliation: strings.Join(strings.Fields(pe.Affiliation), " ")}, true
}

// dateTime returns one of the contribution's dates (which names it) in its
// time zone, zero when it is not scheduled or the date does not parse.
func (p *parser) dateTime(c *contribution, which string, d *dateTime, ev *event) time.Time {
	if d == nil || strings.TrimSpace(d.Date) == "" {
		return time.Time{}
	}
	zone := strings.TrimSpace(d.TZ)
	if zone == "" {
		zone = strings.TrimSpace(ev.Timezone)
	}
	loc := p.location(zone)
	clock := strings.TrimSpace(d.Time)
	if clock == "" {
		clock = "00:00:00"
	}
	s := strings.TrimSpace(d.Date) + " " + clock
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04"} {
		// fractional seconds ("10:00:00.482911") parse without a layout
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t
		}
	}
	p.warnf("contribution %s: %s %q does not parse", c.ID, which, s)
	return time.Time{}
}

// location loads a zone by IANA name, UTC with a warning when unknown.
// "Local" is refused: it would read the host's zone.
func (p *parser) location(name string) *time.Location {
	if loc, ok := p.locations[name]; ok {
		return loc
	}
	loc := time.UTC
	switch {
	case name == "" || strings.EqualFold(name, "UTC"):
	case name == "Local":
		p.warnf("unknown time zone %q: dates taken as UTC", name)
	default:
		l, err := time.LoadLocation(name)
		if err != nil {
			p.warnf("unknown time zone %q: dates taken as UTC", name)
		} else {
			loc = l
		}
	}
	p.locations[name] = loc
	return loc
}

// eventURL is the event's page: its "url", else built from the export URL
// (https://host/export/event/19.json → https://host/event/19/).
func (p *parser) eventURL(ev *event) string {
	if u := absolute(ev.URL, p.fetchURL); u != "" {
		return u
	}
	fu, err := url.Parse(p.fetchURL)
	if err != nil || (fu.Scheme != "http" && fu.Scheme != "https") {
		return ""
	}
	prefix, _, ok := strings.Cut(fu.Path, "/export/")
	if !ok {
		return ""
	}
	id := string(ev.ID)
	if id == "" {
		return ""
	}
	return (&url.URL{Scheme: fu.Scheme, Host: fu.Host, Path: prefix + "/event/" + url.PathEscape(id) + "/"}).String()
}

// contributionURL is the contribution's "url", else the page Indico serves
// it at (/event/<id>/contributions/<db_id>/).
func (p *parser) contributionURL(c *contribution, ev *event, eventURL string) string {
	base := eventURL
	if base == "" {
		base = p.fetchURL
	}
	if u := absolute(c.URL, base); u != "" {
		return u
	}
	if eventURL == "" || c.DBID == "" {
		p.warnf("event %s: contribution %s has no url", ev.ID, c.ID)
		return ""
	}
	return strings.TrimSuffix(eventURL, "/") + "/contributions/" + url.PathEscape(string(c.DBID)) + "/"
}

// absolute resolves ref against base; "" unless the result is http(s).
func absolute(ref, base string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if !r.IsAbs() {
		b, err := url.Parse(base)
		if err != nil || !b.IsAbs() {
			return ""
		}
		r = b.ResolveReference(r)
	}
	if (r.Scheme != "http" && r.Scheme != "https") || r.Host == "" {
		return ""
	}
	return r.String()
}

var (
	// htmlTag recognises a description written in HTML (Indico's rich-text
	// editor) rather than text or Markdown, where "<linux/if.h>" or
	// "<sk_buff>" are text.
	htmlTag = regexp.MustCompile(`(?i)</?(?:p|br|div|span|ul|ol|li|a|em|strong|b|i|u|s|code|pre|blockquote|h[1-6]|table|thead|tbody|tr|td|th|img|hr|sup|sub|dl|dt|dd)(?:\s[^<>]*)?/?>`)
	// blankLine separates paragraphs of a text description.
	blankLine = regexp.MustCompile(`\n[ \t]*\n\s*`)
)

// descriptionHTML keeps an HTML description as it is (the sanitizer runs
// later) and makes text into escaped paragraphs, single line breaks kept.
func descriptionHTML(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"))
	if s == "" {
		return ""
	}
	if htmlTag.MatchString(s) {
		return s
	}
	var b strings.Builder
	for _, para := range blankLine.Split(s, -1) {
		lines := strings.Split(para, "\n")
		for i := range lines {
			lines[i] = html.EscapeString(strings.TrimSpace(lines[i]))
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>") + "</p>")
	}
	return b.String()
}

// describeBody says what a body that is not JSON looks like, for the error.
func describeBody(b []byte, contentType string) string {
	head := bytes.ToLower(bytes.TrimSpace(b))
	if len(head) > 512 {
		head = head[:512]
	}
	what := "not JSON"
	if bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.Contains(head, []byte("<html")) {
		what = "looks like an HTML page"
	}
	if contentType != "" {
		what += ", Content-Type " + contentType
	}
	return what
}

// appendUnique adds s (trimmed, non-empty) unless list has it, ignoring case.
func appendUnique(list []string, s string) []string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" || slices.ContainsFunc(list, func(t string) bool { return strings.EqualFold(t, s) }) {
		return list
	}
	return append(list, s)
}

// quoteList is the sorted, quoted list, "none" when empty.
func quoteList(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	list = slices.Clone(list)
	slices.SortFunc(list, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}
