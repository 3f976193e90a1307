package mcpauth

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestNewAuthServerManual(t *testing.T) {
	cfg := &ServerConfig{Type: ServerTypeOAuth, Metadata: AuthorizationServerMetadata{
		Issuer:                 "https://auth.example.com",
		JWKSURI:                "https://auth.example.com/jwks",
		AuthorizationEndpoint:  "https://auth.example.com/authorize",
		TokenEndpoint:          "https://auth.example.com/token",
		ResponseTypesSupported: []string{"code"},
	}}
	s := NewAuthServer(cfg)
	defer s.Close()
	if s.Issuer() != "https://auth.example.com" || s.Type() != ServerTypeOAuth {
		t.Fatalf("issuer %q type %q", s.Issuer(), s.Type())
	}
	got, ok := s.Resolved()
	if !ok || got != cfg {
		t.Fatal("manual metadata not resolved")
	}
	// No network: a cancelled context still gets the manual metadata.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got, err := s.Config(ctx)
	if err != nil || got != cfg {
		t.Fatalf("Config = %v, %v", got, err)
	}
}

func TestLazyAuthServerSharesFirstFetch(t *testing.T) {
	srv := newASServer(t)
	release := make(chan struct{})
	srv.handle("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		<-release
		json.NewEncoder(w).Encode(validMetadata(srv.URL))
	})
	s := DiscoverAuthServer(srv.URL, ServerTypeOAuth, nil)
	s.tune(quietTuning())
	defer s.Close()
	if _, ok := s.Resolved(); ok {
		t.Fatal("resolved before first use")
	}
	if srv.served.Load() != 0 {
		t.Fatal("construction fetched")
	}
	const users = 50
	var wg sync.WaitGroup
	errs := make(chan error, users)
	var waiting sync.WaitGroup
	waiting.Add(users)
	for range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			waiting.Done()
			cfg, err := s.Config(context.Background())
			if err == nil && cfg.Metadata.Issuer != srv.URL {
				err = errors.New("wrong issuer")
			}
			errs <- err
		}()
	}
	waiting.Wait()
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.hitsOf("/.well-known/oauth-authorization-server"); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	if _, err := s.Config(context.Background()); err != nil || srv.hitsOf("/.well-known/oauth-authorization-server") != 1 {
		t.Fatal("cached metadata refetched")
	}
}

func TestLazyAuthServerFailureNotCached(t *testing.T) {
	srv := newASServer(t)
	var fail atomic.Bool
	fail.Store(true)
	srv.handle("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		json.NewEncoder(w).Encode(validMetadata(srv.URL))
	})
	s := DiscoverAuthServer(srv.URL, ServerTypeOIDC, nil)
	var now atomic.Int64
	s.tune(serverTuning{now: func() time.Time { return time.Unix(now.Load(), 0) }, backoff: 10 * time.Second, log: slog.New(slog.DiscardHandler)})
	defer s.Close()
	_, err := s.Config(context.Background())
	var fe *FetchError
	if !errors.As(err, &fe) || fe.StatusCode != 503 || !fe.Temporary() {
		t.Fatalf("err = %v", err)
	}
	fail.Store(false)
	// Within the backoff window, the failure is answered again without a fetch.
	now.Store(9)
	_, err = s.Config(context.Background())
	var retry *retryError
	if !errors.As(err, &retry) || retry.RetryAfter != time.Second || !errors.As(err, &fe) || !isTemporary(err) {
		t.Fatalf("within the window: %v", err)
	}
	now.Store(10)
	cfg, err := s.Config(context.Background())
	if err != nil || cfg.Metadata.Issuer != srv.URL {
		t.Fatalf("retry: %v, %v", cfg, err)
	}
	if n := srv.hitsOf("/.well-known/openid-configuration"); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
}

func TestLazyAuthServerWaiterCancel(t *testing.T) {
	srv := newASServer(t)
	release := make(chan struct{})
	srv.handle("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		<-release
		json.NewEncoder(w).Encode(validMetadata(srv.URL))
	})
	s := DiscoverAuthServer(srv.URL, ServerTypeOAuth, nil)
	s.tune(quietTuning())
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Config(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	// The fetch the cancelled caller started goes on for the next caller.
	close(release)
	if _, err := s.Config(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := srv.hitsOf("/.well-known/oauth-authorization-server"); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
}

func TestLazyAuthServerRefresh(t *testing.T) {
	srv := newASServer(t)
	var version atomic.Int64
	srv.handle("/.well-known/oauth-authorization-server", func(w http.ResponseWriter, r *http.Request) {
		m := validMetadata(srv.URL)
		m["jwks_uri"] = srv.URL + "/jwks/" + string(rune('0'+version.Add(1)))
		json.NewEncoder(w).Encode(m)
	})
	var now atomic.Int64
	s := DiscoverAuthServer(srv.URL, ServerTypeOAuth, &DiscoveryOptions{RefreshInterval: time.Minute})
	s.tune(serverTuning{now: func() time.Time { return time.Unix(now.Load(), 0) }, backoff: time.Second, log: slog.New(slog.DiscardHandler)})
	defer s.Close()
	cfg, _ := s.Config(context.Background())
	if cfg.Metadata.JWKSURI != srv.URL+"/jwks/1" {
		t.Fatalf("first: %s", cfg.Metadata.JWKSURI)
	}
	now.Store(30)
	if cfg, _ = s.Config(context.Background()); cfg.Metadata.JWKSURI != srv.URL+"/jwks/1" || s.flight.running() {
		t.Fatal("refreshed before the interval")
	}
	now.Store(61)
	cfg, _ = s.Config(context.Background()) // starts a background refresh, answers with the old metadata
	if cfg.Metadata.JWKSURI != srv.URL+"/jwks/1" {
		t.Fatalf("stale metadata not served during refresh: %s", cfg.Metadata.JWKSURI)
	}
	waitFlight(&s.flight)
	if got, _ := s.Resolved(); got.Metadata.JWKSURI != srv.URL+"/jwks/2" {
		t.Fatalf("after refresh: %s", got.Metadata.JWKSURI)
	}
}

// waitFlight waits for the call in progress on f, if any.
func waitFlight(f *flight) {
	f.mu.Lock()
	c := f.call
	f.mu.Unlock()
	if c != nil {
		<-c.done
	}
}

func TestLazyAuthServerClose(t *testing.T) {
	s := DiscoverAuthServer("http://127.0.0.1:1", ServerTypeOAuth, nil)
	s.Close()
	if _, err := s.Config(context.Background()); !errors.Is(err, errClosed) {
		t.Fatalf("err = %v", err)
	}
}

// quietTuning is the defaults of an AuthServer used on its own, without logs.
func quietTuning() serverTuning {
	return serverTuning{now: time.Now, backoff: DefaultJWKSMinRefreshInterval, log: slog.New(slog.DiscardHandler)}
}
