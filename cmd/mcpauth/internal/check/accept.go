package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// verifierKind is how tokens of the provider are verified.
type verifierKind int

// The verifiers, as the library offers them.
const (
	jwtVerifier           verifierKind = iota // the default: JWTs through jwks_uri
	introspectionVerifier                     // RFC 7662, mcpauth.NewIntrospectionVerifier
	funcVerifier                              // a mcpauth.VerifierFunc of the user's
)

// tuning is one configuration of the library to judge a token with.
type tuning struct {
	resource     string
	noAudience   []string // ProtectedResource.NoAudienceClientIDs
	audiences    []string // BearerOptions.Audiences
	skipAudience bool     // BearerOptions.SkipAudienceCheck
}

// decision is what the library's bearer middleware decided for one tuning.
type decision struct {
	info    *mcpauth.AuthInfo // accepted: the identity
	refusal *mcpauth.Error    // refused: why
	failure error             // the library could not be set up
}

// verdict is what the library made of the token.
type verdict struct {
	// kind is the verifier used; funcVerifier means none could be run.
	kind verifierKind
	// first is the decision with the configuration a user writes first:
	// the resource identifier as the audience (with -resource), or the
	// audience not checked (without).
	first decision
	// skippedAudience is true when first did not check the audience.
	skippedAudience bool
	// probe is the token as the library reads it, audience aside, when
	// first refused it for its audience.
	probe *mcpauth.AuthInfo
	// fix, when set, is the configuration tried after first refused the
	// token for its audience, and fixed its decision.
	fix   *tuning
	fixed decision
}

// accepted reports whether the library accepts the token, as first
// configured or with the fix.
func (v *verdict) accepted() bool {
	return v.first.info != nil || (v.fix != nil && v.fixed.info != nil)
}

// identity is the token as the library reads it, when it read it.
func (v *verdict) identity() *mcpauth.AuthInfo {
	switch {
	case v.first.info != nil:
		return v.first.info
	case v.fixed.info != nil:
		return v.fixed.info
	}
	return v.probe
}

// judge runs the library's bearer middleware on token, with the verifier
// the provider allows: the configuration of the resource identifier first,
// then, when that refuses the token for its audience, the one that fits
// the audience the token carries (NoAudienceClientIDs or Audiences).
func (c *checker) judge(ctx context.Context, token string, d decodedToken) *verdict {
	v := &verdict{kind: c.verifierFor(d)}
	if v.kind == funcVerifier {
		return v
	}
	if c.opts.resource == "" {
		v.skippedAudience = true
		v.first = c.authenticate(ctx, token, v.kind, tuning{resource: placeholderResource, skipAudience: true})
		return v
	}
	v.first = c.authenticate(ctx, token, v.kind, tuning{resource: c.opts.resource})
	if v.first.refusal == nil || v.first.refusal.Code != mcpauth.CodeInvalidAudience {
		return v
	}
	v.probe = c.authenticate(ctx, token, v.kind, tuning{resource: c.opts.resource, skipAudience: true}).info
	if v.probe == nil {
		return v
	}
	fix := tuning{resource: c.opts.resource}
	switch {
	case len(v.probe.Audience) > 0:
		fix.audiences = v.probe.Audience
	case v.probe.ClientID != "":
		fix.noAudience = []string{v.probe.ClientID}
	default:
		return v
	}
	v.fix, v.fixed = &fix, c.authenticate(ctx, token, v.kind, fix)
	return v
}

// verifierFor picks the verifier the library would use for d: the JWT
// verifier for a JWT when there is a key set, else introspection when
// there is an endpoint, else only a function of the user's.
func (c *checker) verifierFor(d decodedToken) verifierKind {
	md := &c.cfg.Metadata
	switch {
	case d.format == formatJWT && md.JWKSURI != "":
		return jwtVerifier
	case md.IntrospectionEndpoint != "":
		return introspectionVerifier
	}
	return funcVerifier
}

