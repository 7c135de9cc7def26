// Package talks finds the entries of different sources that are traces of
// the same conference talk: a schedule's abstract, a write-up, the room's
// notes. It is a pure function of the entries (no store, no config): the
// pipeline calls Link per conference and the store keeps the pairs.
//
// The evidence is what a person would use: an href in one entry's content to
// the other's own page, titles naming the same talk once normalized, and
// speakers in common. Title words weigh by their rarity among the
// conference's titles, so the words every talk shares count for little. A
// wrong link is worse than a missed one: the threshold is high, an entry
// whose best match is barely ahead of its second is left alone, and a talk
// holds at most one entry of each source.
package talks

import (
	"cmp"
	"html"
	"math"
	"regexp"
	"slices"
	"strings"

	"github.com/netdigest/netdigest/entry"
	"github.com/netdigest/netdigest/normalize"
)

// Pair links two entries, by id, of different sources about one talk. A <
// B. Evidence says why, for logs and the store ("href+title+speaker",
// "title", or "talk" for a pair joined through a third entry of the talk).
type Pair struct {
	A, B     string
	Score    float64
	Evidence string
}

// Threshold is the score a pair needs; a title alike to 0.6 of its weight,
// or an href to the entry's page, reaches it.
const Threshold = 0.6

// margin is how far an entry's best candidate in a source must lead its
// second for the pair to count as unambiguous.
const margin = 0.15

const (
	hrefWeight    = 0.6
	speakerWeight = 0.2
)

// Link returns the pairs among entries: every pair of entries of one talk,
// for each conference, sorted by A then B. Entries without a conference, or
// without an id, are not linked; entries of one source never are.
func Link(entries []entry.Entry) []Pair {
	byConf := map[string][]*entry.Entry{}
	for i := range entries {
		e := &entries[i]
		if e.Conference == "" || e.ID == "" || e.Source == "" {
			continue
		}
		byConf[e.Conference] = append(byConf[e.Conference], e)
	}
	var out []Pair
	for _, es := range byConf {
		out = append(out, linkConference(es)...)
	}
	slices.SortFunc(out, func(x, y Pair) int {
		return cmp.Or(strings.Compare(x.A, y.A), strings.Compare(x.B, y.B))
	})
	return out
}

// variant is one reading of a title; main when it is the title without its
// subtitle.
type variant struct {
	tokens []string
	main   bool
	set    map[string]bool // tokens, once weights are known
	weight float64         // the sum of set's weights
}

// trace is an entry with what the matcher reads of it, computed once.
type trace struct {
	e        *entry.Entry
	variants []variant // its title's token lists: whole, main title, without parentheses
	subtitle bool
	hrefs    map[string]bool
	unique   bool   // no other entry of its source has its link
	text     string // lower-cased title and text, for speaker names
	speakers []string
}

