// Package indico reads Indico's HTTP export API
// (/export/event/<id>.json?detail=contributions), as served by the Linux
// Plumbers Conference and other Indico-hosted events, into one item per
// contribution. It does no I/O.
package indico

import (
	"errors"
	"fmt"

	"github.com/netdigest/netdigest/normalize"
)

// Rules pick contributions from an Indico export API response.
type Rules struct {
	Track   string // keep only contributions of this track (or session) title; "" keeps all
	Session string // keep only contributions of this session title; "" keeps all
}

var errNotImplemented = errors.New("not implemented")

// Parse reads an export API response into one item per contribution
// (kind indico).
func Parse(body []byte, contentType, fetchURL string, rules Rules) (*normalize.Document, error) {
	return nil, fmt.Errorf("parse indico: %w", errNotImplemented)
}
