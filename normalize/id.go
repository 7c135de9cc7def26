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
// link, content, summary, authors and dates. It changes when the item is
// edited and not otherwise.
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
	return hex.EncodeToString(h.Sum(nil))
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
