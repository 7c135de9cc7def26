// Package bareloop is the floor any gofeed-based aggregator is measured
// against: a pool of workers doing an HTTP GET (conditional when validators
// are known) and a gofeed parse of each URL, storing nothing. Listing pages
// (kind html) are parsed with goquery and their item elements counted, the
// floor for a scraper.
package bareloop

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"
)

// Target is one URL to fetch.
type Target struct {
	URL string `json:"url"`
	// ItemSelector, when set, makes the target a page: goquery counts the
	// elements it matches instead of gofeed parsing a feed.
	ItemSelector string `json:"item_selector,omitempty"`
}

// Validators are what a 200 answered, sent back on the next GET.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// Result counts one run.
type Result struct {
	Items       int      `json:"items"` // parsed
	OK          int      `json:"ok"`
	NotModified int      `json:"not_modified"`
	Failed      int      `json:"failed"`
	Errors      []string `json:"errors,omitempty"` // the first few
}

const maxErrors = 10

// Run fetches every target with workers goroutines. state maps URL to
// validators; it is read for the conditional GETs and updated with what
// each 200 answered.
func Run(ctx context.Context, client *http.Client, targets []Target, state map[string]Validators, workers int) Result {
	var (
		mu  sync.Mutex
		res Result
		wg  sync.WaitGroup
	)
	jobs := make(chan Target)
	for range max(1, min(workers, len(targets))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parser := gofeed.NewParser()
			for t := range jobs {
				mu.Lock()
				v := state[t.URL]
				mu.Unlock()
				items, nv, notModified, err := fetch(ctx, client, parser, t, v)
				mu.Lock()
				switch {
				case err != nil:
					res.Failed++
					if len(res.Errors) < maxErrors {
						res.Errors = append(res.Errors, err.Error())
					}
				case notModified:
					res.NotModified++
				default:
					res.OK++
					res.Items += items
					state[t.URL] = nv
				}
				mu.Unlock()
			}
		}()
	}
	for _, t := range targets {
		jobs <- t
	}
	close(jobs)
	wg.Wait()
	return res
}

func fetch(ctx context.Context, client *http.Client, parser *gofeed.Parser, t Target, v Validators) (items int, nv Validators, notModified bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL, nil)
	if err != nil {
		return 0, nv, false, err
	}
	if v.ETag != "" {
		req.Header.Set("If-None-Match", v.ETag)
	}
	if v.LastModified != "" {
		req.Header.Set("If-Modified-Since", v.LastModified)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nv, false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return 0, v, true, nil
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nv, false, fmt.Errorf("GET %s: %w", t.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, nv, false, fmt.Errorf("GET %s: HTTP %d", t.URL, resp.StatusCode)
	}
	nv = Validators{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if t.ItemSelector != "" {
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
		if err != nil {
			return 0, nv, false, fmt.Errorf("parse %s: %w", t.URL, err)
		}
		return doc.Find(t.ItemSelector).Length(), nv, false, nil
	}
	f, err := parser.Parse(bytes.NewReader(body))
	if err != nil {
		// Counted as fetched with no items: a feed gofeed alone cannot read
		// (no charset declared) is still work done.
		return 0, nv, false, nil
	}
	return len(f.Items), nv, false, nil
}
