package authtest

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func get(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &v)
	return resp.StatusCode, v
}

func TestServerDiscoveryLocations(t *testing.T) {
	s := NewServer(&Options{Path: "/tenant", Locations: []Location{OIDCInsert}})
	defer s.Close()
	if code, doc := get(t, s.URL+"/.well-known/openid-configuration/tenant"); code != 200 || doc["issuer"] != s.Issuer || doc["jwks_uri"] != s.Issuer+"/jwks" {
		t.Fatalf("%d %v", code, doc)
	}
	for _, p := range []string{"/.well-known/oauth-authorization-server/tenant", "/tenant/.well-known/openid-configuration"} {
		if code, _ := get(t, s.URL+p); code != 404 {
			t.Errorf("%s: %d", p, code)
		}
	}
	if s.Requests("/.well-known/openid-configuration/tenant") != 1 || s.TotalRequests() != 3 {
		t.Fatalf("counters %d %d", s.Requests("/.well-known/openid-configuration/tenant"), s.TotalRequests())
	}
}

func TestServerKeys(t *testing.T) {
	s := NewServer(&Options{Algorithm: "ES256"})
	defer s.Close()
	ed, err := s.AddKey("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	_, jwks := get(t, s.URL+"/jwks")
	keys := jwks["keys"].([]any)
	if len(keys) != 2 || keys[0].(map[string]any)["crv"] != "P-256" || keys[1].(map[string]any)["kty"] != "OKP" {
		t.Fatalf("%v", jwks)
	}
	s.RetireKey("key-1")
	s.UseKey(ed)
	if _, jwks = get(t, s.URL+"/jwks"); len(jwks["keys"].([]any)) != 1 {
		t.Fatalf("retire: %v", jwks)
	}
	old := ed.JWK()["x"]
	if _, err := s.RotateKey(ed.ID); err != nil {
		t.Fatal(err)
	}
	if s.SigningKey().JWK()["x"] == old || s.SigningKey().ID != ed.ID {
		t.Fatal("rotation kept the old key material or changed the kid")
	}
	if _, err := s.RotateKey("nope"); err == nil {
		t.Fatal("rotating an unknown key")
	}
}

func TestMint(t *testing.T) {
	s := NewServer(&Options{Audience: "https://mcp.example.com/mcp"})
	defer s.Close()
	parts := strings.Split(s.MintWith(MintOptions{Claims: Claims{"scope": "a b", "jti": Delete}, Header: map[string]any{"typ": "JWT"}}), ".")
	if len(parts) != 3 || parts[2] == "" {
		t.Fatalf("%v", parts)
	}
	var header, claims map[string]any
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	c, _ := base64.RawURLEncoding.DecodeString(parts[1])
	json.Unmarshal(h, &header)
	json.Unmarshal(c, &claims)
	if header["typ"] != "JWT" || header["alg"] != "RS256" || header["kid"] != "key-1" {
		t.Errorf("header %v", header)
	}
	if claims["iss"] != s.Issuer || claims["aud"] != "https://mcp.example.com/mcp" || claims["scope"] != "a b" || claims["exp"] == nil {
		t.Errorf("claims %v", claims)
	}
	if _, has := claims["jti"]; has {
		t.Error("Delete did not remove jti")
	}
	if none := s.MintWith(MintOptions{Algorithm: "none"}); !strings.HasSuffix(none, ".") {
		t.Errorf("unsigned token %q", none)
	}
}

func TestStopRestart(t *testing.T) {
	s := NewServer(nil)
	defer s.Close()
	url := s.URL + "/jwks"
	if code, _ := get(t, url); code != 200 {
		t.Fatal(code)
	}
	s.Stop()
	if _, err := http.Get(url); err == nil {
		t.Fatal("stopped server answered")
	}
	if err := s.Restart(); err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, url); code != 200 {
		t.Fatal("restarted server does not answer")
	}
}

func TestIntercept(t *testing.T) {
	s := NewServer(nil)
	defer s.Close()
	s.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		http.Error(w, "down", 503)
		return true
	})
	if code, _ := get(t, s.URL+"/jwks"); code != 503 {
		t.Fatal(code)
	}
	s.SetIntercept(nil)
	s.Handle("/custom", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"ok":true}`)) }))
	if code, v := get(t, s.URL+"/custom"); code != 200 || v["ok"] != true {
		t.Fatal(code, v)
	}
}

func TestParseChallenge(t *testing.T) {
	c, err := ParseChallenge(`Bearer realm="a \"b\"", error=invalid_token,scope="x y" , resource_metadata="https://h/p"`)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Get("realm"); v != `a "b"` {
		t.Errorf("realm %q", v)
	}
	if v, _ := c.Get("error"); v != "invalid_token" {
		t.Errorf("error %q", v)
	}
	if strings.Join(c.Names(), ",") != "realm,error,scope,resource_metadata" {
		t.Errorf("names %v", c.Names())
	}
	if c, err := ParseChallenge("Bearer"); err != nil || c.Scheme != "Bearer" || len(c.Params) != 0 {
		t.Errorf("bare scheme: %v %v", c, err)
	}
	for _, bad := range []string{
		``, `Bearer error="a`, `Bearer error="a"b"`, `Bearer error=`, `Bearer ="x"`, `Bearer error="x" scope="y"`,
		`Bearer error="x", error="y"`, "Bearer error=\"a\nb\"", `Bearer error="a\`,
	} {
		if _, err := ParseChallenge(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestParseChallenges(t *testing.T) {
	cs, err := ParseChallenges(`Bearer error="invalid_token", resource_metadata="https://h/p", DPoP algs="ES256 PS256", error=use_dpop_nonce`)
	if err != nil || len(cs) != 2 || cs[0].Scheme != "Bearer" || cs[1].Scheme != "DPoP" {
		t.Fatalf("%+v %v", cs, err)
	}
	if strings.Join(cs[0].Names(), ",") != "error,resource_metadata" || strings.Join(cs[1].Names(), ",") != "algs,error" {
		t.Fatalf("names %v %v", cs[0].Names(), cs[1].Names())
	}
	// RFC 9449 §7.1: a challenge without parameters, then another.
	if cs, err := ParseChallenges(`Bearer, DPoP algs="ES256"`); err != nil || len(cs) != 2 || len(cs[0].Params) != 0 {
		t.Fatalf("%+v %v", cs, err)
	}
	// The same parameter in two challenges is fine; twice in one is not.
	if _, err := ParseChallenges(`Bearer scope="a", DPoP scope="a"`); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`Bearer scope="a", DPoP scope="a", scope="b"`, `Bearer a="1", , DPoP`, `Bearer a="1",`, `Bearer a="1" DPoP`} {
		if cs, err := ParseChallenges(bad); err == nil {
			t.Errorf("%q parsed as %+v", bad, cs)
		}
	}
	if _, err := ParseChallenge(`Bearer a="1", DPoP b="2"`); err == nil {
		t.Error("ParseChallenge accepted two challenges")
	}
}

// TestStartLoopbackOnly: the server issues tokens to whoever asks, so it
// refuses to listen where other machines could reach it.
func TestStartLoopbackOnly(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:0", "127.0.0.1"} {
		if s, err := Start(&Options{Addr: addr}); err == nil || !strings.Contains(err.Error(), "not a loopback address") {
			if s != nil {
				s.Close()
			}
			t.Errorf("Addr %q: %v", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "127.0.0.2:0", "localhost:0", "LOCALHOST:0"} {
		s, err := Start(&Options{Addr: addr})
		if err != nil {
			t.Errorf("Addr %q: %v", addr, err)
			continue
		}
		s.Close()
	}
}