func linkConference(es []*entry.Entry) []Pair {
	abbr := abbreviations(es)
	ts := make([]*trace, len(es))
	for i, e := range es {
		ts[i] = newTrace(e, abbr)
	}
	idf := weights(ts)
	for _, t := range ts {
		for i := range t.variants {
			v := &t.variants[i]
			v.set = make(map[string]bool, len(v.tokens))
			for _, w := range v.tokens {
				if !v.set[w] {
					v.set[w] = true
					v.weight += idf[w]
				}
			}
		}
	}
	uniqueLink := uniqueLinks(es)
	for _, t := range ts {
		t.unique = t.e.Link != "" && uniqueLink[[2]string{t.e.Source, t.e.Link}]
	}

	type cand struct {
		i, j     int
		score    float64
		evidence string
	}
	var cands []cand
	// best and second scores per entry and other source, for the margin
	// rule; sources by index.
	srcIndex := map[string]int{}
	srcOf := make([]int, len(ts))
	for i, t := range ts {
		n, ok := srcIndex[t.e.Source]
		if !ok {
			n = len(srcIndex)
			srcIndex[t.e.Source] = n
		}
		srcOf[i] = n
	}
	best := make([][][2]float64, len(ts))
	for i := range best {
		best[i] = make([][2]float64, len(srcIndex))
	}
	note := func(i, src int, s float64) {
		b := &best[i][src]
		switch {
		case s > b[0]:
			b[1], b[0] = b[0], s
		case s > b[1]:
			b[1] = s
		}
	}
	for i := range ts {
		for j := i + 1; j < len(ts); j++ {
			a, b := ts[i], ts[j]
			if srcOf[i] == srcOf[j] {
				continue
			}
			title := titleScore(a, b, idf)
			var ev []string
			score := title
			if (b.unique && a.hrefs[b.e.Link]) || (a.unique && b.hrefs[a.e.Link]) {
				score += hrefWeight
				ev = append(ev, "href")
			}
			if title >= 0.3 {
				ev = append(ev, "title")
			}
			// Speakers confirm a title or an href; alone (speakerWeight <
			// Threshold) they prove nothing: one speaker, many talks.
			if score > 0 && sharesSpeaker(a, b) {
				score += speakerWeight
				ev = append(ev, "speaker")
			}
			note(i, srcOf[j], score)
			note(j, srcOf[i], score)
			if score >= Threshold {
				cands = append(cands, cand{i, j, score, strings.Join(ev, "+")})
			}
		}
	}
	slices.SortStableFunc(cands, func(x, y cand) int { return cmp.Compare(y.score, x.score) })

	// Greedy, best first, into talks that hold at most one entry per source:
	// this is one-to-one per source pair, and also keeps a chain of links
	// from joining two talks of one schedule.
	talk := make([]int, len(ts)) // talk id per entry, by union-find
	for i := range talk {
		talk[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if talk[i] != i {
			talk[i] = find(talk[i])
		}
		return talk[i]
	}
	members := map[int][]int{}
	for i := range ts {
		members[i] = []int{i}
	}
	direct := map[[2]int]cand{}
	for _, c := range cands {
		if b := best[c.i][srcOf[c.j]]; c.score < b[0] || b[0]-b[1] < margin {
			continue // not i's clear best in j's source
		}
		if b := best[c.j][srcOf[c.i]]; c.score < b[0] || b[0]-b[1] < margin {
			continue
		}
		ri, rj := find(c.i), find(c.j)
		if ri == rj || clash(members[ri], members[rj], ts) {
			continue
		}
		talk[rj] = ri
		members[ri] = append(members[ri], members[rj]...)
		delete(members, rj)
		direct[[2]int{c.i, c.j}] = c
	}

	var out []Pair
	for _, m := range members {
		for x := 0; x < len(m); x++ {
			for y := x + 1; y < len(m); y++ {
				i, j := min(m[x], m[y]), max(m[x], m[y])
				p := Pair{A: ts[i].e.ID, B: ts[j].e.ID, Evidence: "talk"}
				if c, ok := direct[[2]int{i, j}]; ok {
					p.Score, p.Evidence = math.Round(c.score*1000)/1000, c.evidence
				}
				if p.A > p.B {
					p.A, p.B = p.B, p.A
				}
				out = append(out, p)
			}
		}
	}
	return out
}

// clash reports whether two talks hold entries of one source.
func clash(a, b []int, ts []*trace) bool {
	for _, i := range a {
		for _, j := range b {
			if ts[i].e.Source == ts[j].e.Source {
				return true
			}
		}
	}
	return false
}

// uniqueLinks are the (source, link) no other entry of the source shares:
// an href to a page that holds a whole schedule is no evidence for one talk.
func uniqueLinks(es []*entry.Entry) map[[2]string]bool {
	n := map[[2]string]int{}
	for _, e := range es {
		n[[2]string{e.Source, e.Link}]++
	}
	out := map[[2]string]bool{}
	for k, c := range n {
		out[k] = c == 1
	}
	return out
}

func newTrace(e *entry.Entry, abbr map[string]string) *trace {
	t := &trace{e: e, hrefs: hrefs(e)}
	title := stripPrefix(foldQuotes(e.Title))
	whole := Tokens(title, abbr)
	t.variants = []variant{{tokens: whole}}
	if main, ok := mainTitle(title); ok {
		if m := Tokens(main, abbr); len(m) > 0 && len(m) < len(whole) {
			t.subtitle = true
			t.variants = append(t.variants, variant{tokens: m, main: true})
		}
	}
	// An abbreviation beside its expansion, "Kernel TLS (Transport Layer
	// Security) Socket", is also the title without the parenthesis.
	if p := parens.ReplaceAllString(title, " "); p != title {
		t.variants = append(t.variants, variant{tokens: Tokens(p, abbr)})
	}
	t.text = " " + strings.Join(words(foldQuotes(e.Title+" "+e.Summary+" "+html.UnescapeString(tags.ReplaceAllString(e.Content, " ")))), " ") + " "
	for _, s := range e.Speakers {
		if n := strings.Join(words(foldQuotes(s.Name)), " "); n != "" {
			t.speakers = append(t.speakers, n)
		}
	}
	return t
}

var (
	tags     = regexp.MustCompile(`<[^>]*>`)
	hrefAttr = regexp.MustCompile(`(?i)\bhref\s*=\s*"([^"]*)"`)
	parens   = regexp.MustCompile(`\([^()]*\)`)
	// prefixes name the kind of session, not the talk.
	prefix   = regexp.MustCompile(`(?i)^\s*(keynote|talk|invited talk|tutorial|presentation|panel)\s*[:–—-]\s*`)
	subtitle = regexp.MustCompile(`\s*(:|\s[–—-]\s)\s*`)
	nonWord  = regexp.MustCompile(`[^\p{L}\p{N}]+`)
)

// hrefs are the canonical links an entry's content points to, with their
// fragment (the anchor of a talk on a shared page).
func hrefs(e *entry.Entry) map[string]bool {
	out := map[string]bool{}
	for _, m := range hrefAttr.FindAllStringSubmatch(e.Content, -1) {
		raw, frag, _ := strings.Cut(html.UnescapeString(m[1]), "#")
		link, err := normalize.CanonicalLink(raw, e.Link)
		if err != nil {
			continue
		}
		if frag != "" {
			link += "#" + frag
		}
		out[link] = true
	}
	return out
}

func foldQuotes(s string) string {
	return strings.NewReplacer("’", "'", "‘", "'", "`", "'").Replace(s)
}

func stripPrefix(title string) string {
	return prefix.ReplaceAllString(title, "")
}

// mainTitle is the title before its subtitle ("XDP workshop" of "XDP
// workshop: Introduction, experience, and future development").
func mainTitle(title string) (string, bool) {
	loc := subtitle.FindStringIndex(title)
	if loc == nil || loc[0] == 0 {
		return "", false
	}
	return title[:loc[0]], true
}

// words splits s into lower-case words, a possessive "'s" dropped ("tc's"
// is "tc", "VRF's" is "vrf").
func words(s string) []string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("'s ", " ", "'s,", ",", "'s:", ":").Replace(s + " ")
	return strings.Fields(nonWord.ReplaceAllString(strings.ReplaceAll(s, "'", ""), " "))
}

