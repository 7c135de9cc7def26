package normalize

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/netdigest/netdigest/entry"
)

// EntryID picks an entry's stable id:
//   - guid as-is when it is an absolute URI (a scheme and otherwise
//     parseable, no whitespace: "urn:uuid:…", "tag:…", "https://…");
//   - another non-empty guid ("123", "post-42") becomes
//     "tag:netdigest,2026:" + source + ":" + the path-escaped guid, which is
//     unique per source since such guids are only unique within their feed;
//   - with no guid, link (the canonical link);
//   - with neither, "urn:sha256:" + the hex SHA-256 of source, title and the
//     date in RFC 3339, so that untitled items of two sources differ.
func EntryID(source, guid, link, title string, date time.Time) string {
	guid = strings.TrimSpace(guid)
	if guid != "" {
		if isAbsoluteURI(guid) {
			return guid
		}
		// colons escaped in the source so that the first one after the
		// prefix always ends it
		src := strings.ReplaceAll(url.PathEscape(source), ":", "%3A")
		return "tag:netdigest,2026:" + src + ":" + url.PathEscape(guid)
	}
	if link != "" {
		return link
	}
	sum := sha256.Sum256([]byte(source + "\x00" + title + "\x00" + date.UTC().Format(time.RFC3339)))
	return "urn:sha256:" + hex.EncodeToString(sum[:])
}

func isAbsoluteURI(s string) bool {
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return false
	}
	// "http:foo" or "https:" is a broken link, not an identifier.
	if (u.Scheme == "http" || u.Scheme == "https") && u.Host == "" {
		return false
	}
	return u.Opaque != "" || u.Host != "" || u.Path != ""
}

// ContentHash is the hex SHA-256 of what a reader sees of an entry: title,
// link, content, summary, authors and dates, and its talk fields. It
// changes when the item is edited (a talk moved to another time) and not
// otherwise. The talk fields count only when set, so an entry without them
// keeps the hash it had before they existed.
func ContentHash(e *entry.Entry) string {
	h := sha256.New()
	field := func(name, v string) {
		// length-prefixed so that moving text between fields changes the hash
		fmt.Fprintf(h, "%s %d:%s", name, len(v), v)
	}
	field("title", e.Title)
	field("link", e.Link)
	field("content", e.Content)
	field("summary", e.Summary)
	field("authors", strings.Join(e.Authors, "\x1f"))
	field("published", formatDate(e.Published))
	field("updated", formatDate(e.Updated))
	talk := func(name, v string) {
		if v != "" {
			field(name, v)
		}
	}
	talk("event start", formatEventTime(e.EventStart))
	talk("event end", formatEventTime(e.EventEnd))
	talk("speakers", formatSpeakers(e.Speakers))
	talk("session", e.Session)
	talk("track", e.Track)
	if e.Role != entry.RoleNews {
		talk("role", string(e.Role))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// formatEventTime writes an event time with its zone's name, so a talk
// moved to another zone at the same instant counts as changed.
func formatEventTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339Nano) + " " + t.Location().String()
}

func formatSpeakers(l []entry.Speaker) string {
	parts := make([]string, len(l))
	for i, s := range l {
		parts[i] = s.Name + "\x1e" + s.Affiliation
	}
	return strings.Join(parts, "\x1f")
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// RawHash identifies an item as its parser gave it, together with all that
// Entries reads besides it to normalize it: the rules (Version), the
// source's name, URL, conference, tags, role and content cap, and the document's link. Equal
// raw hashes give equal entries, so an item stored under its raw hash need
// not be normalized again (see EntriesSkipping). Topics and include/exclude
// filters are left out on purpose: like ContentHash, a change of them does
// not rewrite stored entries. 128 bits in hex: the store indexes it.
func RawHash(src Source, doc *Document, it *Item) string {
	h := sha256.New()
	field := func(name, v string) {
		// length-prefixed so that moving text between fields changes the hash
		fmt.Fprintf(h, "%s %d:%s", name, len(v), v)
	}
	field("version", fmt.Sprint(Version))
	field("source", src.Name)
	field("url", src.URL)
	field("conference", src.Conference)
	field("source tags", strings.Join(src.Tags, "\x1f"))
	field("content cap", fmt.Sprint(src.maxContentBytes()))
	field("document link", doc.Link)
	field("guid", it.GUID)
	field("title", it.Title)
	field("link", it.Link)
	field("base", it.BaseURL)
	field("authors", strings.Join(it.Authors, "\x1f"))
	field("published", formatDate(it.Published))
	field("updated", formatDate(it.Updated))
	field("content", it.ContentHTML)
	field("summary", it.SummaryHTML)
	field("categories", strings.Join(it.Categories, "\x1f"))
	field("anchor", it.Anchor)
	field("source role", string(src.Role))
	field("event start", formatEventTime(it.EventStart))
	field("event end", formatEventTime(it.EventEnd))
	field("speakers", formatSpeakers(it.Speakers))
	field("session", it.Session)
	field("track", it.Track)
	field("role", string(it.Role))
	return hex.EncodeToString(h.Sum(nil)[:16])
}
