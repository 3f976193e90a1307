package token

import (
	"fmt"
	"strings"
	"time"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/jwtview"
	mcpauth "github.com/mcp-auth/go/core"
)

// advise says, in one line, what to change so that the middleware accepts
// the token, and the rule behind the refusal. It reads the refusal the
// library made (its code, and for invalid_token its description, a fixed
// sentence of the library) and words it with what the token says about
// itself (d, untrusted, nil when the token is not a JWT) and what the
// library learnt of the authorization server; it never decides anything.
func (m *middleware) advise(e *mcpauth.Error, d *jwtview.JWT, now time.Time) (fix, spec string) {
	var claims, header map[string]any
	if d != nil {
		claims, header = d.Claims, d.Header
	}
	switch e.Code {
	case mcpauth.CodeInvalidAudience:
		aud, _ := jwtview.Audience(claims)
		if len(aud) == 0 {
			return fmt.Sprintf("the token has no aud, and this MCP server's resource is %q: ask the authorization server for a token for this resource (RFC 8707: resource=%s in the authorization and token requests), or, weaker, list its client in ProtectedResource.NoAudienceClientIDs", m.resource, m.resource), "RFC 8707 §2; RFC 9068 §4"
		}
		return fmt.Sprintf("the token's aud is %s but this MCP server's resource is %q: ask the authorization server for a token for this resource (RFC 8707: resource=%s in the authorization and token requests), or, if it cannot issue one, accept that audience with BearerOptions.Audiences", quoteList(aud), m.resource, m.resource), "RFC 8707 §2; RFC 9068 §4"
	case mcpauth.CodeInvalidIssuer:
		iss, _, _ := jwtview.StringMember(claims, "iss")
		fix := fmt.Sprintf("the token's iss is %q but the trusted issuer is %q: issuers are compared exactly, character for character", iss, m.issuer)
		if strings.TrimSuffix(iss, "/") == strings.TrimSuffix(m.issuer, "/") {
			fix += ", and they differ by a trailing slash: configure the issuer exactly as the authorization server's metadata and tokens spell it"
		} else {
			fix += ": get a token from the trusted authorization server, or trust this one too (ProtectedResource.AuthServers)"
		}
		return fix, "RFC 9068 §4; RFC 8414 §3.3"
	case mcpauth.CodeMissingRequiredScopes:
		scopes, _, _ := jwtview.Scopes(claims)
		return fmt.Sprintf("the token lacks %q (it grants %q): the client must ask for them in the scope parameter of its authorization request, and the authorization server grant them", strings.Join(e.MissingScopes, " "), strings.Join(scopes, " ")), "RFC 6750 §3.1"
	case mcpauth.CodeTemporarilyUnavailable:
		return fmt.Sprintf("the authorization server or its key set could not be reached (%s): check that -issuer %s is right and reachable from here, the discovery -type, -timeout, and -insecure for plain http off loopback; the token itself was not judged", causeOf(e), m.issuer), "RFC 8414 §3; RFC 7517"
	case mcpauth.CodeServerError, mcpauth.CodeTokenVerificationFailed:
		return fmt.Sprintf("the authorization server's configuration cannot be used (%s): run \"mcpauth check %s\"; the token itself was not judged", causeOf(e), m.issuer), "RFC 8414 §3"
	case mcpauth.CodeInvalidAuthHeaderFormat:
		return "the value holds characters a bearer token cannot (RFC 6750 b64token): copy the token alone, without quotes, spaces or line breaks", "RFC 6750 §2.1"
	case mcpauth.CodeInvalidToken:
		return m.adviseInvalid(e, claims, header, now)
	}
	return e.Description, "RFC 6750 §3.1"
}