// stop words carry no topic at all; the rest weigh by rarity.
var stop = map[string]bool{"a": true, "an": true, "the": true, "of": true, "and": true, "in": true,
	"on": true, "for": true, "with": true, "to": true, "by": true, "from": true, "is": true,
	"what": true, "how": true, "at": true, "into": true, "our": true, "vs": true, "or": true, "its": true}

// Tokens are the words of a title that the matcher compares: lower case,
// possessives and plurals dropped, stop words out, and each expansion of a
// known abbreviation (abbr: expansion → abbreviation) replaced by it.
func Tokens(title string, abbr map[string]string) []string {
	ws := words(title)
	var out []string
	for i := 0; i < len(ws); i++ {
		if a, n := expansionAt(ws, i, abbr); n > 0 {
			out = append(out, a)
			i += n - 1
			continue
		}
		if stop[ws[i]] {
			continue
		}
		out = append(out, stem(ws[i]))
	}
	return out
}

func expansionAt(ws []string, i int, abbr map[string]string) (string, int) {
	for n := min(6, len(ws)-i); n >= 2; n-- {
		if a, ok := abbr[strings.Join(ws[i:i+n], " ")]; ok {
			return a, n
		}
	}
	return "", 0
}

// stem drops a plural s ("offloads", "SmartNICs"), not that of "ss" words
// or short ones ("tls", "ops").
func stem(w string) string {
	if len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
		return w[:len(w)-1]
	}
	return w
}

