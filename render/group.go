package render

import "github.com/netdigest/netdigest/entry"

// GroupEntries groups entries the way the digest does, for other views (the
// daemon's web page): one group per conference (newest first), then one per
// topic of topics that an entry without conference carries as a tag (the
// first such topic wins), then OtherNews; newest entry first within each;
// empty groups left out. entries is not modified.
func GroupEntries(entries []entry.Entry, topics []string) []DigestGroup {
	return groupEntries(entries, topics)
}
