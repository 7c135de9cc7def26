package server

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/netdigest/netdigest/store"
)

// searchResults is how many entries the search page lists.
const searchResults = 50

// SearchData is what search.html.tmpl executes on.
type SearchData struct {
	Site SiteData
	// Query is q as typed (cut to store.MaxQueryBytes), "" for the form
	// alone; Site.Query holds it too, for the search box.
	Query   string
	Error   string // why the query could not run ("" when it ran)
	Results []SearchResult
	More    bool // there may be more than the page lists
}

// SearchResult is one entry found: its view, and its title and summary
// snippet with the words found marked.
type SearchResult struct {
	EntryView
	TitleParts, Snippet []store.Fragment
}

// handleSearch serves GET /search?q=QUERY: the form alone without q, the
// best matches for q, or the form with the reason a query cannot run (400).
// Everything the page shows goes through html/template.
func (s *server) handleSearch(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	d := SearchData{Site: s.site(now, "./")}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		s.writeHTML(w, r, s.pages.search, d)
		return
	}
	d.Query = truncateUTF8(q, store.MaxQueryBytes)
	d.Site.Query = d.Query
	hits, err := s.store.Search(r.Context(), q, searchResults)
	var qe *store.QueryError
	switch {
	case errors.As(err, &qe):
		d.Error = qe.Reason
		s.writeHTMLStatus(w, r, http.StatusBadRequest, s.pages.search, d)
		return
	case err != nil:
		s.unavailable(w, r, err)
		return
	}
	for i := range hits {
		h := &hits[i]
		d.Results = append(d.Results, SearchResult{EntryView: s.entryView(&h.Entry, now), TitleParts: h.Title, Snippet: h.Snippet})
	}
	d.More = len(hits) == searchResults
	s.writeHTML(w, r, s.pages.search, d)
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// sampleSearch exercises search.html.tmpl's fields for parsePages.
func sampleSearch(p PageData) SearchData {
	at := p.Site.Now
	e := EntryView{Title: "Sample", Link: "https://example.org/a", Source: "example", Authors: "A. Author",
		Summary: "Summary.", Date: at, Also: []TraceView{{Label: "Notes", Title: "Notes", Link: "https://example.org/n"}, {Label: "Slides"}}}
	site := p.Site
	site.Query = `xdp "page pool"`
	return SearchData{
		Site: site, Query: site.Query, Error: "a phrase has no closing quote",
		Results: []SearchResult{{EntryView: e,
			TitleParts: []store.Fragment{{Text: "Sample"}, {Text: "XDP", Match: true}},
			Snippet:    []store.Fragment{{Text: "…about "}, {Text: "XDP", Match: true}, {Text: "…"}}}},
		More: true,
	}
}
