//go:build unix

package interop

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/mcp-auth/go/core/authtest"
)

// TestDPoPClient drives every example server, run with -dpop required and
// trusting oidc-provider, with js/dpop-client.mjs: a DPoP-bound token from
// oidc-provider (proofs by panva's dpop package), the TypeScript SDK's
// protocol flow with a proof on every request, and the refusals a DPoP
// resource owes (step-up, replay, a proof for another URL or method or by
// another key, the bound token as a bearer token, a plain bearer token).
// Two examples also run with -dpop on, where bearer tokens still work next
// to DPoP-bound ones; one with opaque tokens checked by introspection,
// whose answer carries the key binding; and one with Ed25519 proofs (RFC
// 9864's name, which the dpop package signs with) instead of ES256.
func TestDPoPClient(t *testing.T) {
	as := startAuthServer(t, asOptions{})
	type dpopCase struct {
		example string
		mode    string // -dpop
		opaque  bool   // tokens are opaque, verified by introspection
		alg     string // the proofs' algorithm; "" means ES256
	}
	var cases []dpopCase
	for _, name := range exampleNames {
		cases = append(cases, dpopCase{example: name, mode: "required"})
	}
	cases = append(cases, dpopCase{example: "gin", mode: "on"}, dpopCase{example: "mcpgo", mode: "on"},
		dpopCase{example: "nethttp", mode: "required", opaque: true}, dpopCase{example: "chi", mode: "required", alg: "Ed25519"})
	for _, tc := range cases {
		name := tc.example + "/" + tc.mode
		if tc.opaque {
			name += "/introspection"
		}
		if tc.alg == "" {
			tc.alg = "ES256"
		} else {
			name += "/" + tc.alg
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var ex *example
			issuer := as
			if tc.opaque {
				// oidc-provider issues opaque tokens for resources it is
				// told about when it starts, so this one has its own.
				port := freePort(t)
				resource := fmt.Sprintf("http://127.0.0.1:%d/mcp", port)
				issuer = startAuthServer(t, asOptions{Opaque: []string{resource}})
				cmd := exec.Command(exampleBinary(t, tc.example), "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-issuer", issuer.Issuer,
					"-dpop", tc.mode, "-introspect-client-id", rsClientID)
				cmd.Env = append(os.Environ(), "MCPAUTH_INTROSPECT_CLIENT_SECRET="+rsSecret)
				ex = startExampleCmd(t, tc.example, cmd)
			} else {
				ex = startExample(t, tc.example, "-issuer", as.Issuer, "-dpop", tc.mode)
			}
			if tc.mode == "on" {
				t.Run("bearer", func(t *testing.T) { testBearerNextToDPoP(t, issuer, ex) })
			}
			t.Run("dpop", func(t *testing.T) {
				content := "DPoP from " + ex.Name
				rep := runDPoPClient(t, dpopClientConfig{URL: ex.MCP, Issuer: issuer.Issuer, ClientID: clientID, ClientSecret: clientSecret,
					Scope: "read:todos", StepUpScope: "create:todos", Content: content, Alg: tc.alg})
				checkDPoPReport(t, issuer, ex, rep, tc.mode == "required", tc.opaque, tc.alg, content)
			})
		})
	}
}

