package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// secretParts are what a source URL's userinfo and query carry: none may
// appear in an error.
var secretParts = []string{"S3cretPass", "PRIVATE", "user:", "user@", "token="}

// newRedactClient is the client of the redaction tests, which fetch from
// 127.0.0.1 (one place to opt in when private addresses are refused).
func newRedactClient() *Client {
	return New(Options{MaxBodyBytes: 64, MaxRedirects: 2, AllowPrivateNetworks: true})
}

// TestErrorsHideUserinfoAndQuery checks that every way a fetch fails names
// the URL without its credentials: url.URL.Redacted hides only the password.
func TestErrorsHideUserinfoAndQuery(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	mux.HandleFunc("/410", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", 410) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte(strings.Repeat("x", 1000)))
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(strings.Repeat("x", 100)))
		w.(http.Flusher).Flush()
		w.Write([]byte(strings.Repeat("x", 100)))
	})
	mux.HandleFunc("/to-ftp", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "ftp://user:S3cretPass@127.0.0.1/x?token=PRIVATE", http.StatusFound)
	})
	// Keeps the query on every hop, as servers do.
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop?"+r.URL.RawQuery, http.StatusFound)
	})
	mux.HandleFunc("/503", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "later", 503)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	secretURL := func(base, path string) string {
		return strings.Replace(base, "http://", "http://user:S3cretPass@", 1) + path + "?token=PRIVATE"
	}
	tests := []struct{ name, url string }{
		{"HTTP 500", secretURL(srv.URL, "/500")},
		{"HTTP 410", secretURL(srv.URL, "/410")},
		{"HTTP 503 with Retry-After", secretURL(srv.URL, "/503")},
		{"Content-Length over the cap", secretURL(srv.URL, "/big")},
		{"body over the cap", secretURL(srv.URL, "/chunked")},
		{"redirect to another scheme", secretURL(srv.URL, "/to-ftp")},
		{"too many redirects", secretURL(srv.URL, "/loop")},
		{"connection refused", secretURL(closed.URL, "/feed")},
		{"unsupported scheme", "gopher://user:S3cretPass@127.0.0.1/x?token=PRIVATE"},
		{"not a URL", "http://user:S3cretPass@[::1/x?token=PRIVATE"},
	}
	c := newRedactClient()
	// The refusal of a private address names the URL too: one server stands
	// in for a public host that redirects to another, refused, one.
	internal := httptest.NewServer(http.NotFoundHandler())
	defer internal.Close()
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, secretURL(internal.URL, "/admin"), http.StatusFound)
	}))
	defer public.Close()
	publicAddr := netip.MustParseAddrPort(strings.TrimPrefix(public.URL, "http://"))
	strict := New(Options{TreatAsPublic: func(a netip.AddrPort) bool { return a == publicAddr }})
	for _, tt := range []struct{ name, url string }{
		{"private address refused", secretURL(internal.URL, "/admin")},
		{"redirect to a private address refused", secretURL(public.URL, "/feed")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := strict.Get(context.Background(), Request{URL: tt.url})
			var aerr *AddressError
			if !errors.As(err, &aerr) {
				t.Fatalf("Get: %v, want an *AddressError", err)
			}
			for _, s := range secretParts {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q contains %q", err, s)
				}
			}
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Get(context.Background(), Request{URL: tt.url})
			if err == nil {
				t.Fatal("Get succeeded, want an error")
			}
			for _, s := range secretParts {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q contains %q", err, s)
				}
			}
		})
	}
}
