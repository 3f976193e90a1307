package authtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/mcp-auth/go/core/internal/dpop"
)

// postDPoP posts form to the token endpoint as the client app, with the
// DPoP header values.
func postDPoP(t *testing.T, s *Server, form url.Values, proofs ...string) (int, map[string]any) {
	t.Helper()
	return postWith(t, s.Issuer+"/token", form, http.Header{"Dpop": proofs}, "app", "s3cret")
}

// TestTokenEndpointDPoP: a token request with a valid proof gets a token
// bound to the proof's key (token_type DPoP, cnf.jkt, and so in the
// introspection answer); a bad proof gets 400 invalid_dpop_proof.
func TestTokenEndpointDPoP(t *testing.T) {
	s := newOAuthServer(t)
	k, err := NewKey("", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {"https://mcp.example.com/mcp"}}
	code, v := postDPoP(t, s, form, k.Proof("POST", s.Issuer+"/token", ""))
	if code != 200 || v["token_type"] != "DPoP" {
		t.Fatalf("%d %v", code, v)
	}
	token := v["access_token"].(string)
	cnf, _ := claimsOf(t, token)["cnf"].(map[string]any)
	if cnf["jkt"] != k.Thumbprint() {
		t.Fatalf("cnf %v, want jkt %s", cnf, k.Thumbprint())
	}
	code, in := postForm(t, s.Issuer+"/introspect", url.Values{"token": {token}}, "app", "s3cret")
	if icnf, _ := in["cnf"].(map[string]any); code != 200 || in["token_type"] != "DPoP" || icnf["jkt"] != k.Thumbprint() {
		t.Fatalf("introspection %d %v", code, in)
	}
	// Without a proof: a bearer token.
	if code, v := postDPoP(t, s, form); code != 200 || v["token_type"] != "Bearer" || claimsOf(t, v["access_token"].(string))["cnf"] != nil {
		t.Fatalf("%d %v", code, v)
	}
	for name, proofs := range map[string][]string{
		"for another URL":     {k.Proof("POST", s.Issuer+"/other", "")},
		"for GET":             {k.Proof("GET", s.Issuer+"/token", "")},
		"too old":             {k.SignProof(Proof{Method: "POST", URL: s.Issuer + "/token", IssuedAt: time.Now().Add(-time.Hour)})},
		"not a JWT":           {"garbage"},
		"two proofs":          {k.Proof("POST", s.Issuer+"/token", ""), k.Proof("POST", s.Issuer+"/token", "")},
		"unsigned (alg none)": {k.SignProof(Proof{Method: "POST", URL: s.Issuer + "/token", Algorithm: "none"})},
	} {
		if code, v := postDPoP(t, s, form, proofs...); code != 400 || v["error"] != "invalid_dpop_proof" {
			t.Errorf("%s: %d %v", name, code, v)
		}
	}
}

// TestDPoPTransport: each request carries the token with the DPoP scheme
// and a new proof of its method, its URL without the query, and the token.
func TestDPoPTransport(t *testing.T) {
	k, err := NewKey("", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	var proofs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "DPoP the-token" {
			t.Errorf("Authorization %q", r.Header.Get("Authorization"))
		}
		p, err := dpop.Parse(r.Header.Get("DPoP"), dpopAlgorithms)
		if err == nil {
			err = p.Check(dpop.Expect{Method: r.Method, URL: "http://" + r.Host + "/mcp", AccessToken: "the-token", Now: time.Now(), Window: time.Minute})
		}
		if err != nil {
			t.Error(err)
		}
		proofs = append(proofs, r.Header.Get("DPoP"))
	}))
	defer srv.Close()
	c := &http.Client{Transport: &DPoPTransport{Key: k, Token: "the-token"}}
	for _, method := range []string{"POST", "GET"} {
		req, _ := http.NewRequest(method, srv.URL+"/mcp?session=1", nil)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if len(proofs) != 2 || proofs[0] == proofs[1] {
		t.Fatalf("proofs %d, reused: %v", len(proofs), len(proofs) == 2 && proofs[0] == proofs[1])
	}
}
