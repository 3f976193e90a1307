package mcpauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestDiscoveryURLs(t *testing.T) {
	const (
		oauth = "/.well-known/oauth-authorization-server"
		oidc  = "/.well-known/openid-configuration"
	)
	tests := []struct {
		issuer string
		typ    ServerType
		want   []string
	}{
		{"https://ex.com", ServerTypeOAuth, []string{"https://ex.com" + oauth}},
		{"https://ex.com/", ServerTypeOAuth, []string{"https://ex.com" + oauth}},
		{"https://ex.com/path", ServerTypeOAuth, []string{"https://ex.com" + oauth + "/path"}},
		{"https://ex.com/path/", ServerTypeOAuth, []string{"https://ex.com" + oauth + "/path"}},
		{"https://ex.com/a/b?x=1", ServerTypeOAuth, []string{"https://ex.com" + oauth + "/a/b?x=1"}},
		{"https://ex.com", ServerTypeOIDC, []string{"https://ex.com" + oidc}},
		{"https://ex.com/", ServerTypeOIDC, []string{"https://ex.com" + oidc}},
		{"https://ex.com/path", ServerTypeOIDC, []string{"https://ex.com/path" + oidc}},
		{"https://ex.com/path/", ServerTypeOIDC, []string{"https://ex.com/path" + oidc}},
		{"https://ex.com/path?x=1", ServerTypeOIDC, []string{"https://ex.com/path" + oidc + "?x=1"}},
		{"https://ex.com", ServerTypeAuto, []string{"https://ex.com" + oauth, "https://ex.com" + oidc}},
		{"https://ex.com/", "", []string{"https://ex.com" + oauth, "https://ex.com" + oidc}},
		{"https://ex.com/t1", ServerTypeAuto, []string{"https://ex.com" + oauth + "/t1", "https://ex.com" + oidc + "/t1", "https://ex.com/t1" + oidc}},
		{"https://ex.com/t1/", ServerTypeAuto, []string{"https://ex.com" + oauth + "/t1", "https://ex.com" + oidc + "/t1", "https://ex.com/t1" + oidc}},
		{"https://ex.com/t1?q=v", ServerTypeAuto, []string{"https://ex.com" + oauth + "/t1?q=v", "https://ex.com" + oidc + "/t1?q=v", "https://ex.com/t1" + oidc + "?q=v"}},
		{"http://127.0.0.1:9000/realms/demo", ServerTypeOIDC, []string{"http://127.0.0.1:9000/realms/demo" + oidc}},
	}
	for _, tt := range tests {
		t.Run(string(tt.typ)+" "+tt.issuer, func(t *testing.T) {
			got, err := DiscoveryURLs(tt.issuer, tt.typ)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("got %v\nwant %v", got, tt.want)
			}
		})
	}
	for _, bad := range []string{"", "not a url", "ftp://ex.com", "/relative", "https://ex.com#frag", "https://user:pw@ex.com"} {
		if _, err := DiscoveryURLs(bad, ServerTypeOAuth); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("DiscoveryURLs(%q) = %v, want ErrInvalidConfig", bad, err)
		}
	}
	if _, err := DiscoveryURLs("https://ex.com", "saml"); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("unknown type: %v", err)
	}
}

// discoveryTypes are the types FuzzDiscoveryURLs picks from, with one unknown.
var discoveryTypes = []ServerType{ServerTypeOAuth, ServerTypeOIDC, ServerTypeAuto, "", "saml"}

