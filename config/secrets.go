package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/netdigest/netdigest/redact"
)

// Env looks up an environment variable: os.LookupEnv, or a map in tests.
// Secrets (the SMTP password, a token in a source URL) are read through it
// and never stored in the file.
type Env func(name string) (string, bool)

// Secret returns the value of the variable name. Unset and empty are the
// same mistake; the error names the variable, never a value.
func (env Env) Secret(name string) (string, error) {
	if v, ok := env(name); ok && v != "" {
		return v, nil
	}
	return "", fmt.Errorf("environment variable %s is not set (or is empty)", name)
}

// ParseEnv is Parse with ${NAME} in source URLs taken from env instead of
// the process environment.
func ParseEnv(path string, data []byte, env Env) (*Config, error) {
	return parse(path, data, env)
}

// varRef is one ${NAME} reference; varStart finds what looks like the start
// of one, so that a malformed reference is reported rather than kept.
var (
	varRef   = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
	varStart = regexp.MustCompile(`\$\{`)
)

// expandURL replaces each ${NAME} in raw with the variable's value,
// percent-encoded for the part of the URL it stands in. References may stand
// only in the userinfo (user name, password) and the query: the rest of the
// URL (scheme, host, path) is published, so a secret there would be too.
func (p *parser) expandURL(raw string) (string, error) {
	if !varStart.MatchString(raw) {
		return raw, nil
	}
	refs := varRef.FindAllStringSubmatchIndex(raw, -1)
	if len(refs) != len(varStart.FindAllStringIndex(raw, -1)) {
		return "", fmt.Errorf("a ${ without a NAME} (write ${NAME}: letters, digits and _)")
	}
	userinfo, query := urlParts(raw)
	var b strings.Builder
	last := 0
	for _, m := range refs {
		start, end, name := m[0], m[1], raw[m[2]:m[3]]
		var escape func(string) string
		switch {
		case userinfo[0] <= start && end <= userinfo[1]:
			escape = escapeUserinfo
		case query[0] <= start && end <= query[1]:
			escape = url.QueryEscape
		default:
			return "", fmt.Errorf("${%s} stands outside the user name, password and query: the rest of a url is published", name)
		}
		v, err := p.env.Secret(name)
		if err != nil {
			return "", err
		}
		b.WriteString(raw[last:start])
		b.WriteString(escape(v))
		last = end
	}
	b.WriteString(raw[last:])
	return b.String(), nil
}

// urlParts finds the byte ranges of raw's userinfo and query ([start, end),
// empty when absent) by the generic URI syntax, before anything is
// substituted: "scheme://userinfo@host/path?query#fragment".
func urlParts(raw string) (userinfo, query [2]int) {
	userinfo, query = [2]int{-1, -1}, [2]int{-1, -1}
	i := strings.Index(raw, "://")
	if i < 0 {
		return
	}
	authStart := i + 3
	authEnd := len(raw)
	if j := strings.IndexAny(raw[authStart:], "/?#"); j >= 0 {
		authEnd = authStart + j
	}
	if at := strings.LastIndex(raw[authStart:authEnd], "@"); at >= 0 {
		userinfo = [2]int{authStart, authStart + at}
	}
	if q := strings.IndexByte(raw[authEnd:], '?'); q >= 0 {
		qs := authEnd + q + 1
		qe := len(raw)
		if f := strings.IndexByte(raw[qs:], '#'); f >= 0 {
			qe = qs + f
		}
		query = [2]int{qs, qe}
	}
	return
}

// escapeUserinfo percent-encodes v for a user name or password: url.User
// escapes what would end it there (':', '@', '/', '?').
func escapeUserinfo(v string) string { return url.User(v).String() }

// publicURL is what the outputs may say of where a source's entries come
// from: its base when it has one, else its http(s) URL without userinfo and
// query, else (a file:// snapshot) nothing: a local path means nothing to a
// reader and says how the host is laid out.
func publicURL(s Source) string {
	if s.Base != "" {
		return s.Base
	}
	if !isHTTPURL(s.URL) {
		return ""
	}
	return redact.String(s.URL)
}
