package server

import (
	"bytes"
	"net/http"
	"time"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/opml"
	"github.com/netdigest/netdigest/pipeline"
)

// opmlType is what feed readers and Planet sites serve OPML as.
const opmlType = "text/x-opml; charset=utf-8"

// opmlFile is /sources.opml, encoded once: it depends on the config only,
// and a reload builds a new handler.
type opmlFile struct {
	body []byte
	etag string
}

func newOPMLFile(cfg *config.Config) (*opmlFile, error) {
	body, err := opml.Marshal(pipeline.OPML(cfg))
	if err != nil {
		return nil, err
	}
	return &opmlFile{body: body, etag: strongETag(body, "")}, nil
}

// handleOPML serves the subscription list of every source (see
// pipeline.OPML: public URLs only), with a validator for 304s.
func (s *server) handleOPML(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", opmlType)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", s.opml.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(s.opml.body))
}