// FuzzDiscoveryURLs checks the well-known URLs of an issuer: each parses
// back to the issuer's scheme, host and query, its path is the issuer's (one
// terminating slash dropped) with the well-known segment inserted or
// appended, and the list has the length and order of the MCP fallback.
func FuzzDiscoveryURLs(f *testing.F) {
	f.Fuzz(func(t *testing.T, issuer string, pick uint8) {
		typ := discoveryTypes[int(pick)%len(discoveryTypes)]
		urls, err := DiscoveryURLs(issuer, typ)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("error %v does not wrap ErrInvalidConfig", err)
			}
			return
		}
		u, err := url.Parse(issuer)
		if err != nil {
			t.Fatalf("accepted an issuer that does not parse: %v", err)
		}
		path, err := url.PathUnescape(strings.TrimSuffix(u.EscapedPath(), "/"))
		if err != nil {
			t.Fatal(err)
		}
		want := map[ServerType][]string{
			ServerTypeOAuth: {OAuthWellKnownPath + path},
			ServerTypeOIDC:  {path + OIDCWellKnownPath},
		}
		if path == "" {
			want[ServerTypeAuto] = []string{OAuthWellKnownPath, OIDCWellKnownPath}
		} else {
			want[ServerTypeAuto] = []string{OAuthWellKnownPath + path, OIDCWellKnownPath + path, path + OIDCWellKnownPath}
		}
		want[""] = want[ServerTypeAuto]
		paths, ok := want[typ]
		if !ok || len(urls) != len(paths) {
			t.Fatalf("%q (%s): %d URLs %q", issuer, typ, len(urls), urls)
		}
		for i, raw := range urls {
			got, err := url.Parse(raw)
			if err != nil {
				t.Fatalf("%q gives %q, which does not parse: %v", issuer, raw, err)
			}
			if got.Scheme != u.Scheme || got.Host != u.Host || got.RawQuery != u.RawQuery || got.Fragment != "" || got.User != nil {
				t.Fatalf("%q gives %q: scheme, host, query or fragment changed", issuer, raw)
			}
			if got.Path != paths[i] {
				t.Fatalf("%q gives %q: path %q, want %q", issuer, raw, got.Path, paths[i])
			}
		}
	})
}

// FuzzResourceMetadataURL checks the RFC 9728 §3.1 URL of a resource: the
// resource's scheme and host, the well-known segment before its path, no
// query or fragment; and, for every resource New accepts, that the URL
// sent in challenges is the one the metadata handler serves, with the
// resource's document.
func FuzzResourceMetadataURL(f *testing.F) {
	as := NewAuthServer(&ServerConfig{Metadata: AuthorizationServerMetadata{
		Issuer: "https://as.example.com", JWKSURI: "https://as.example.com/jwks", ResponseTypesSupported: []string{"code"},
		AuthorizationEndpoint: "https://as.example.com/authorize", TokenEndpoint: "https://as.example.com/token",
	}})
	quiet := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, resource string) {
		raw, err := ResourceMetadataURL(resource)
		if err != nil {
			return
		}
		u, _ := url.Parse(resource)
		got, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("%q gives %q, which does not parse: %v", resource, raw, err)
		}
		path := strings.TrimPrefix(u.Path, "/")
		if path != "" {
			path = "/" + path
		}
		if got.Scheme != u.Scheme || got.Host != u.Host || got.RawQuery != "" || got.Fragment != "" || got.Path != ProtectedResourceWellKnownPath+path {
			t.Fatalf("%q gives %q", resource, raw)
		}
		auth, err := New(Config{Logger: quiet, ProtectedResources: []ProtectedResource{{
			Metadata: ProtectedResourceMetadata{Resource: resource}, AuthServers: []*AuthServer{as},
		}}})
		if err != nil {
			return
		}
		defer auth.bg.close() // not auth.Close: the shared AuthServer stays open
		if sent := auth.resources[0].metadataURL; sent != raw {
			t.Fatalf("challenges send %q, ResourceMetadataURL gives %q", sent, raw)
		}
		req, err := http.NewRequest(http.MethodGet, raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		auth.MetadataHandler().ServeHTTP(rec, req)
		var doc ProtectedResourceMetadata
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.Resource != resource {
			t.Fatalf("GET %s for resource %q: %d %s", raw, resource, rec.Code, rec.Body)
		}
	})
}

func TestResourceMetadataURL(t *testing.T) {
	tests := map[string]string{
		"https://api.example.com":              "https://api.example.com/.well-known/oauth-protected-resource",
		"https://api.example.com/":             "https://api.example.com/.well-known/oauth-protected-resource",
		"https://api.example.com/mcp":          "https://api.example.com/.well-known/oauth-protected-resource/mcp",
		"https://api.example.com/notes/":       "https://api.example.com/.well-known/oauth-protected-resource/notes/",
		"https://api.example.com/a/b?x=1#frag": "https://api.example.com/.well-known/oauth-protected-resource/a/b",
		"http://localhost:3000/foo":            "http://localhost:3000/.well-known/oauth-protected-resource/foo",
		"https://api.example.com/with%20space": "https://api.example.com/.well-known/oauth-protected-resource/with%20space",
	}
	for in, want := range tests {
		got, err := ResourceMetadataURL(in)
		if err != nil || got != want {
			t.Errorf("ResourceMetadataURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "/mcp", "not a url", "mcp.example.com"} {
		if _, err := ResourceMetadataURL(bad); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("ResourceMetadataURL(%q) = %v", bad, err)
		}
	}
}
