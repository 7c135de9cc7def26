package normalize

import (
	"net/url"

	"github.com/mmcdole/gofeed"
)

// inheritAuthors gives the feed's authors to the items that name none, as
// JSON Feed (authors, or 1.0's author) and Atom (RFC 4287 §4.2.1: the
// feed's atom:author applies to entries without one) require. RSS has no
// such rule: a channel's managingEditor is not the items' author.
func inheritAuthors(f *gofeed.Feed, items []Item) {
	if f.FeedType != "atom" && f.FeedType != "json" {
		return
	}
	feedAuthors := personNames(f.Authors)
	if len(feedAuthors) == 0 {
		return
	}
	for i := range items {
		if len(items[i].Authors) == 0 {
			items[i].Authors = append([]string(nil), feedAuthors...)
		}
	}
}

// keepDistinctFragments sets Item.Anchor to the fragment of each item link
// whose page other items of the document share under another fragment
// (page.html#item1, page.html#item2): canonical links drop fragments, and
// these items would all link to the page's top and, without GUIDs, share
// one id. The anchor then gives them distinct links and ids, as the split
// kinds' items get. A fragment every item of the page has in common
// (#comments) tells nothing apart and is dropped as before.
func keepDistinctFragments(doc *Document, docURL string) {
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
