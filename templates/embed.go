// Package templates ships netdigest's default output templates:
// digest.html.tmpl (html/template) and digest.txt.tmpl (text/template), the
// two parts of the digest email. A user's override directory holding files
// of the same names replaces them (see render.NewDigestRenderer).
package templates

import "embed"

// FS holds every *.tmpl file of this directory. It is never written to: an
// embed.FS is read-only, so exporting it shares no mutable state.
//
//go:embed *.tmpl
var FS embed.FS
