// Package notes splits plain-text meeting notes (an etherpad export/txt)
// into one entry per talk, with speakers from the parentheses and the notes
// as the entry's content. It does no I/O.
package notes

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/netdigest/netdigest/normalize"
)

// Rules split plain-text notes (an etherpad export) into entries.
type Rules struct {
	// Entry matches a line that starts an entry; its named groups "title"
	// and "speakers" fill the entry. Nil uses top-level lines (no
	// indentation) as entry starts and `Title (Speakers)` as their shape.
	Entry *regexp.Regexp
	// StartAfter, when set, skips everything up to and including the first
	// line equal to it (e.g. "SCHEDULE"), so a preamble yields no entries.
	StartAfter string
	// Date is the date the notes are about (the notes carry none); zero
	// leaves the entries' dates to first-seen.
	Date time.Time
}

var errNotImplemented = errors.New("not implemented")

// Parse splits notes into one item per talk (kind text).
func Parse(body []byte, contentType, fetchURL string, rules Rules) (*normalize.Document, error) {
	return nil, fmt.Errorf("parse text: %w", errNotImplemented)
}