// abbreviations learns, from the conference's own titles, the
// abbreviations written beside their expansion: "TLS (Transport Layer
// Security)" or "Transport Layer Security (TLS)". The map goes from the
// expansion's words to the abbreviation.
func abbreviations(es []*entry.Entry) map[string]string {
	out := map[string]string{}
	for _, e := range es {
		title := foldQuotes(e.Title)
		for _, loc := range parens.FindAllStringIndex(title, -1) {
			inside := words(title[loc[0]+1 : loc[1]-1])
			before := words(title[:loc[0]])
			if len(inside) == 1 && len(before) > 0 {
				// "Expansion Words (ABBR)"
				a := inside[0]
				if n := len(a); n >= 2 && n <= len(before) && initials(before[len(before)-n:]) == a {
					out[strings.Join(before[len(before)-n:], " ")] = a
				}
			}
			if len(inside) >= 2 && len(before) > 0 && initials(inside) == before[len(before)-1] {
				// "ABBR (Expansion Words)"
				out[strings.Join(inside, " ")] = before[len(before)-1]
			}
		}
	}
	return out
}

func initials(ws []string) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w[:1])
	}
	return b.String()
}

// weights are the words' inverse document frequencies over the
// conference's titles: log(1 + N/df), so a word in every title weighs
// about log 2 and a word of one title log(1+N).
func weights(ts []*trace) map[string]float64 {
	df := map[string]int{}
	for _, t := range ts {
		seen := map[string]bool{}
		for _, v := range t.variants {
			for _, w := range v.tokens {
				if !seen[w] {
					seen[w] = true
					df[w]++
				}
			}
		}
	}
	n := float64(len(ts))
	out := make(map[string]float64, len(df))
	for w, d := range df {
		out[w] = math.Log(1 + n/float64(d))
	}
	return out
}

// titleScore is the best weighted Jaccard similarity between the titles'
// variants. A main title stands for the whole only against a title with
// no subtitle: "XDP workshop" is "XDP workshop: Introduction, …", but two
// "Workshop: …" titles with different subtitles are not one talk.
func titleScore(a, b *trace, idf map[string]float64) float64 {
	var best float64
	for i := range a.variants {
		for j := range b.variants {
			va, vb := &a.variants[i], &b.variants[j]
			if (va.main || vb.main) && a.subtitle && b.subtitle {
				continue
			}
			best = max(best, jaccard(va, vb, idf))
		}
	}
	return best
}

// jaccard is the weight of the words a and b share over the weight of
// all their words.
func jaccard(a, b *variant, idf map[string]float64) float64 {
	if len(b.set) < len(a.set) {
		a, b = b, a
	}
	var both float64
	for w := range a.set {
		if b.set[w] {
			both += idf[w]
		}
	}
	if all := a.weight + b.weight - both; all > 0 {
		return both / all
	}
	return 0
}

// sharesSpeaker: a speaker named on both sides (a first name alone, as
// notes write them, matches a full name's first word), or a speaker's full
// name in the other entry's text (a write-up naming who presented).
func sharesSpeaker(a, b *trace) bool {
	return speaks(a, b) || speaks(b, a)
}

func speaks(a, b *trace) bool {
	for _, s := range a.speakers {
		for _, o := range b.speakers {
			if s == o || firstName(s, o) || firstName(o, s) {
				return true
			}
		}
		if strings.Contains(s, " ") && strings.Contains(b.text, " "+s+" ") {
			return true
		}
	}
	return false
}

// firstName: short is one word, the first of full.
func firstName(short, full string) bool {
	return !strings.Contains(short, " ") && strings.HasPrefix(full, short+" ")
}