// checkDPoPReport checks everything js/dpop-client.mjs saw, in order.
func checkDPoPReport(t *testing.T, as *authServer, ex *example, rep dpopReport, required, opaque bool, alg, content string) {
	if rep.Error != "" || rep.ConnectError != "" {
		t.Fatalf("DPoP client: %s %s", rep.Error, rep.ConnectError)
	}
	// The order of the steps, the SDK's requests counted as one.
	var steps []string
	for _, x := range rep.HTTP {
		if len(steps) == 0 || x.Step != "sdk" || steps[len(steps)-1] != "sdk" {
			steps = append(steps, x.Step)
		}
		if x.DPoPNonce != "" {
			t.Errorf("a DPoP-Nonce, though neither peer asks for nonces: %v", x)
		}
		if x.Proof != nil && (x.Proof.Alg != alg || x.Proof.Typ != "dpop+jwt") {
			t.Errorf("%s: a proof signed with %s (typ %s), want %s", x.Step, x.Proof.Alg, x.Proof.Typ, alg)
		}
	}
	wantSteps := []string{"unauthenticated", "prm", "as-metadata", "token", "sdk", "step-up", "replay-first", "replay", "no-proof",
		"wrong-htu", "wrong-htm", "other-key", "bound-as-bearer", "token-plain", "plain-bearer", "token-step-up", "create"}
	if !slices.Equal(steps, wantSteps) {
		t.Fatalf("steps %v, want %v", steps, wantSteps)
	}

	// What the client discovered: the resource takes DPoP (ES256 and the
	// proofs' algorithm among others), and requires it when -dpop
	// required; so does oidc-provider.
	prm := rep.PRM
	if prm.Resource != ex.Resource || !slices.Equal(prm.AuthorizationServers, []string{as.Issuer}) ||
		!slices.Contains(prm.DPoPSigningAlgs, "ES256") || !slices.Contains(prm.DPoPSigningAlgs, alg) {
		t.Errorf("protected resource metadata %+v", prm)
	}
	if required && (prm.DPoPBoundRequired == nil || !*prm.DPoPBoundRequired) {
		t.Errorf("-dpop required, yet dpop_bound_access_tokens_required is %v", prm.DPoPBoundRequired)
	}
	if !required && prm.DPoPBoundRequired != nil {
		t.Errorf("-dpop on, yet dpop_bound_access_tokens_required is %v", *prm.DPoPBoundRequired)
	}
	if rep.ASMetadata.Issuer != as.Issuer || rep.ASMetadata.TokenEndpoint != as.Issuer+"/token" || !slices.Contains(rep.ASMetadata.DPoPSigningAlgs, alg) {
		t.Errorf("authorization server metadata %+v", rep.ASMetadata)
	}
	algs := strings.Join(prm.DPoPSigningAlgs, " ")

	// The tokens: bound to the client's key when asked for with a proof.
	if rep.JKT == "" {
		t.Fatal("no key thumbprint")
	}
	for step, want := range map[string]struct {
		typ, scope string
		bound      bool
	}{"token": {"DPoP", "read:todos", true}, "token-step-up": {"DPoP", "create:todos", true}, "token-plain": {"Bearer", "read:todos", false}} {
		tok := rep.Tokens[step]
		x := rep.step(t, step)
		if tok.Status != 200 || tok.TokenType != want.typ || tok.Scope != want.scope || tok.JWT == opaque {
			t.Errorf("%s: %+v", step, tok)
		}
		if !opaque && (tok.Aud != ex.Resource || want.bound != (tok.Cnf != nil) || (want.bound && tok.Cnf["jkt"] != rep.JKT) || (tok.Cnf != nil && len(tok.Cnf) != 1)) {
			t.Errorf("%s: claims aud %v cnf %v (the key's thumbprint is %s)", step, tok.Aud, tok.Cnf, rep.JKT)
		}
		if x.URL != as.Issuer+"/token" || x.Method != "POST" || x.AuthScheme != "Basic" || x.Form["grant_type"] != "client_credentials" ||
			x.Form["resource"] != ex.Resource || x.Form["scope"] != want.scope || want.bound != (x.Proof != nil) {
			t.Errorf("%s request: %v", step, x)
		}
		if x.Proof != nil && (x.Proof.HTM != "POST" || x.Proof.HTU != as.Issuer+"/token" || x.Proof.ATH || x.Proof.Nonce != "") {
			t.Errorf("%s proof %+v", step, x.Proof)
		}
	}

	// The unauthenticated initialize: challenged, no error.
	x := rep.step(t, "unauthenticated")
	checkRefusal(t, ex, x, 401, "", "", "missing_auth_header", required, algs)

	// The SDK's requests, each with the DPoP scheme and a proof of itself.
	var rpcs []string
	for _, x := range rep.HTTP {
		if x.Step != "sdk" {
			continue
		}
		if x.URL != ex.MCP || x.AuthScheme != "DPoP" || x.Proof == nil || x.Proof.HTM != x.Method || x.Proof.HTU != ex.MCP || !x.Proof.ATH ||
			(x.Status != 200 && x.Status != 202 && !(x.Method == "GET" && x.Status == http.StatusMethodNotAllowed)) {
			t.Errorf("SDK request: %v proof %+v", x, x.Proof)
		}
		if x.RPC != "" {
			rpcs = append(rpcs, x.RPC)
		}
	}
	if !slices.Equal(rpcs, []string{"initialize", "notifications/initialized", "tools/list", "tools/call"}) {
		t.Errorf("JSON-RPC over DPoP: %v", rpcs)
	}
	if rep.Server == nil || rep.Server.Name != "todo-manager" {
		t.Errorf("server info %+v", rep.Server)
	}
	if tools := slices.Sorted(slices.Values(rep.Tools)); !slices.Equal(tools, allTools) {
		t.Errorf("tools/list: %v", rep.Tools)
	}
	identity := map[string]any{"issuer": as.Issuer, "subject": clientID, "clientId": clientID, "scopes": []string{"read:todos"}}
	if opaque {
		// oidc-provider's introspection answer for a client_credentials
		// token has no sub (the JWT has sub = the client).
		identity["subject"] = ""
	}
	if rep.WhoAmI == nil || rep.WhoAmI.IsError || !sameJSON(rep.WhoAmI.Structured, identity) {
		t.Errorf("whoami over DPoP: %+v", rep.WhoAmI)
	}

	// The raw requests: each proof as the script meant it.
	for _, x := range rep.HTTP[slices.IndexFunc(rep.HTTP, func(x dpopExchange) bool { return x.Step == "step-up" }):] {
		if !strings.HasPrefix(x.Step, "token") && (x.URL != ex.MCP || x.Method != "POST" || x.RPC != "tools/call") {
			t.Errorf("%s: %v", x.Step, x)
		}
		if x.Proof == nil || x.Step == "token-step-up" {
			continue
		}
		wantHTU, wantHTM := ex.MCP, "POST"
		switch x.Step {
		case "wrong-htu":
			wantHTU = ex.Base + "/other"
		case "wrong-htm":
			wantHTM = "GET"
		}
		if x.Proof.HTU != wantHTU || x.Proof.HTM != wantHTM || !x.Proof.ATH || x.Proof.Nonce != "" {
			t.Errorf("%s proof %+v", x.Step, x.Proof)
		}
	}
	// With -dpop on a plain bearer token is accepted; with required it is not.
	plainStatus, plainError := 200, ""
	if required {
		plainStatus, plainError = 401, "invalid_token"
	}
	for _, tt := range []struct {
		step, scheme       string
		proof              bool
		status             int
		error, scope, code string
	}{
		{"step-up", "DPoP", true, 403, "insufficient_scope", "create:todos", "missing_required_scopes"},
		{"replay-first", "DPoP", true, 200, "", "", ""},
		{"replay", "DPoP", true, 401, "invalid_dpop_proof", "", "invalid_dpop_proof"},
		{"no-proof", "DPoP", false, 401, "invalid_dpop_proof", "", "invalid_dpop_proof"},
		{"wrong-htu", "DPoP", true, 401, "invalid_dpop_proof", "", "invalid_dpop_proof"},
		{"wrong-htm", "DPoP", true, 401, "invalid_dpop_proof", "", "invalid_dpop_proof"},
		{"other-key", "DPoP", true, 401, "invalid_token", "", "invalid_token"},
		{"bound-as-bearer", "Bearer", false, 401, "invalid_token", "", "invalid_token"},
		{"plain-bearer", "Bearer", false, plainStatus, plainError, "", plainError},
		{"create", "DPoP", true, 200, "", "", ""},
	} {
		x := rep.step(t, tt.step)
		if x.AuthScheme != tt.scheme || (x.Proof != nil) != tt.proof {
			t.Errorf("%s sent %v", tt.step, x)
		}
		if tt.status == 200 {
			if x.Status != 200 || x.WWWAuthenticate != "" {
				t.Errorf("%s refused: %v", tt.step, x)
			}
			continue
		}
		checkRefusal(t, ex, x, tt.status, tt.error, tt.scope, tt.code, required, algs)
	}
	if !sameJSON(rep.ReplayFirst, identity) {
		t.Errorf("whoami with the proof before it was replayed: %v", rep.ReplayFirst)
	}
	if !required && !sameJSON(rep.PlainBearer, identity) {
		t.Errorf("whoami with a plain bearer token next to DPoP: %v", rep.PlainBearer)
	}
	c := rep.Created
	if c == nil || c.IsError || c.Error != nil || c.Structured["content"] != content || c.Structured["ownerId"] != clientID ||
		c.Structured["id"] == nil || c.Structured["createdAt"] == nil {
		t.Errorf("create-todo with a DPoP-bound create:todos token: %+v", c)
	}
}

