package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/mcp-auth/go/core/authtest"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// maxToolNames is the most tool names a finding lists.
const maxToolNames = 20

// authenticated runs the checks that need a token: initialize and
// tools/list with it, invalid and forged tokens, step-up.
func (p *prober) authenticated(ctx context.Context) {
	switch {
	case p.dpopOnly:
		p.add(report.Info, "authenticated", specDPoPScheme,
			"skipped: the server requires DPoP, and this probe sends bearer tokens only")
		return
	case !p.opts.hasCredentials():
		p.add(report.Info, "authenticated", "",
			"skipped: give -client-id and -client-secret, or -token, to check initialize, tools/list, invalid tokens and step-up")
		return
	}
	token := p.opts.token
	if token != "" {
		p.add(report.Info, "token", specTokenUsage, "using the token given with -token")
	} else if token = p.clientCredentials(ctx); token == "" {
		return
	}
	initialized := p.initialize(ctx, token)
	if initialized {
		p.listTools(ctx, token)
	}
	p.invalidTokens(ctx, token)
	if p.opts.stepUpTool != "" {
		if initialized {
			p.stepUp(ctx, token)
		} else {
			p.add(report.Info, "step-up", specStepUp, "skipped: initialize failed")
		}
	}
	p.endSession(ctx, token)
}

