package mcpauth_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
)

func TestVerifierFunc(t *testing.T) {
	good := &mcpauth.AuthInfo{Issuer: "https://auth.example.com", Subject: "u", Audience: []string{resourceID}, Scopes: []string{"read"}}
	var seen string
	fn := mcpauth.VerifierFunc(func(ctx context.Context, token string) (*mcpauth.AuthInfo, error) {
		seen = token
		switch token {
		case "good":
			return good, nil
		case "other-issuer":
			return &mcpauth.AuthInfo{Issuer: "https://evil.example.com", Subject: "u", Audience: []string{resourceID}}, nil
		case "no-aud":
			return &mcpauth.AuthInfo{Issuer: "https://auth.example.com", Subject: "u"}, nil
		case "typed":
			return nil, &mcpauth.Error{Code: mcpauth.CodeInvalidToken, Description: "Revoked."}
		case "nil":
			return nil, nil
		}
		return nil, errors.New("database says: connection refused at 10.0.0.7")
	})
	server := mcpauth.NewAuthServer(manualMetadata("https://auth.example.com", ""))
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{server}}},
		Logger:             quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	run := func(opts mcpauth.BearerOptions, token string) *httptest.ResponseRecorder {
		opts.Verifier = fn
		h := auth.Middleware(&opts)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		req := httptest.NewRequest("GET", resourceID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := run(mcpauth.BearerOptions{RequiredScopes: []string{"read"}}, "good"); rec.Code != 200 || seen != "good" {
		t.Fatalf("%d %q", rec.Code, seen)
	}
	if good.Resource != "" || good.Token != "" {
		t.Fatal("the verifier's AuthInfo was modified")
	}
	if rec := run(mcpauth.BearerOptions{}, "other-issuer"); rec.Code != 401 || !strings.Contains(rec.Body.String(), "invalid_issuer") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if rec := run(mcpauth.BearerOptions{SkipIssuerCheck: true}, "other-issuer"); rec.Code != 200 {
		t.Fatalf("skip issuer: %d", rec.Code)
	}
	if rec := run(mcpauth.BearerOptions{}, "no-aud"); rec.Code != 401 || !strings.Contains(rec.Body.String(), "invalid_audience") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if rec := run(mcpauth.BearerOptions{SkipAudienceCheck: true}, "no-aud"); rec.Code != 200 {
		t.Fatalf("skip audience: %d", rec.Code)
	}
	if rec := run(mcpauth.BearerOptions{}, "typed"); rec.Code != 401 || !strings.Contains(rec.Body.String(), "Revoked.") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	// A verifier that fails (a plain error, or no identity) is the
	// server's failure: 500, no challenge, never 401 (a client told its
	// token is invalid throws a good token away), the cause never sent.
	for _, token := range []string{"plain-error", "nil"} {
		rec := run(mcpauth.BearerOptions{}, token)
		if rec.Code != 500 || rec.Header().Get("WWW-Authenticate") != "" || !strings.Contains(rec.Body.String(), `"error":"server_error"`) ||
			!strings.Contains(rec.Body.String(), "token_verification_failed") || strings.Contains(rec.Body.String(), "10.0.0.7") {
			t.Fatalf("%s: %d %s", token, rec.Code, rec.Body)
		}
	}
}