// checkRefusal checks a refusal: its status, the JSON body's error_code,
// and its challenges, parsed by RFC 9110's grammar. With -dpop required
// there is one, DPoP; with -dpop on a Bearer one then a DPoP one, the error
// in the challenge of the scheme the request used. Each carries, in order,
// error and error_description (when there is an error), scope (when
// scope is set), resource_metadata, and for DPoP algs.
func checkRefusal(t *testing.T, ex *example, x dpopExchange, status int, errCode, scope, bodyCode string, required bool, algs string) {
	t.Helper()
	if x.Status != status || x.ErrorCode != bodyCode {
		t.Errorf("%s: %v, error_code %q; want %d %q", x.Step, x, x.ErrorCode, status, bodyCode)
		return
	}
	cs, err := authtest.ParseChallenges(x.WWWAuthenticate)
	if err != nil {
		t.Errorf("%s: challenge %q: %v", x.Step, x.WWWAuthenticate, err)
		return
	}
	schemes := []string{"DPoP"}
	if !required {
		schemes = []string{"Bearer", "DPoP"}
	}
	if len(cs) != len(schemes) {
		t.Errorf("%s: challenges %q, want %v", x.Step, x.WWWAuthenticate, schemes)
		return
	}
	for i, c := range cs {
		withError := errCode != "" && (len(cs) == 1 || (c.Scheme == "DPoP") == (x.AuthScheme == "DPoP"))
		var names []string
		if withError {
			names = append(names, "error", "error_description")
		}
		if scope != "" {
			names = append(names, "scope")
		}
		names = append(names, "resource_metadata")
		if c.Scheme == "DPoP" {
			names = append(names, "algs")
		}
		wantAlgs := ""
		if c.Scheme == "DPoP" {
			wantAlgs = algs
		}
		got := func(name string) string { v, _ := c.Get(name); return v }
		if c.Scheme != schemes[i] || !slices.Equal(c.Names(), names) || (withError && (got("error") != errCode || got("error_description") == "")) ||
			got("scope") != scope || got("resource_metadata") != ex.PRM() || got("algs") != wantAlgs {
			t.Errorf("%s: challenge %d is %+v; want %s with %v (error %q, scope %q)", x.Step, i, c, schemes[i], names, errCode, scope)
		}
	}
}

