package normalize

import (
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"github.com/mmcdole/gofeed/rss"
)

// inheritedAuthors is who wrote the i-th item of f when it names nobody:
// for Atom, its atom:source's authors, else the feed's (RFC 4287 §4.2.1);
// for JSON Feed, the feed's authors or 1.0 author (gofeed folds both into
// f.Authors); for RSS, the channel's managingEditor, else its dc:creator or
// itunes:author, never its webMaster (the site's technical contact). Every
// reader shows a channel's author on items without their own.
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
	case "rss":
		return rssChannelAuthors(f)
	default:
		return nil
	}
	return personNames(f.Authors)
}

// rssChannelAuthors is the author of an RSS channel. gofeed's f.Authors
// holds it (managingEditor, dc:author, dc:creator, itunes:author, its
// "Name <email>" and "email (Name)" forms parsed) unless only webMaster came
// before: then the names after webMaster are taken as they are.
func rssChannelAuthors(f *gofeed.Feed) []string {
	orig, ok := f.OriginalFeed().(*rss.Feed)
	if !ok {
		return nil
	}
	if strings.TrimSpace(orig.ManagingEditor) != "" || strings.TrimSpace(orig.WebMaster) == "" {
		return personNames(f.Authors)
	}
	var names []string
	if dc := orig.DublinCoreExt; dc != nil {
		names = append(append(names, dc.Author...), dc.Creator...)
	}
	if it := orig.ITunesExt; it != nil {
		names = append(names, it.Author)
	}
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			return []string{n}
		}
	}
	return nil
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