// initialize sends initialize with the token, keeps the session and the
// protocol version the server chose, and sends notifications/initialized.
func (p *prober) initialize(ctx context.Context, token string) bool {
	ex, err := p.post(ctx, call{token: token, method: "initialize", params: p.initializeParams()})
	if err != nil {
		p.add(report.Fail, "initialize", specTokenUsage, "initialize with the token could not be sent: %v", err)
		return false
	}
	if !ex.ok() {
		f := p.add(report.Fail, "initialize", specTokenUsage, "initialize with the token %s", ex.problem())
		f.Details = challengeDetails(ex.header)
		if ex.status == http.StatusForbidden {
			f.Details = append(f.Details, fmt.Sprintf("the token (scope %q) lacks a scope the server wants: give it with -scope", clean(p.grantedScope, 200)))
		}
		return false
	}
	var res struct {
		ProtocolVersion string `json:"protocolVersion"`
		ServerInfo      struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"serverInfo"`
	}
	if err := json.Unmarshal(ex.rpc.Result, &res); err != nil || res.ProtocolVersion == "" {
		p.add(report.Fail, "initialize", specTokenUsage, "initialize with the token answered a result without protocolVersion: not an InitializeResult")
		return false
	}
	session := ex.header.Get("Mcp-Session-Id")
	if !visibleASCII(session) || !visibleASCII(res.ProtocolVersion) {
		p.add(report.Fail, "initialize", specTokenUsage, "initialize answered a session ID or protocol version outside visible ASCII")
		return false
	}
	p.session, p.protocolVersion = session, res.ProtocolVersion
	details := []string{p.notifyInitialized(ctx, token)}
	how := "JSON"
	if ex.stream {
		how = "an event stream"
	}
	inSession := "no session"
	if session != "" {
		inSession = "a session"
	}
	f := p.add(report.Pass, "initialize", specTokenUsage, "initialize succeeded with the token: %s %s, protocol %s, answered as %s, %s",
		clean(res.ServerInfo.Name, 80), clean(res.ServerInfo.Version, 40), res.ProtocolVersion, how, inSession)
	f.Details = details
	return true
}

// notifyInitialized sends notifications/initialized and says how it went:
// Streamable HTTP answers an accepted notification 202.
func (p *prober) notifyInitialized(ctx context.Context, token string) string {
	ex, err := p.post(ctx, call{token: token, method: "notifications/initialized", notify: true})
	switch {
	case err != nil:
		return fmt.Sprintf("notifications/initialized could not be sent: %v", err)
	case ex.status/100 != 2:
		return "notifications/initialized answered " + describeStatus(ex.status, ex.header, ex.body)
	}
	return fmt.Sprintf("notifications/initialized answered %d", ex.status)
}

// listTools calls tools/list with the token.
func (p *prober) listTools(ctx context.Context, token string) {
	ex, err := p.post(ctx, call{token: token, method: "tools/list", params: map[string]any{}})
	if err != nil {
		p.add(report.Fail, "tools/list", specTokenUsage, "tools/list with the token could not be sent: %v", err)
		return
	}
	if !ex.ok() {
		f := p.add(report.Fail, "tools/list", specTokenUsage, "tools/list with the token %s", ex.problem())
		f.Details = challengeDetails(ex.header)
		return
	}
	var res struct {
		Tools []struct {
			Name string `json:"name"`
		} `json:"tools"`
	}
	if err := json.Unmarshal(ex.rpc.Result, &res); err != nil {
		p.add(report.Fail, "tools/list", specTokenUsage, "tools/list answered a result that is not a list of tools: %v", err)
		return
	}
	var names []string
	for i, t := range res.Tools {
		if i == maxToolNames {
			names = append(names, "…")
			break
		}
		names = append(names, clean(t.Name, 60))
	}
	p.add(report.Pass, "tools/list", specTokenUsage, "tools/list succeeded with the token: %d tools (%s)", len(res.Tools), strings.Join(names, ", "))
}

// invalidTokens sends a garbage token and, when the token is a JWT, the
// token with a claim changed and its signature kept: each must get 401 with
// error="invalid_token" (RFC 6750 §3.1). Inside the session when there is
// one (tools/list), since sessions are not authentication; else initialize.
func (p *prober) invalidTokens(ctx context.Context, token string) {
	p.refused(ctx, "invalid-token", "a garbage token", "garbage")
	if forged := authtest.Tamper(token, authtest.Claims{"sub": "mcpauth-probe-forgery"}); forged != token {
		p.refused(ctx, "forged-token", "the token with its sub changed and its signature kept", forged)
	}
}

// refused sends bad as the token and checks the refusal.
func (p *prober) refused(ctx context.Context, check, what, bad string) {
	c := call{token: bad, method: "initialize", params: p.initializeParams()}
	if p.session != "" {
		c = call{token: bad, method: "tools/list", params: map[string]any{}}
	}
	ex, err := p.post(ctx, c)
	if err != nil {
		p.add(report.Fail, check, specErrorCodes, "%s %s could not be sent: %v", c.method, what, err)
		return
	}
	switch {
	case ex.status/100 == 2:
		p.add(report.Fail, check, specErrorCodes, "%s with %s was accepted (%d): it must be refused with 401", c.method, what, ex.status)
		return
	case ex.status != http.StatusUnauthorized:
		p.add(report.Fail, check, specErrorCodes, "%s with %s answered %s; 401 invalid_token expected",
			c.method, what, describeStatus(ex.status, ex.header, ex.body))
		return
	}
	bearer, ok := bearerChallenge(ex.header)
	code, _ := bearer.Get("error")
	var f *report.Finding
	switch {
	case !ok:
		f = p.add(report.Fail, check, specChallenge, "%s with %s got 401 without a parseable Bearer challenge", c.method, what)
	case code == "invalid_token":
		f = p.add(report.Pass, check, specErrorCodes, "%s with %s got 401 with error=\"invalid_token\"", c.method, what)
	case code == "":
		f = p.add(report.Warn, check, specErrorCodes, "%s with %s got 401, but its challenge has no error=\"invalid_token\"", c.method, what)
	default:
		f = p.add(report.Warn, check, specErrorCodes, "%s with %s got 401 with error=%q, not invalid_token", c.method, what, clean(code, 60))
	}
	f.Details = challengeDetails(ex.header)
}

// stepUp calls -step-up-tool with a token that lacks its scope: MCP
// servers SHOULD answer 403 with error="insufficient_scope" and the scope
// needed, so that clients can step up (RFC 6750 §3.1). Should the server
// let the call through, the tool runs with empty arguments.
func (p *prober) stepUp(ctx context.Context, token string) {
	tool := p.opts.stepUpTool
	ex, err := p.post(ctx, call{token: token, method: "tools/call", name: tool,
		params: map[string]any{"name": tool, "arguments": map[string]any{}}})
	if err != nil {
		p.add(report.Fail, "step-up", specStepUp, "tools/call %s could not be sent: %v", clean(tool, 60), err)
		return
	}
	if ex.status != http.StatusForbidden {
		f := p.add(report.Fail, "step-up", specStepUp, "tools/call %s with a token lacking its scope %s",
			clean(tool, 60), p.stepUpProblem(ex))
		f.Details = challengeDetails(ex.header)
		return
	}
	bearer, ok := bearerChallenge(ex.header)
	code, _ := bearer.Get("error")
	scope, _ := bearer.Get("scope")
	_, hasMetadata := bearer.Get("resource_metadata")
	var f *report.Finding
	switch {
	case !ok:
		f = p.add(report.Fail, "step-up", specStepUp, "tools/call %s got 403 without a parseable Bearer challenge: clients cannot step up", clean(tool, 60))
	case code != "insufficient_scope":
		f = p.add(report.Fail, "step-up", specStepUp, "tools/call %s got 403 with error=%q, not insufficient_scope", clean(tool, 60), clean(code, 60))
	case strings.TrimSpace(scope) == "":
		f = p.add(report.Fail, "step-up", specStepUp,
			"tools/call %s got 403 insufficient_scope without a scope parameter: clients cannot tell which scope to ask for", clean(tool, 60))
	case !hasMetadata:
		f = p.add(report.Warn, "step-up", specStepUp, "tools/call %s got 403 insufficient_scope, scope=%q, but no resource_metadata",
			clean(tool, 60), clean(scope, 200))
	default:
		f = p.add(report.Pass, "step-up", specStepUp, "tools/call %s without its scope got 403 insufficient_scope, scope=%q",
			clean(tool, 60), clean(scope, 200))
	}
	f.Details = challengeDetails(ex.header)
}

// stepUpProblem says what a step-up call got instead of 403.
func (p *prober) stepUpProblem(ex *exchange) string {
	switch {
	case ex.status/100 == 2:
		s := fmt.Sprintf("was not refused (%d)", ex.status)
		if p.grantedScope != "" {
			s += fmt.Sprintf("; the token's scope is %q: if it includes the tool's, give -scope without it", clean(p.grantedScope, 200))
		}
		return s + "; 403 insufficient_scope expected"
	case ex.status == http.StatusUnauthorized:
		return "got 401: a valid token lacking a scope must get 403 insufficient_scope, not 401"
	}
	return "answered " + describeStatus(ex.status, ex.header, ex.body) + "; 403 insufficient_scope expected"
}

// endSession ends the session, if any, with DELETE (Streamable HTTP); the
// answer does not matter (a server may refuse with 405).
func (p *prober) endSession(ctx context.Context, token string) {
	if p.session == "" {
		return
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, p.opts.target, nil)
	if err != nil {
		return
	}
	p.setHeaders(req, call{token: token})
	req.Header.Del("Content-Type") // no body
	if _, err := p.send(req); err == nil {
		p.session = ""
	}
}

// bearerChallenge returns the Bearer challenge of an answer's
// WWW-Authenticate, and whether there is a parseable one.
func bearerChallenge(header http.Header) (authtest.Challenge, bool) {
	challenges, err := authtest.ParseChallenges(strings.Join(header.Values("WWW-Authenticate"), ", "))
	if err != nil {
		return authtest.Challenge{}, false
	}
	if i := findScheme(challenges, "Bearer"); i >= 0 {
		return challenges[i], true
	}
	return authtest.Challenge{}, false
}

// challengeDetails is an answer's WWW-Authenticate, as a detail line.
func challengeDetails(header http.Header) []string {
	if values := header.Values("WWW-Authenticate"); len(values) > 0 {
		return []string{"WWW-Authenticate: " + clean(strings.Join(values, ", "), 300)}
	}
	return nil
}

// visibleASCII reports whether s has only visible ASCII (0x21-0x7E), as
// a session ID must (MCP Streamable HTTP) and a header value may safely.
func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