// testBearerNextToDPoP checks, on an example run with -dpop on, that the
// TypeScript SDK's bearer flow still works: the first challenge offers both
// schemes, the SDK finds the metadata in it, gets a plain bearer token and
// calls whoami; a create-todo without create:todos is refused 403 with the
// error in the Bearer challenge, which the SDK reads (it retries once).
func testBearerNextToDPoP(t *testing.T, as *authServer, ex *example) {
	rep := runClient(t, clientConfig{URL: ex.MCP, Issuer: as.Issuer, ClientID: clientID, ClientSecret: clientSecret, Scope: "read:todos",
		Calls: []clientCall{{Name: "whoami"}, {Name: "create-todo", Arguments: map[string]any{"content": "bearer"}}}})
	if rep.ConnectError != "" {
		t.Fatalf("connect: %s", rep.ConnectError)
	}
	if len(rep.HTTP) < 5 {
		t.Fatalf("only %d HTTP exchanges", len(rep.HTTP))
	}
	first := rep.HTTP[0]
	if first.RPC != "initialize" || first.AuthScheme != "" || first.Status != 401 {
		t.Fatalf("first exchange: %v", first)
	}
	cs, err := authtest.ParseChallenges(first.WWWAuthenticate)
	if err != nil || len(cs) != 2 || cs[0].Scheme != "Bearer" || cs[1].Scheme != "DPoP" {
		t.Fatalf("401 challenges %q: %v", first.WWWAuthenticate, err)
	}
	for _, c := range cs {
		if rm, _ := c.Get("resource_metadata"); rm != ex.PRM() {
			t.Errorf("%s challenge %+v", c.Scheme, c)
		}
		if _, ok := c.Get("error"); ok {
			t.Errorf("an error without credentials: %+v", c)
		}
	}
	var challenge403 string
	for _, x := range rep.HTTP[1:] {
		if x.Form != nil && (x.Form["resource"] != ex.Resource || x.Form["scope"] != "read:todos") {
			t.Errorf("token request %v", x)
		}
		if x.URL != ex.MCP {
			continue
		}
		switch {
		case x.Tool == "create-todo" && x.Status == 403:
			challenge403 = x.WWWAuthenticate
		case x.AuthScheme != "Bearer" || (x.Status != 200 && x.Status != 202 && !(x.Method == "GET" && x.Status == http.StatusMethodNotAllowed)):
			t.Errorf("with the bearer token: %v", x)
		}
	}
	if len(rep.Calls) != 2 {
		t.Fatalf("calls %+v", rep.Calls)
	}
	who := rep.Calls[0]
	if who.Error != "" || who.IsError || !sameJSON(who.Structured, map[string]any{"issuer": as.Issuer, "subject": clientID, "clientId": clientID, "scopes": []string{"read:todos"}}) {
		t.Errorf("whoami with a bearer token: %+v", who)
	}
	if create := rep.Calls[1]; create.Error == "" || !strings.Contains(create.Error, "403") {
		t.Errorf("create-todo without create:todos: %+v", create)
	}
	cs, err = authtest.ParseChallenges(challenge403)
	if err != nil || len(cs) != 2 || cs[0].Scheme != "Bearer" || cs[1].Scheme != "DPoP" {
		t.Fatalf("403 challenges %q: %v", challenge403, err)
	}
	code, _ := cs[0].Get("error")
	scope, _ := cs[0].Get("scope")
	dpopScope, _ := cs[1].Get("scope")
	if _, dpopErr := cs[1].Get("error"); code != "insufficient_scope" || scope != "create:todos" || dpopScope != "create:todos" || dpopErr {
		t.Errorf("403 challenges %+v", cs)
	}
}

