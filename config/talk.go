package config

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/netdigest/netdigest/entry"
)

// role reads a source's role: what its entries are to the talks they are
// about (a write-up blog: report). One of entry.Roles.
func (p *parser) role(v *yaml.Node) entry.Role {
	var s string
	if !p.decode(v, &s) {
		return ""
	}
	r := entry.Role(strings.TrimSpace(s))
	if !slices.Contains(entry.Roles(), r) {
		names := make([]string, 0, len(entry.Roles()))
		for _, k := range entry.Roles() {
			names = append(names, string(k))
		}
		p.errorf(v, "role %q: want one of %s", s, strings.Join(names, ", "))
		return ""
	}
	return r
}
