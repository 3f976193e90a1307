package check

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// checkToken asks for a client_credentials token, reads it (without
// trusting it), has the library's bearer middleware judge it, and reports
// what it shows.
func (c *checker) checkToken(ctx context.Context) {
	token, ok := c.requestToken(ctx)
	if !ok {
		return
	}
	d := decodeToken(token)
	c.r.AddSection(d.section())
	v := c.judge(ctx, token, d)
	c.tokenQuirks(d, v)
	c.reportVerdict(v)
}

// requestToken makes a client_credentials token request (RFC 6749 §4.4)
// with client_secret_basic, the -scope and the -resource (RFC 8707), and
// returns the access token.
func (c *checker) requestToken(ctx context.Context) (string, bool) {
	const spec = "RFC 6749 §4.4"
	ep := c.cfg.Metadata.TokenEndpoint
	if ep == "" {
		c.r.Addf(report.Fail, "token", spec, "The metadata has no token_endpoint, so no token can be asked for.")
		return "", false
	}
	req, err := c.newTokenRequest(ctx, ep)
	if err != nil {
		c.r.Addf(report.Fail, "token", spec, "The token endpoint %s cannot be used: %s.", clean(ep), clean(err.Error()))
		return "", false
	}
	var answer map[string]any
	status, err := c.doJSON(req, &answer, true)
	if err != nil {
		c.r.Addf(report.Fail, "token", spec, "The client_credentials request to %s failed: %s.", clean(ep), clean(err.Error()))
		return "", false
	}
	if status != http.StatusOK {
		c.tokenRefused(ep, status, answer)
		return "", false
	}
	return c.tokenIssued(answer)
}

// newTokenRequest builds the token request to ep, which must obey the
// command's URL rules: grant_type client_credentials, -scope and -resource,
// with client_secret_basic.
func (c *checker) newTokenRequest(ctx context.Context, ep string) (*http.Request, error) {
	if _, err := c.opts.checkURL(ep); err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	if c.opts.scope != "" {
		form.Set("scope", c.opts.scope)
	}
	if c.opts.resource != "" {
		form.Set("resource", c.opts.resource)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Basic "+basicCredentials(c.opts.clientID, c.opts.clientSecret))
	return req, nil
}

// tokenIssued reports a successful answer of the token endpoint (RFC 6749
// §5.1) and returns its access token.
func (c *checker) tokenIssued(answer map[string]any) (string, bool) {
	token, _ := answer["access_token"].(string)
	if token == "" {
		c.r.Addf(report.Fail, "token", "RFC 6749 §5.1", "The token endpoint answered 200 without an access_token.")
		return "", false
	}
	f := report.Finding{Status: report.Pass, Check: "token", Spec: "RFC 6749 §4.4",
		Summary: fmt.Sprintf("A client_credentials token was issued (token_type %q).", clean(stringOf(answer["token_type"])))}
	for _, k := range []string{"expires_in", "scope"} {
		if v, ok := answer[k]; ok {
			f.Details = append(f.Details, fmt.Sprintf("%s: %s", k, clean(fmt.Sprint(v))))
		}
	}
	c.r.Add(f)
	return token, true
}

// basicCredentials encodes a client's credentials for client_secret_basic:
// each form-urlencoded first (RFC 6749 §2.3.1).
func basicCredentials(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret)))
}

// tokenAdvice says what an OAuth error of the token endpoint (RFC 6749
// §5.2, RFC 8707 §2) usually means.
var tokenAdvice = map[string]string{
	"invalid_client":         "Check -client-id and -client-secret, and that the client may authenticate with client_secret_basic.",
	"unauthorized_client":    "The client may not use the client_credentials grant: allow it in the provider.",
	"unsupported_grant_type": "The server does not offer the client_credentials grant.",
	"invalid_scope":          "The client may not ask for this -scope.",
	"invalid_target":         "The server refused the resource indicator (-resource): register the MCP server's URL with the provider as a resource (an API) this client may get tokens for.",
}

// tokenRefused reports an error answer of the token endpoint.
func (c *checker) tokenRefused(ep string, status int, answer map[string]any) {
	code, desc := stringOf(answer["error"]), stringOf(answer["error_description"])
	f := report.Finding{Status: report.Fail, Check: "token", Spec: "RFC 6749 §5.2",
		Summary: fmt.Sprintf("The token endpoint %s refused the client_credentials request: HTTP %d %s.", clean(ep), status, clean(code))}
	if advice := tokenAdvice[code]; advice != "" {
		f.Summary += " " + advice
	}
	if code == "invalid_target" {
		f.Spec = "RFC 8707 §2"
	}
	if desc != "" {
		f.Details = append(f.Details, "error_description: "+clean(desc))
	}
	c.r.Add(f)
}

// stringOf returns v when it is a string, else "".
func stringOf(v any) string {
	s, _ := v.(string)
	return s
}
