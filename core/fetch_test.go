package mcpauth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestFetchContextCancelled(t *testing.T) {
	srv := newASServer(t)
	started := make(chan struct{})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv.handle("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := FetchServerConfig(ctx, srv.URL, ServerTypeOAuth, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var fe *FetchError
	if errors.As(err, &fe) && fe.Temporary() {
		t.Error("a cancelled fetch is not temporary")
	}
}

func TestFetchInsecureAndRedirects(t *testing.T) {
	ctx := context.Background()
	t.Run("http refused for a non-loopback host", func(t *testing.T) {
		_, err := FetchServerConfig(ctx, "http://auth.example.com", ServerTypeOAuth, nil)
		if !errors.Is(err, ErrInsecureURL) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("http allowed when asked", func(t *testing.T) {
		// The request is refused by the transport, not by the https rule.
		tr := roundTripFunc(func(r *http.Request) (*http.Response, error) { return nil, errors.New("no network in tests") })
		_, err := FetchServerConfig(ctx, "http://auth.example.com", ServerTypeOAuth, &DiscoveryOptions{AllowInsecureHTTP: true, HTTPClient: &http.Client{Transport: tr}})
		if err == nil || errors.Is(err, ErrInsecureURL) || !strings.Contains(err.Error(), "no network in tests") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("redirect within the host followed", func(t *testing.T) {
		srv := newASServer(t)
		srv.handle("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/moved", http.StatusFound)
		})
		srv.serveDoc("/moved", srv.URL)
		if _, err := FetchServerConfig(ctx, srv.URL, ServerTypeOAuth, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("redirect to another host refused", func(t *testing.T) {
		other := newASServer(t)
		other.serveDoc("/.well-known/oauth-authorization-server", other.URL)
		srv := newASServer(t)
		srv.handle("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+"/.well-known/oauth-authorization-server", http.StatusFound)
		})
		_, err := FetchServerConfig(ctx, srv.URL, ServerTypeOAuth, nil)
		if !errors.Is(err, ErrRedirectRefused) {
			t.Fatalf("err = %v", err)
		}
		if other.served.Load() != 0 {
			t.Error("the other host was contacted")
		}
	})
	t.Run("redirect loop stops", func(t *testing.T) {
		srv := newASServer(t)
		srv.handle("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/.well-known/oauth-authorization-server", http.StatusFound)
		})
		_, err := FetchServerConfig(ctx, srv.URL, ServerTypeOAuth, nil)
		if !errors.Is(err, ErrRedirectRefused) {
			t.Fatalf("err = %v", err)
		}
		if n := srv.hitsOf("/.well-known/oauth-authorization-server"); n != maxRedirects+1 {
			t.Errorf("%d requests, want %d", n, maxRedirects+1)
		}
	})
	t.Run("redirect from https to http refused", func(t *testing.T) {
		var plainHits atomic.Int64
		tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.TLS == nil {
				plainHits.Add(1)
			}
			http.Redirect(w, r, "http://"+r.Host+"/plain", http.StatusFound)
		}))
		t.Cleanup(tls.Close)
		_, err := FetchServerConfig(ctx, tls.URL, ServerTypeOAuth, &DiscoveryOptions{HTTPClient: tls.Client()})
		if !errors.Is(err, ErrRedirectRefused) || !strings.Contains(err.Error(), "https to http") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("caller's CheckRedirect still consulted", func(t *testing.T) {
		srv := newASServer(t)
		srv.handle("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/moved", http.StatusFound)
		})
		srv.serveDoc("/moved", srv.URL)
		mine := errors.New("caller says no")
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return mine }}
		_, err := FetchServerConfig(ctx, srv.URL, ServerTypeOAuth, &DiscoveryOptions{HTTPClient: client})
		if !errors.Is(err, mine) {
			t.Fatalf("err = %v", err)
		}
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
