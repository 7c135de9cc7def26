package normalize

import (
	"net/url"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
)

// inheritedAuthors is who wrote the i-th item of f when it names nobody:
// for Atom, its atom:source's authors, else the feed's (RFC 4287 §4.2.1);
// for JSON Feed, the feed's authors or 1.0 author (gofeed folds both into
// f.Authors). RSS has no such rule: a channel's managingEditor is not the
// items' author.
func inheritedAuthors(f *gofeed.Feed, i int) []string {
	switch f.FeedType {
	case "atom":
		if orig, ok := f.OriginalFeed().(*atom.Feed); ok && i < len(orig.Entries) &&
			orig.Entries[i] != nil && orig.Entries[i].Source != nil {
			var ps []*gofeed.Person
			for _, p := range orig.Entries[i].Source.Authors {
				if p != nil {
					ps = append(ps, &gofeed.Person{Name: p.Name, Email: p.Email})
				}
			}
			if names := personNames(ps); len(names) > 0 {
				return names
			}
		}
	case "json":
	default:
		return nil
	}
	return personNames(f.Authors)
}

// KeepDistinctFragments sets Item.Anchor to the fragment of each item link
// whose page other items of the document share under another fragment
// (page.html#item1, page.html#item2): canonical links drop fragments, and
// these items would all link to the page's top and, without GUIDs, share
// one id. The anchor then gives them distinct links and ids, as the split
// kinds' items get. A fragment every item of the page has in common
// (#comments) tells nothing apart and is dropped as before.
// ParseFeed applies it to feeds, page.ParseListing to listings; docURL is
// what the document was fetched from (Source.URL for Entries).
func KeepDistinctFragments(doc *Document, docURL string) {
	type itemRef struct {
		i        int
		fragment string
	}
	byPage := map[string][]itemRef{}
	var pages []string
	for i := range doc.Items {
		it := &doc.Items[i]
		if it.Anchor != "" {
			continue
		}
		page, err := CanonicalLink(it.Link, it.BaseURL, doc.Link, docURL)
		if err != nil {
			continue
		}
		u, err := url.Parse(it.Link)
		if err != nil {
			continue
		}
		if byPage[page] == nil {
			pages = append(pages, page)
		}
		byPage[page] = append(byPage[page], itemRef{i, u.EscapedFragment()})
	}
	for _, page := range pages {
		refs := byPage[page]
		distinct := map[string]bool{}
		for _, r := range refs {
			distinct[r.fragment] = true
		}
		if len(distinct) < 2 {
			continue
		}
		for _, r := range refs {
			doc.Items[r.i].Anchor = r.fragment
		}
	}
}
