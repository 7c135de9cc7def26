package page

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"golang.org/x/net/html"
)

// rule is one compiled selector with its name and text for messages.
type rule struct {
	name string // item, title, link, date, summary, content, author, heading, time
	sel  string
	m    goquery.Matcher
}

// rules are Rules with their selectors compiled; a nil rule was not set.
type rules struct {
	item, title, link, date, summary, content, author, heading *rule
	time                                                       *rule // split.time

	linkAttr, dateAttr, timeAttr string
	layouts                      []string
	pattern                      *regexp.Regexp
}

// compileRules compiles every selector once. A selector that does not
// compile is an error here rather than a silent "matched nothing" (goquery
// matches nothing with an invalid selector).
func compileRules(r Rules) (*rules, error) {
	var errs []error
	compile := func(name, sel string) *rule {
		sel = strings.TrimSpace(sel)
		if sel == "" {
			return nil
		}
		m, err := cascadia.Compile(sel)
		if err != nil {
			errs = append(errs, fmt.Errorf("selector %s=%q: %w", name, sel, err))
			return nil
		}
		return &rule{name: name, sel: sel, m: m}
	}
	rs := &rules{
		item:     compile("item", r.Item),
		title:    compile("title", r.Title),
		link:     compile("link", r.Link),
		date:     compile("date", r.Date),
		summary:  compile("summary", r.Summary),
		content:  compile("content", r.Content),
		author:   compile("author", r.Author),
		linkAttr: strings.TrimSpace(r.LinkAttr),
		dateAttr: strings.TrimSpace(r.DateAttr),
		layouts:  r.DateLayouts,
	}
	if rs.linkAttr == "" {
		rs.linkAttr = "href"
	}
	if r.Split != nil {
		if strings.TrimSpace(r.Split.Heading) == "" {
			errs = append(errs, errors.New("rules: split needs a heading selector"))
		}
		rs.heading = compile("heading", r.Split.Heading)
		rs.pattern = r.Split.Pattern
		rs.time = compile("time", r.Split.Time)
		rs.timeAttr = strings.TrimSpace(r.Split.TimeAttr)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return rs, nil
}

// findIn returns, in document order, the elements matching r inside
// scope: the descendants of its nodes and, with self, the nodes themselves
// (a split entry's scope is a run of siblings, any of which may be the
// wanted element, e.g. a <p class="date">). An item's scope is the item
// element, and the item itself is not a match, as with jQuery's find.
func findIn(scope *goquery.Selection, r *rule, self bool) *goquery.Selection {
	var nodes []*html.Node
	for _, n := range scope.Nodes {
		if self {
			nodes = append(nodes, r.m.MatchAll(n)...)
			continue
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			nodes = append(nodes, r.m.MatchAll(c)...)
		}
	}
	return nodesSel(scope, nodes...)
}

// nodesSel makes a selection of nodes on s's document in a slice of its
// own: s.Slice(0, 0).AddNodes would append into s's backing array and
// overwrite s's nodes.
func nodesSel(s *goquery.Selection, nodes ...*html.Node) *goquery.Selection {
	none := s.FilterFunction(func(int, *goquery.Selection) bool { return false })
	return none.AddNodes(nodes...)
}