// authenticate configures the library with t and runs Bearer.Authenticate
// on a synthetic request to the resource carrying token. Introspection
// uses the -client-id credentials (a resource server uses its own).
func (c *checker) authenticate(ctx context.Context, token string, kind verifierKind, t tuning) decision {
	auth, err := c.newAuth(t.resource, t.noAudience)
	if err != nil {
		return decision{failure: err}
	}
	defer auth.Close()
	opts := &mcpauth.BearerOptions{ShowErrorDetails: true, Audiences: t.audiences, SkipAudienceCheck: t.skipAudience}
	if kind == introspectionVerifier {
		iv, err := mcpauth.NewIntrospectionVerifier(mcpauth.IntrospectionConfig{
			Endpoint: c.cfg.Metadata.IntrospectionEndpoint, ClientID: c.opts.clientID, ClientSecret: c.opts.clientSecret,
			HTTPClient: c.client, AllowInsecureHTTP: c.opts.insecure, CacheTTL: -1, NegativeCacheTTL: -1,
		})
		if err != nil {
			return decision{failure: err}
		}
		opts.Verifier = iv
	}
	b, err := auth.NewBearer(opts)
	if err != nil {
		return decision{failure: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.resource, nil)
	if err != nil {
		return decision{failure: err}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	info, err := b.Authenticate(req)
	var refusal *mcpauth.Error
	switch {
	case err == nil:
		return decision{info: info}
	case errors.As(err, &refusal):
		return decision{refusal: refusal}
	}
	return decision{failure: err}
}

// reportVerdict adds the acceptance finding.
func (c *checker) reportVerdict(v *verdict) {
	spec := "RFC 9068 §4"
	if v.kind == introspectionVerifier {
		spec = "RFC 7662 §2.2"
	}
	f := report.Finding{Check: "acceptance", Spec: spec}
	how := map[verifierKind]string{jwtVerifier: "verified as a JWT with the key set", introspectionVerifier: "introspected with the -client-id credentials"}[v.kind]
	switch {
	case v.kind == funcVerifier:
		f.Status, f.Summary = report.Info, "With neither a key set for this token nor an introspection endpoint, the library can check it only through a mcpauth.VerifierFunc of yours: not run."
	case v.first.failure != nil:
		f.Status, f.Summary = report.Fail, "The library could not be set up to check the token: "+cleanErr(v.first.failure)+"."
	case v.first.info != nil && v.skippedAudience:
		f.Status = report.Pass
		f.Summary = fmt.Sprintf("The library's bearer middleware accepts the token (%s), audience aside: it checks the audience against a resource identifier, which -resource gives. %s", how, describeInfo(v.first.info))
	case v.first.info != nil:
		f.Status = report.Pass
		f.Summary = fmt.Sprintf("The library's bearer middleware accepts the token for %s (%s). %s", clean(c.opts.resource), how, describeInfo(v.first.info))
	case v.fix != nil && v.fixed.info != nil:
		f.Status, f.Code = report.Warn, string(v.first.refusal.Code)
		f.Summary = fmt.Sprintf("Configured with the resource identifier as the audience, the library refuses the token (%s: %s); with %s it accepts it (%s), as the Go configuration does. %s",
			v.first.refusal.Code, v.first.refusal.Description, v.fix.describe(), how, describeInfo(v.fixed.info))
		f.Details = refusalDetails(v.first.refusal)
	default:
		f.Status, f.Code = report.Fail, string(v.first.refusal.Code)
		f.Summary = fmt.Sprintf("The library's bearer middleware refuses the token (%s): %s: %s", how, v.first.refusal.Code, v.first.refusal.Description)
		f.Details = refusalDetails(v.first.refusal)
		if v.fix != nil && v.fixed.refusal != nil {
			f.Details = append(f.Details, fmt.Sprintf("with %s too: %s: %s", v.fix.describe(), v.fixed.refusal.Code, v.fixed.refusal.Description))
		}
	}
	c.r.Add(f)
}

// describe names the configuration of a fix, as Go.
func (t *tuning) describe() string {
	if len(t.audiences) > 0 {
		return "BearerOptions.Audiences = " + quoteList(t.audiences)
	}
	return "ProtectedResource.NoAudienceClientIDs = " + quoteList(t.noAudience)
}

// describeInfo says who the library found in an accepted token.
func describeInfo(info *mcpauth.AuthInfo) string {
	return fmt.Sprintf("Subject %q, client %q, scopes %s.", clean(info.Subject), clean(info.ClientID), quoteList(info.Scopes))
}

// refusalDetails shows a refusal as the library answers it: status,
// challenge and body (with its cause, as error details are on).
func refusalDetails(e *mcpauth.Error) []string {
	rec := httptest.NewRecorder()
	mcpauth.WriteError(rec, nil, e)
	out := []string{fmt.Sprintf("HTTP %d", rec.Code)}
	if ch := rec.Header().Get("WWW-Authenticate"); ch != "" {
		out = append(out, "WWW-Authenticate: "+clean(ch))
	}
	if body := strings.TrimSpace(rec.Body.String()); body != "" {
		out = append(out, "body: "+clean(body))
	}
	if e.Cause != nil {
		out = append(out, "cause: "+cleanErr(e.Cause))
	}
	return out
}
