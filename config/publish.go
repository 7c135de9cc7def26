package config

import "gopkg.in/yaml.v3"

// Publish says which parts of the whole get feeds written as files beside
// feed.atom by run and serve (<output>/topics/<slug>.atom, .json, .rss, and
// the same under conferences/), for a static web server. The daemon serves
// them whatever this says.
type Publish struct {
	Topics      bool
	Conferences bool
}

// publish reads `publish: {topics: true, conferences: true}`.
func (p *parser) publish(v *yaml.Node, dst *Publish) {
	if v.Kind != yaml.MappingNode {
		p.errorf(v, "publish must be a mapping (e.g. {topics: true, conferences: true})")
		return
	}
	p.fields(v, "publish", map[string]func(*yaml.Node){
		"topics":      func(v *yaml.Node) { p.decode(v, &dst.Topics) },
		"conferences": func(v *yaml.Node) { p.decode(v, &dst.Conferences) },
	})
}
