package mcpauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// FuzzServerMetadata decodes authorization-server metadata the two ways the
// library does (the struct's own UnmarshalJSON, and discovery's
// decodeObject + parseServerMetadata): never a panic; a document that
// decodes encodes to one that decodes to the same value, and encoding that
// again gives the same bytes; a document discovery accepts has the members
// RFC 8414 §2 requires.
func FuzzServerMetadata(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRoundTrip[AuthorizationServerMetadata](t, data)
		obj, err := decodeObject(data)
		if err != nil {
			return
		}
		md, err := parseServerMetadata(obj)
		if err != nil {
			if !errors.Is(err, ErrInvalidServerMetadata) {
				t.Fatalf("error %v does not wrap ErrInvalidServerMetadata", err)
			}
			return
		}
		if md.Issuer == "" || len(md.ResponseTypesSupported) == 0 {
			t.Fatalf("accepted without issuer or response_types_supported: %s", data)
		}
		ValidateServerConfig(&ServerConfig{Metadata: *md}, &ValidateOptions{Verbose: true})
	})
}

// FuzzResourceMetadata is FuzzServerMetadata's round trip for RFC 9728
// protected resource metadata.
func FuzzResourceMetadata(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRoundTrip[ProtectedResourceMetadata](t, data)
	})
}

// checkRoundTrip decodes data into a T; if that works, encoding and decoding
// again must give the same value, and a second encoding the same bytes.
func checkRoundTrip[T any](t *testing.T, data []byte) {
	var first T
	if json.Unmarshal(data, &first) != nil {
		return
	}
	enc, err := json.Marshal(first)
	if err != nil {
		t.Fatalf("decoded %s but cannot encode it: %v", data, err)
	}
	var second T
	if err := json.Unmarshal(enc, &second); err != nil {
		t.Fatalf("cannot decode its own encoding %s: %v", enc, err)
	}
	if again, _ := json.Marshal(second); !bytes.Equal(enc, again) {
		t.Fatalf("encodings differ:\n%s\n%s", enc, again)
	}
	if diff := metadataDiff(reflect.ValueOf(first), reflect.ValueOf(second)); diff != "" {
		t.Fatalf("%s changed in the round trip of %s (encoded %s)", diff, data, enc)
	}
}

// metadataDiff names the first field of two metadata structs that differs.
// Empty and absent lists, maps and strings are the same value (the encoding
// omits them), and Extra members compare as JSON values.
func metadataDiff(a, b reflect.Value) string {
	for i := range a.NumField() {
		name := a.Type().Field(i).Name
		fa, fb := a.Field(i), b.Field(i)
		if name == "Extra" {
			if !sameExtra(fa.Interface().(map[string]json.RawMessage), fb.Interface().(map[string]json.RawMessage)) {
				return name
			}
			continue
		}
		if (fa.Kind() == reflect.Slice || fa.Kind() == reflect.Map) && fa.Len() == 0 && fb.Len() == 0 {
			continue
		}
		if !reflect.DeepEqual(fa.Interface(), fb.Interface()) {
			return name
		}
	}
	return ""
}

func sameExtra(a, b map[string]json.RawMessage) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok || !sameJSON(va, vb) {
			return false
		}
	}
	return true
}

func sameJSON(a, b []byte) bool {
	decode := func(data []byte) (any, error) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		return v, dec.Decode(&v)
	}
	va, erra := decode(a)
	vb, errb := decode(b)
	return erra == nil && errb == nil && reflect.DeepEqual(va, vb)
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
