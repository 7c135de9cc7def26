// Package redact gives the form of a URL that may be shown to anyone: in
// errors, logs, the CLI's output and every published document. A source URL
// may carry credentials in its userinfo (user:password@) or its query
// (?token=…); this form has neither. It is a leaf package so that fetch (a
// stage) and config share the one rule.
package redact

import "net/url"

// Invalid stands for a URL that does not parse: any part of it could be a
// secret, so none of it is shown.
const Invalid = "(invalid URL)"

// URL returns u without its userinfo, query and fragment: scheme, host and
// path (escaped as u had it).
func URL(u *url.URL) string {
	if u == nil {
		return ""
	}
	if u.Opaque != "" {
		// "scheme:opaque" has no authority; what follows the scheme may be
		// anything, so only the scheme is shown.
		return u.Scheme + ":…"
	}
	v := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return v.String()
}

// String is URL for a URL in text form, Invalid when it does not parse.
func String(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return Invalid
	}
	return URL(u)
}