// adviseInvalid advises on an invalid_token refusal, which the library
// tells apart by its description only.
func (m *middleware) adviseInvalid(e *mcpauth.Error, claims, header map[string]any, now time.Time) (fix, spec string) {
	desc := e.Description
	alg, _, _ := jwtview.StringMember(header, "alg")
	kid, _, _ := jwtview.StringMember(header, "kid")
	has := func(s string) bool { return strings.Contains(desc, s) }
	switch {
	case has("has expired"):
		exp, _, _ := jwtview.NumericDate(claims, "exp")
		return fmt.Sprintf("the token expired %s ago (exp %s): the client must get a new one (refresh it) before exp; the library tolerates %s of clock skew", human(now.Sub(exp)), exp.UTC().Format(time.RFC3339), leeway()), "RFC 7519 §4.1.4"
	case has("not valid yet"):
		nbf, _, _ := jwtview.NumericDate(claims, "nbf")
		return fmt.Sprintf("the token is not valid before %s (%s): wait, or fix the clock of the authorization server or of this machine (%s of skew are tolerated)", nbf.UTC().Format(time.RFC3339), relative(nbf, now), leeway()), "RFC 7519 §4.1.5"
	case has("issued in the future"):
		iat, _, _ := jwtview.NumericDate(claims, "iat")
		return fmt.Sprintf("the token says it was issued %s (%s): the clocks of the authorization server and of this machine disagree by more than %s; synchronise them (NTP)", iat.UTC().Format(time.RFC3339), relative(iat, now), leeway()), "RFC 7519 §4.1.6"
	case has("no expiry"):
		return "the authorization server must put exp in access tokens", "RFC 9068 §2.2"
	case has("no subject"):
		return "the authorization server must put sub in access tokens (the user, or the client for client credentials)", "RFC 9068 §2.2"
	case has("no issuer"):
		return "the authorization server must put iss in access tokens: without it nobody can tell whose keys should verify them", "RFC 9068 §2.2"
	case has("bound to a key"), has("bound to a DPoP key"):
		return bindingAdvice(claims)
	case has("not an access token"):
		return kindAdvice(claims, header), "RFC 8725 §3.11"
	case has("signature is invalid"), has("cannot be verified"):
		if alg != "" && algorithms[alg] == "" {
			return fmt.Sprintf("alg %q is never accepted: tokens must be signed by the authorization server with RS, PS, ES 256/384/512 or EdDSA; a token with this alg is a forgery or was not meant for a resource server", alg), "RFC 8725 §3.1"
		}
		if has("signature is invalid") {
			return fmt.Sprintf("the signature does not verify with the key %s of %s's key set%s: the token was changed after it was signed, or signed by another server; get a fresh token from the issuer", describeKid(kid), m.issuer, m.keySetURL()), "RFC 7515 §5.2"
		}
		return fmt.Sprintf("the library could not verify the token (%s)", causeOf(e)), "RFC 7515 §5.2"
	case has("unknown key"):
		return fmt.Sprintf("the issuer's key set%s has no key %s, even after refetching it: the token was signed by another server, or with a key the authorization server does not publish (yet); check that -issuer names the server that issued it", m.keySetURL(), describeKid(kid)), "RFC 7515 §4.1.4; RFC 8414 §2 (jwks_uri)"
	case has("does not match its key"):
		return fmt.Sprintf("the key %s of the issuer's key set%s does not fit alg %q (its type, curve or alg differ): the token names the wrong key or algorithm", describeKid(kid), m.keySetURL(), alg), "RFC 8725 §3.1"
	case has("kid is not a string"):
		return "the header's kid must be a string", "RFC 7515 §4.1.4"
	case has("critical header"):
		return "the header's crit names JWS extensions the library does not understand: the authorization server must not mark any as critical", "RFC 7515 §4.1.11"
	case has("header is malformed"):
		return "the JOSE header is not UTF-8, names a member twice, or has a typ that is not a string: the authorization server must fix its tokens", "RFC 7515 §4"
	case has("claims are malformed"):
		return fmt.Sprintf("a claim is malformed (%s): the authorization server must fix its tokens", causeOf(e)), "RFC 7519 §7.2; RFC 9068 §2.2"
	case has("is malformed"):
		return "the token is not a JWT the library can parse: an opaque token can only be checked by introspection (RFC 7662), with mcpauth.NewIntrospectionVerifier", "RFC 7519 §7.2; RFC 7662"
	case has("longer than"):
		return fmt.Sprintf("the token is longer than the library's limit (%d bytes, BearerOptions.MaxTokenBytes): ask the authorization server for a smaller one (fewer claims)", mcpauth.DefaultMaxTokenBytes), "RFC 6750 §3.1"
	case has("checked in time"):
		return fmt.Sprintf("the check ran out of time (%s): raise -timeout, or check that the authorization server answers", causeOf(e)), "RFC 6750 §3.1"
	}
	return desc, "RFC 6750 §3.1"
}

// bindingAdvice advises on a key-bound token presented as a bearer token.
func bindingAdvice(claims map[string]any) (fix, spec string) {
	cnf, _ := claims["cnf"].(map[string]any)
	if _, ok := cnf["jkt"]; ok {
		return "the token is bound to a DPoP key, so it needs DPoP: the client must send \"Authorization: DPoP <token>\" with a DPoP proof signed by that key, to an MCP server that accepts DPoP (ProtectedResource.DPoP); a bearer token proves nothing", "RFC 9449 §7.1"
	}
	if _, ok := cnf["x5t#S256"]; ok {
		return "the token is bound to a client certificate (mutual TLS), which the library does not verify: ask the authorization server for a token that is not certificate-bound, or a DPoP-bound one", "RFC 8705 §3"
	}
	return "the token is bound to a key (cnf), so it proves nothing as a bearer token: ask the authorization server for an unbound or a DPoP-bound token", "RFC 7800 §3.1"
}

// kindAdvice advises on a JWT that says it is not an access token.
func kindAdvice(claims, header map[string]any) string {
	typ, _, _ := jwtview.StringMember(header, "typ")
	what := "another kind of token"
	switch {
	case strings.HasSuffix(strings.ToLower(typ), "+jwt"):
		mt, _, _ := strings.Cut(strings.ToLower(typ), ";")
		what = fmt.Sprintf("%s (typ %q)", jwtKind(strings.TrimPrefix(strings.TrimSpace(mt), "application/")), typ)
	default:
		if use, _, _ := jwtview.StringMember(claims, "token_use"); use != "" {
			what = fmt.Sprintf("token_use %q", use)
		} else if kind, _, _ := jwtview.StringMember(claims, "typ"); kind != "" {
			what = fmt.Sprintf("Keycloak's typ claim %q", kind)
		}
	}
	return fmt.Sprintf("this token says it is %s: send the access_token of the token response, obtained for this resource, never an ID, refresh or logout token", what)
}

// describeKid names the key a token asks for.
func describeKid(kid string) string {
	if kid == "" {
		return "(no kid: any fitting key)"
	}
	return fmt.Sprintf("%q", kid)
}

// keySetURL is " <jwks_uri>" when the library discovered the server's
// metadata, else "".
func (m *middleware) keySetURL() string {
	if cfg, ok := m.server.Resolved(); ok && cfg.Metadata.JWKSURI != "" {
		return " " + cfg.Metadata.JWKSURI
	}
	return ""
}

// causeOf is the refusal's underlying error, for people.
func causeOf(e *mcpauth.Error) string {
	if e.Cause == nil {
		return e.Description
	}
	return e.Cause.Error()
}

// leeway is the library's default clock leeway, for people: "60s".
func leeway() string { return fmt.Sprintf("%ds", mcpauth.DefaultLeeway/time.Second) }