// dpopClientConfig is js/dpop-client.mjs's argument.
type dpopClientConfig struct {
	URL          string `json:"url"`
	Issuer       string `json:"issuer"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	Scope        string `json:"scope"`
	StepUpScope  string `json:"stepUpScope"`
	Content      string `json:"content"`
	Alg          string `json:"alg"`
}

// dpopReport is what js/dpop-client.mjs saw.
type dpopReport struct {
	HTTP   []dpopExchange       `json:"http"`
	Tokens map[string]dpopToken `json:"tokens"`
	JKT    string               `json:"jkt"` // the client key's thumbprint
	PRM    struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		DPoPSigningAlgs      []string `json:"dpop_signing_alg_values_supported"`
		DPoPBoundRequired    *bool    `json:"dpop_bound_access_tokens_required"`
	} `json:"prm"`
	ASMetadata struct {
		Issuer          string   `json:"issuer"`
		TokenEndpoint   string   `json:"token_endpoint"`
		DPoPSigningAlgs []string `json:"dpop_signing_alg_values_supported"`
	} `json:"asMetadata"`
	Server *struct {
		Name string `json:"name"`
	} `json:"server"`
	Tools  []string `json:"tools"`
	WhoAmI *struct {
		IsError    bool           `json:"isError"`
		Structured map[string]any `json:"structured"`
	} `json:"whoami"`
	ReplayFirst map[string]any `json:"replayFirst"`
	PlainBearer map[string]any `json:"plainBearer"`
	Created     *struct {
		IsError    bool           `json:"isError"`
		Structured map[string]any `json:"structured"`
		Error      any            `json:"error"`
	} `json:"created"`
	ConnectError string `json:"connectError"`
	Error        string `json:"error"`
}

// dpopExchange is one HTTP request of the DPoP client, and its answer.
type dpopExchange struct {
	exchange
	Step  string `json:"step"`
	Proof *struct {
		Alg   string `json:"alg"` // of the JOSE header
		Typ   string `json:"typ"`
		HTM   string `json:"htm"`
		HTU   string `json:"htu"`
		ATH   bool   `json:"ath"` // the proof has an ath claim
		Nonce string `json:"nonce"`
	} `json:"proof"`
	DPoPNonce string `json:"dpopNonce"`
	ErrorCode string `json:"errorCode"` // the JSON error body's error_code
}

func (x dpopExchange) String() string {
	s := x.Step + ": " + x.exchange.String()
	if x.Proof != nil {
		s += fmt.Sprintf(" proof %+v", *x.Proof)
	}
	if x.ErrorCode != "" {
		s += " error_code " + x.ErrorCode
	}
	return s
}

// dpopToken is a token endpoint's answer, and the claims of the JWT.
type dpopToken struct {
	Status    int            `json:"status"`
	TokenType string         `json:"tokenType"`
	Scope     string         `json:"scope"`
	JWT       bool           `json:"jwt"`
	Aud       any            `json:"aud"`
	Cnf       map[string]any `json:"cnf"`
}

// step returns the exchange of step, which must be there once.
func (r dpopReport) step(t *testing.T, step string) dpopExchange {
	t.Helper()
	var found []dpopExchange
	for _, x := range r.HTTP {
		if x.Step == step {
			found = append(found, x)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d exchanges for step %s", len(found), step)
	}
	return found[0]
}

// runDPoPClient runs js/dpop-client.mjs and returns its report; the HTTP
// exchanges are logged if the test fails.
func runDPoPClient(t *testing.T, cfg dpopClientConfig) dpopReport {
	t.Helper()
	arg, _ := json.Marshal(cfg)
	out, err := runNode(t, "dpop-client.mjs", string(arg))
	if err != nil {
		t.Fatalf("DPoP client: %v", err)
	}
	var rep dpopReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("DPoP client report %q: %v", out, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			var b strings.Builder
			for _, x := range rep.HTTP {
				b.WriteString("  " + x.String() + "\n")
			}
			t.Logf("DPoP client HTTP exchanges:\n%s", b.String())
		}
	})
	return rep
}
