package pipeline

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/normalize"
)

// TestBrokenFeedsAreReported follows issue #16's cases through FetchAll:
// what is stored, and what the result says.
func TestBrokenFeedsAreReported(t *testing.T) {
	full := rss(
		item("post-1", "XDP hands-on", "https://blog.example.org/xdp/", "<p>one</p>"),
		item("post-2", "TC workshop", "https://blog.example.org/tc/", "<p>two</p>"),
		item("post-3", "Netfilter talk", "https://blog.example.org/nf/", "<p>three</p>"),
	)
	cut := full[:strings.Index(full, "Netfilter talk")] // a server that stopped writing in the 3rd item
	tests := []struct {
		name, body, ctype string
		wantOutcome       Outcome
		wantStored        int
		wantWarning       string // in the one warning; "" for none
		wantErr           error
	}{
		{name: "cut off", body: cut, wantOutcome: New, wantStored: 2,
			wantWarning: "cut off before its end; recovered 2 complete items, dropped the incomplete item"},
		{name: "no items", body: rss(), wantOutcome: Unchanged, wantWarning: "0 entries parsed from 233 bytes of RSS"},
		{name: "API error in JSON", body: `{"error": "rate limited"}`, ctype: "application/json",
			wantOutcome: Failed, wantErr: normalize.ErrNotJSONFeed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := httptest.NewServer(&feedServer{body: tt.body, ctype: tt.ctype})
			defer ts.Close()
			h := newHarness(t, config.Source{Name: "blog", URL: ts.URL + "/feed/"})
			r := h.fetchAll(t, true)["blog"]
			if r.Outcome != tt.wantOutcome || r.NotModified || r.Counts.New != tt.wantStored {
				t.Errorf("result = %+v, want %s with %d new, not a 304", r, tt.wantOutcome, tt.wantStored)
			}
			if tt.wantErr != nil {
				if !errors.Is(r.Err, tt.wantErr) {
					t.Errorf("error = %v, want %v", r.Err, tt.wantErr)
				}
				st, _ := h.store.SourceState(context.Background(), "blog")
				if !strings.Contains(st.LastError, "not a JSON Feed (no version/items)") {
					t.Errorf("last_error = %q", st.LastError)
				}
			}
			switch {
			case tt.wantWarning == "" && len(r.Warnings) > 0:
				t.Errorf("warnings = %q, want none", r.Warnings)
			case tt.wantWarning != "" && (len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], tt.wantWarning)):
				t.Errorf("warnings = %q, want one saying %q", r.Warnings, tt.wantWarning)
			}
			if n, _ := h.store.CountEntries(context.Background()); n != tt.wantStored {
				t.Errorf("%d entries stored, want %d", n, tt.wantStored)
			}
			if tt.wantOutcome == Failed {
				return
			}
			// The same document again is a 304, and only that is NotModified.
			again := h.fetchAll(t, true)["blog"]
			if again.Outcome != Unchanged || !again.NotModified || len(again.Warnings) != 0 {
				t.Errorf("second fetch = %+v, want a 304", again)
			}
		})
	}
}
