package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// tokenResponse is a token endpoint's answer (RFC 6749 §5.1, §5.2).
type tokenResponse struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	Scope            string `json:"scope"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// scopeToAsk is the scope asked for with client credentials: -scope when
// given (even empty), else the 401 challenge's scope, which MCP clients
// ask for first (MCP 2025-11-25 Authorization §6), else none. Not all of
// scopes_supported, as a client would without a challenge scope: a token
// with every scope could not show the step-up refusal of -step-up-tool.
func (p *prober) scopeToAsk() string {
	if p.opts.scopeSet {
		return p.opts.scope
	}
	if p.challenge != nil {
		if scope, ok := p.challenge.Get("scope"); ok {
			return scope
		}
	}
	return ""
}

// clientCredentials gets a token with the client credentials grant from the
// first authorization server's token endpoint: client_secret_basic, and
// resource the metadata's resource (RFC 8707), as MCP clients must send
// it. It returns "" after reporting a failure.
func (p *prober) clientCredentials(ctx context.Context) string {
	endpoint, ok := p.tokenEndpoint()
	if !ok {
		return ""
	}
	resource := p.opts.target
	if p.metadata != nil {
		resource = p.metadata.Resource
	}
	scope := p.scopeToAsk()
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {resource}}
	if scope != "" {
		form.Set("scope", scope)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		p.add(report.Fail, "token", specClientCredentials, "token endpoint %s: %v", clean(endpoint, 200), err)
		return ""
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// RFC 6749 §2.3.1: the ID and secret are form-urlencoded first.
	req.SetBasicAuth(url.QueryEscape(p.opts.clientID), url.QueryEscape(p.opts.clientSecret))
	f, err := p.send(req)
	if err != nil {
		p.add(report.Fail, "token", specClientCredentials, "the token request to %s failed: %v", clean(endpoint, 200), err)
		return ""
	}
	var tr tokenResponse
	_ = json.Unmarshal(f.body, &tr) // a failure leaves it empty, judged below
	if f.status != http.StatusOK || tr.AccessToken == "" {
		p.add(report.Fail, "token", specClientCredentials, "the token endpoint %s refused client credentials: %s",
			clean(endpoint, 200), describeTokenError(f, tr))
		return ""
	}
	p.grantedScope = tr.Scope
	status := report.Pass
	details := []string{fmt.Sprintf("asked for resource %s, scope %q; granted scope %q", clean(resource, 200), scope, clean(tr.Scope, 200))}
	if !strings.EqualFold(tr.TokenType, "Bearer") {
		status = report.Warn
		details = append(details, fmt.Sprintf("token_type %q, not Bearer", clean(tr.TokenType, 40)))
	}
	f2 := p.add(status, "token", specClientCredentials, "client_credentials token from %s", clean(endpoint, 200))
	f2.Details = details
	return tr.AccessToken
}

// tokenEndpoint returns the first authorization server's token endpoint,
// refusing to send the client secret over plain http off loopback unless
// -insecure. It reports why there is none.
func (p *prober) tokenEndpoint() (string, bool) {
	if len(p.servers) == 0 || p.servers[0] == nil {
		p.add(report.Fail, "token", specClientCredentials,
			"no token can be asked for: the first authorization server was not found or could not be discovered")
		return "", false
	}
	endpoint := p.servers[0].Metadata.TokenEndpoint
	u, err := url.Parse(endpoint)
	switch {
	case endpoint == "":
		p.add(report.Fail, "token", specASMetadata, "the authorization server %s has no token_endpoint", clean(p.servers[0].Metadata.Issuer, 200))
		return "", false
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		p.add(report.Fail, "token", specASMetadata, "token_endpoint %q is not an absolute http(s) URL", clean(endpoint, 200))
		return "", false
	case u.Scheme == "http" && !isLoopback(u.Hostname()) && !p.opts.insecure:
		p.add(report.Fail, "token", specClientCredentials,
			"token_endpoint %s is plain http off loopback: the client secret is not sent there without -insecure", clean(endpoint, 200))
		return "", false
	}
	return endpoint, true
}

// describeTokenError describes a token endpoint's refusal.
func describeTokenError(f *fetched, tr tokenResponse) string {
	if tr.Error == "" {
		return describeStatus(f.status, f.header, f.body)
	}
	s := fmt.Sprintf("%d, error %q", f.status, clean(tr.Error, 80))
	if tr.ErrorDescription != "" {
		s += ": " + clean(tr.ErrorDescription, 200)
	}
	return s
}
