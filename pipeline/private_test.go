package pipeline

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/netdigest/netdigest/config"
	"github.com/netdigest/netdigest/fetch"
)

// TestRedirectIntoPrivateNetworkRefused: a public feed answering with a
// redirect to an internal address fails its source, and nothing of the
// internal page is stored, while a source allowed into private networks
// reads the same internal server through the same client.
func TestRedirectIntoPrivateNetworkRefused(t *testing.T) {
	internal := &feedServer{body: rss(item("admin", "Internal admin page", "http://10.0.0.1/admin/", "secrets"))}
	intSrv := httptest.NewServer(internal)
	defer intSrv.Close()
	target := intSrv.URL + "/admin/"

	for _, code := range []int{http.StatusFound, http.StatusMovedPermanently} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			internal.requests.Store(0)
			pub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target, code)
			}))
			defer pub.Close()
			h := newHarness(t,
				config.Source{Name: "pub", URL: pub.URL + "/feed"},
				config.Source{Name: "wiki", URL: intSrv.URL + "/feed", AllowPrivateNetworks: true},
			)
			// The public server is on 127.0.0.1 too: the client takes it
			// for a host on the internet, and checks everything else.
			pubAddr := netip.MustParseAddrPort(pub.Listener.Addr().String())
			h.runner.Client = fetch.New(fetch.Options{Now: h.clock.Now,
				TreatAsPublic: func(ap netip.AddrPort) bool { return ap == pubAddr }})

			res := h.fetchAll(t, true)
			r := res["pub"]
			want := `source "pub": fetch ` + pub.URL + `/feed: redirect to ` + target +
				`: 127.0.0.1 is a loopback address (allow_private_networks is off)`
			if r.Outcome != Failed || r.Err == nil || r.Err.Error() != want {
				t.Fatalf("pub = %+v\nwant failed with %q", r, want)
			}
			var aerr *fetch.AddressError
			if !errors.As(r.Err, &aerr) || aerr.Range != "loopback" {
				t.Errorf("err %v is not a loopback *fetch.AddressError", r.Err)
			}
			st, err := h.store.SourceState(context.Background(), "pub")
			if err != nil {
				t.Fatal(err)
			}
			if st.Failures != 1 || st.LastError != want || st.PermanentURL != "" {
				t.Errorf("pub state = %+v, want the failure recorded and no permanent URL", st)
			}
			if w := res["wiki"]; w.Outcome != New || w.Counts.New != 1 {
				t.Errorf("wiki = %+v, want its 1 entry (allowed per source)", w)
			}
			// Only the allowed source reached the internal server.
			if n := internal.requests.Load(); n != 1 {
				t.Errorf("internal server saw %d requests, want 1 (wiki's)", n)
			}
		})
	}
}
