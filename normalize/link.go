package normalize

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNotHTTP is returned by CanonicalLink for a link that does not resolve to
// an absolute http or https URL (javascript:, mailto:, a relative reference
// with no absolute base).
var ErrNotHTTP = errors.New("not an absolute http(s) URL")

// CanonicalLink resolves raw against bases and returns it in canonical form:
// absolute http(s), scheme and host lower-cased, default port dropped,
// fragment dropped, utm_* query parameters dropped (the others kept in
// order, whitespace in the query percent-encoded), an empty path written "/".
//
// bases are given innermost first (an item's xml:base, the document's link,
// the URL the document was fetched from); each relative base is itself
// resolved against the ones after it, and empty bases are skipped.
func CanonicalLink(raw string, bases ...string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("canonical link: empty: %w", ErrNotHTTP)
	}
	ref, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("canonical link %q: %w", raw, err)
	}
	u := ref
	if base := resolveBases(bases); base != nil {
		u = base.ResolveReference(ref)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("canonical link %q: %w", raw, ErrNotHTTP)
	}
	u.Host = strings.ToLower(u.Host)
	if port := u.Port(); (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		u.Host = strings.TrimSuffix(u.Host, ":"+port)
	}
	u.Host = strings.TrimSuffix(u.Host, ":") // "example.com:" has an empty port
	if u.Hostname() == "" {
		// "http://:80/" has a port and no host (found by FuzzCanonicalLink).
		return "", fmt.Errorf("canonical link %q: no host: %w", raw, ErrNotHTTP)
	}
	u.Fragment, u.RawFragment = "", ""
	u.RawQuery = escapeSpace(dropTrackingParams(u.RawQuery))
	u.ForceQuery = false
	if u.Path == "" && u.Opaque == "" {
		u.Path, u.RawPath = "/", ""
	}
	return u.String(), nil
}

// resolveBases folds bases from the outermost (last) inwards and returns the
// effective absolute base, or nil when none is absolute.
func resolveBases(bases []string) *url.URL {
	var eff *url.URL
	for i := len(bases) - 1; i >= 0; i-- {
		s := strings.TrimSpace(bases[i])
		if s == "" {
			continue
		}
		b, err := url.Parse(s)
		if err != nil {
			continue
		}
		if eff != nil {
			b = eff.ResolveReference(b)
		}
		if b.IsAbs() {
			eff = b
		}
	}
	return eff
}

// escapeSpace percent-encodes the whitespace url.Parse lets through in a raw
// query (url.URL.String writes RawQuery as it is): "?q=a b" is "?q=a%20b",
// as a browser would send it. Left raw, a query ending in whitespace lost it
// when the link was trimmed and canonicalized again (found by
// FuzzCanonicalLink: "http://0/? " became "http://0/").
func escapeSpace(rawQuery string) string {
	if strings.IndexFunc(rawQuery, unicode.IsSpace) < 0 {
		return rawQuery
	}
	var b strings.Builder
	for _, r := range rawQuery {
		if !unicode.IsSpace(r) {
			b.WriteRune(r)
			continue
		}
		var buf [utf8.UTFMax]byte
		for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// dropTrackingParams removes utm_* parameters from a raw query, keeping the
// others byte for byte and in order (url.Values would re-encode and sort).
func dropTrackingParams(rawQuery string) string {
	if rawQuery == "" {
		return ""
	}
	parts := strings.Split(rawQuery, "&")
	kept := parts[:0]
	for _, p := range parts {
		if p == "" {
			continue
		}
		name, _, _ := strings.Cut(p, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if strings.HasPrefix(strings.ToLower(name), "utm_") {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "&")
}
