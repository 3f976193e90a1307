package token

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/jwtview"
	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// Findings about the decoded token are INFO: they explain, and the verdict
// is the library's. They are WARN only for what the library accepts but
// that may not pass for long or elsewhere: a typ other than at+jwt (refused
// by servers that require it), a token about to expire or accepted only
// through the clock leeway.

// explain adds to r the findings that explain d for people, and the
// decoded header and claims as a section. issuer and resource are the
// flags' values ("" when not given), mentioned where the token differs.
func explain(r *report.Report, d *jwtview.JWT, now time.Time, issuer, resource string) {
	explainHeader(r, d)
	explainIdentity(r, d.Claims, issuer, resource)
	explainTimes(r, d.Claims, now)
	explainBinding(r, d.Claims)
	if len(d.ClaimDups) > 0 {
		r.Add(report.Finding{Status: report.Info, Check: "claims", Spec: "RFC 7519 §7.2",
			Summary: fmt.Sprintf("the claim set names %s more than once: decoders disagree on which value counts, so the library refuses it", quoteList(d.ClaimDups))})
	}
	r.AddSection(decodedSection(d))
}

// algorithms describes the JWS algorithms the library accepts (all of
// them, by default: Config.Algorithms).
var algorithms = map[string]string{
	"RS256": "RSASSA-PKCS1-v1_5 with SHA-256", "RS384": "RSASSA-PKCS1-v1_5 with SHA-384", "RS512": "RSASSA-PKCS1-v1_5 with SHA-512",
	"PS256": "RSASSA-PSS with SHA-256", "PS384": "RSASSA-PSS with SHA-384", "PS512": "RSASSA-PSS with SHA-512",
	"ES256": "ECDSA with P-256 and SHA-256", "ES384": "ECDSA with P-384 and SHA-384", "ES512": "ECDSA with P-521 and SHA-512",
	"EdDSA": "EdDSA (Ed25519)",
}

// explainHeader explains alg, kid, typ and the header members of note.
func explainHeader(r *report.Report, d *jwtview.JWT) {
	h := d.Header
	alg, present, ok := jwtview.StringMember(h, "alg")
	switch {
	case !present || !ok:
		r.Add(report.Finding{Status: report.Info, Check: "alg", Spec: "RFC 7515 §4.1.1",
			Summary: "the header has no alg string: the token cannot be verified"})
	case alg == "none" || strings.EqualFold(alg, "none"):
		r.Add(report.Finding{Status: report.Info, Check: "alg", Spec: "RFC 8725 §3.1",
			Summary: fmt.Sprintf("alg %q: the token is unsigned (signature: %d bytes), which no resource server may accept; the library never does", alg, d.SignatureLen)})
	case strings.HasPrefix(alg, "HS"):
		r.Add(report.Finding{Status: report.Info, Check: "alg", Spec: "RFC 8725 §3.2",
			Summary: fmt.Sprintf("alg %q: an HMAC with a shared secret, which a resource server never holds; the library accepts asymmetric signatures only (RS, PS, ES, EdDSA)", alg)})
	case algorithms[alg] != "":
		r.Add(report.Finding{Status: report.Info, Check: "alg", Spec: "RFC 7518 §3.1",
			Summary: fmt.Sprintf("alg %q: %s; signature %d bytes (not shown)", alg, algorithms[alg], d.SignatureLen)})
	default:
		r.Add(report.Finding{Status: report.Info, Check: "alg", Spec: "RFC 7518 §3.1",
			Summary: fmt.Sprintf("alg %q is not one the library accepts (RS, PS, ES 256/384/512 and EdDSA)", alg)})
	}

	switch kid, present, ok := jwtview.StringMember(h, "kid"); {
	case !present:
		r.Add(report.Finding{Status: report.Info, Check: "kid", Spec: "RFC 7515 §4.1.4",
			Summary: "no kid: every key of the issuer's key set that fits alg is tried"})
	case !ok:
		r.Add(report.Finding{Status: report.Info, Check: "kid", Spec: "RFC 7515 §4.1.4",
			Summary: "kid is not a string: the library refuses the token"})
	default:
		r.Add(report.Finding{Status: report.Info, Check: "kid", Spec: "RFC 7515 §4.1.4",
			Summary: fmt.Sprintf("kid %q: the key of the issuer's key set (jwks_uri) that should verify the signature", kid)})
	}

	explainType(r, h)

	var ignored []string
	for _, name := range []string{"jku", "x5u", "x5c", "jwk"} {
		if _, ok := h[name]; ok {
			ignored = append(ignored, name)
		}
	}
	if len(ignored) > 0 {
		r.Add(report.Finding{Status: report.Info, Check: "header", Spec: "RFC 8725 §3.10",
			Summary: fmt.Sprintf("the header carries %s: ignored, keys come only from the trusted issuer's jwks_uri", quoteList(ignored))})
	}
	if _, ok := h["crit"]; ok {
		r.Add(report.Finding{Status: report.Info, Check: "header", Spec: "RFC 7515 §4.1.11",
			Summary: "the header has crit: the library understands no JWS extension, so it refuses the token"})
	}
	if len(d.HeaderDups) > 0 {
		r.Add(report.Finding{Status: report.Info, Check: "header", Spec: "RFC 7515 §4",
			Summary: fmt.Sprintf("the header names %s more than once: the library refuses it", quoteList(d.HeaderDups))})
	}
}

// explainType explains the header's typ (RFC 9068 §2.1).
func explainType(r *report.Report, h map[string]any) {
	const spec = "RFC 9068 §2.1"
	typ, present, ok := jwtview.StringMember(h, "typ")
	if present && !ok {
		r.Add(report.Finding{Status: report.Info, Check: "typ", Spec: spec, Summary: "typ is not a string: the library refuses the token as malformed"})
		return
	}
	mt, _, _ := strings.Cut(strings.ToLower(typ), ";")
	mt = strings.TrimPrefix(strings.TrimSpace(mt), "application/")
	switch {
	case mt == "at+jwt":
		r.Add(report.Finding{Status: report.Info, Check: "typ", Spec: spec, Summary: fmt.Sprintf("typ %q: a JWT access token", typ)})
	case strings.HasSuffix(mt, "+jwt"):
		r.Add(report.Finding{Status: report.Info, Check: "typ", Spec: "RFC 8725 §3.11",
			Summary: fmt.Sprintf("typ %q says this is %s, not an access token: the library always refuses it", typ, jwtKind(mt))})
	case !present:
		r.Add(report.Finding{Status: report.Warn, Check: "typ", Spec: spec,
			Summary: `no typ: RFC 9068 access tokens say "at+jwt"; accepted by default, refused by servers that set BearerOptions.RequireTokenType`})
	default:
		r.Add(report.Finding{Status: report.Warn, Check: "typ", Spec: spec,
			Summary: fmt.Sprintf(`typ %q, not "at+jwt": accepted by default (many providers send "JWT"), refused by servers that set BearerOptions.RequireTokenType`, typ)})
	}
}

// jwtKind names the kind of JWT a typ media type (without "application/")
// says a token is.
func jwtKind(mt string) string {
	switch mt {
	case "id+jwt":
		return "an OpenID Connect ID token (for the client, never for an API)"
	case "logout+jwt":
		return "a back-channel logout token"
	case "secevent+jwt":
		return "a security event token (RFC 8417)"
	case "dpop+jwt":
		return "a DPoP proof (RFC 9449), which goes in the DPoP header"
	case "oauth-id-jag+jwt":
		return "an identity assertion grant, to be exchanged for an access token"
	}
	return "another kind of JWT"
}

// explainIdentity explains iss, sub, aud, the client, the scopes and the
// providers' markers of the token's kind.
func explainIdentity(r *report.Report, c map[string]any, issuer, resource string) {
	switch iss, present, ok := jwtview.StringMember(c, "iss"); {
	case !ok:
		r.Add(report.Finding{Status: report.Info, Check: "iss", Spec: "RFC 7519 §4.1.1", Summary: "iss is not a string: the library refuses the token"})
	case !present || iss == "":
		r.Add(report.Finding{Status: report.Info, Check: "iss", Spec: "RFC 9068 §2.2", Summary: "no issuer (iss): the library refuses the token, since it cannot tell whose keys should verify it"})
	default:
		s := fmt.Sprintf("issued by %q", iss)
		if issuer != "" && iss != issuer {
			s += fmt.Sprintf("; the trusted issuer given is %q", issuer)
			if strings.TrimSuffix(iss, "/") == strings.TrimSuffix(issuer, "/") {
				s += " (they differ by a trailing slash, and issuers are compared exactly)"
			}
		}
		r.Add(report.Finding{Status: report.Info, Check: "iss", Spec: "RFC 9068 §2.2", Summary: s})
	}

	switch sub, present, ok := jwtview.StringMember(c, "sub"); {
	case !ok:
		r.Add(report.Finding{Status: report.Info, Check: "sub", Spec: "RFC 7519 §4.1.2", Summary: "sub is not a string: the library refuses the token"})
	case !present || sub == "":
		r.Add(report.Finding{Status: report.Info, Check: "sub", Spec: "RFC 9068 §2.2", Summary: "no subject (sub): the library refuses the token"})
	default:
		r.Add(report.Finding{Status: report.Info, Check: "sub", Spec: "RFC 9068 §2.2", Summary: fmt.Sprintf("subject %q: the user, or the client itself for a client-credentials token", sub)})
	}

	switch aud, ok := jwtview.Audience(c); {
	case !ok:
		r.Add(report.Finding{Status: report.Info, Check: "aud", Spec: "RFC 7519 §4.1.3", Summary: "aud is neither a string nor an array of strings: the library refuses the token"})
	case len(aud) == 0:
		r.Add(report.Finding{Status: report.Info, Check: "aud", Spec: "RFC 9068 §2.2",
			Summary: "no audience (aud): accepted only for a client listed in ProtectedResource.NoAudienceClientIDs, which is weaker than audience binding"})
	default:
		s := "audience " + quoteList(aud)
		if resource != "" && !slices.Contains(aud, resource) {
			s += fmt.Sprintf("; the resource given is %q", resource)
		}
		r.Add(report.Finding{Status: report.Info, Check: "aud", Spec: "RFC 8707 §2", Summary: s})
	}

	switch id, from, bad := jwtview.Client(c); {
	case bad != "":
		r.Add(report.Finding{Status: report.Info, Check: "client", Spec: "RFC 9068 §2.2", Summary: fmt.Sprintf("%s is not a string: the library refuses the token", bad)})
	case id == "":
		r.Add(report.Finding{Status: report.Info, Check: "client", Spec: "RFC 9068 §2.2", Summary: "names no client (no client_id, azp, appid or cid)"})
	default:
		r.Add(report.Finding{Status: report.Info, Check: "client", Spec: "RFC 9068 §2.2", Summary: fmt.Sprintf("client %q (from %s)", id, from)})
	}

	switch scopes, from, bad := jwtview.Scopes(c); {
	case bad != "":
		r.Add(report.Finding{Status: report.Info, Check: "scopes", Spec: "RFC 9068 §2.2.3", Summary: fmt.Sprintf("%s is neither a string nor an array of strings: the library refuses the token", bad)})
	case from == "":
		r.Add(report.Finding{Status: report.Info, Check: "scopes", Spec: "RFC 9068 §2.2.3", Summary: "grants no scopes (no scope, scp or scopes claim)"})
	case len(scopes) == 0:
		r.Add(report.Finding{Status: report.Info, Check: "scopes", Spec: "RFC 9068 §2.2.3", Summary: fmt.Sprintf("grants no scopes (%s is empty)", from)})
	default:
		r.Add(report.Finding{Status: report.Info, Check: "scopes", Spec: "RFC 9068 §2.2.3", Summary: fmt.Sprintf("scopes %q (from %s)", strings.Join(scopes, " "), from)})
	}

	if use, _, _ := jwtview.StringMember(c, "token_use"); use != "" {
		s := fmt.Sprintf("token_use %q (Amazon Cognito's and Ory Hydra's marker)", use)
		if use != "access" && use != "access_token" {
			s += `: not an access token, which the library refuses unless the header's typ is "at+jwt"`
		}
		r.Add(report.Finding{Status: report.Info, Check: "kind", Summary: s})
	}
	if kind, _, _ := jwtview.StringMember(c, "typ"); kind != "" {
		s := fmt.Sprintf("typ claim %q (Keycloak's marker)", kind)
		switch strings.ToLower(kind) {
		case "id", "refresh", "offline", "logout", "serialized-id":
			s += `: not an access token, which the library refuses unless the header's typ is "at+jwt"`
		}
		r.Add(report.Finding{Status: report.Info, Check: "kind", Summary: s})
	}
}

// explainTimes explains iat, nbf and exp against now, with the library's
// default leeway.
func explainTimes(r *report.Report, c map[string]any, now time.Time) {
	lw := mcpauth.DefaultLeeway
	iat, iatPresent, iatOK := jwtview.NumericDate(c, "iat")
	for _, name := range []string{"iat", "nbf"} {
		t, present, ok := jwtview.NumericDate(c, name)
		switch {
		case !ok:
			r.Addf(report.Info, name, "RFC 7519 §2", "%s is not a NumericDate (seconds since 1970): the library refuses the token", name)
		case present:
			what := map[string]string{"iat": "issued", "nbf": "not valid before"}[name]
			s := fmt.Sprintf("%s %s (%s)", what, t.UTC().Format(time.RFC3339), relative(t, now))
			if t.After(now.Add(lw)) {
				s += fmt.Sprintf(": in the future beyond the %s clock leeway, so the library refuses it; the clocks of the authorization server and this machine disagree", leeway())
			}
			r.Add(report.Finding{Status: report.Info, Check: name, Spec: "RFC 7519 §4.1." + map[string]string{"iat": "6", "nbf": "5"}[name], Summary: s})
		}
	}
	exp, present, ok := jwtview.NumericDate(c, "exp")
	switch {
	case !ok:
		r.Addf(report.Info, "exp", "RFC 7519 §2", "exp is not a NumericDate (seconds since 1970): the library refuses the token")
	case !present:
		r.Addf(report.Info, "exp", "RFC 9068 §2.2", "no expiry (exp): the library refuses the token")
	default:
		left := exp.Sub(now)
		lifetime := ""
		if iatPresent && iatOK && exp.After(iat) {
			lifetime = ", lifetime " + human(exp.Sub(iat))
		}
		when := exp.UTC().Format(time.RFC3339)
		switch {
		case left <= -lw:
			r.Addf(report.Info, "exp", "RFC 7519 §4.1.4", "expired %s ago (%s%s)", human(-left), when, lifetime)
		case left <= 0:
			r.Addf(report.Warn, "exp", "RFC 7519 §4.1.4", "expired %s ago (%s%s): still accepted within the library's %s clock leeway, for %s more; the client should refresh it", human(-left), when, lifetime, leeway(), human(left+lw))
		case left < time.Minute:
			r.Addf(report.Warn, "exp", "RFC 7519 §4.1.4", "expires in %s (%s%s): the client should refresh it before using it", human(left), when, lifetime)
		default:
			r.Addf(report.Info, "exp", "RFC 7519 §4.1.4", "expires in %s (%s%s)", human(left), when, lifetime)
		}
	}
}

// explainBinding explains a confirmation (cnf, RFC 7800): a token bound to
// a key.
func explainBinding(r *report.Report, c map[string]any) {
	v, bound := c["cnf"]
	if !bound {
		return
	}
	m, _ := v.(map[string]any)
	if jkt, ok := m["jkt"].(string); ok {
		r.Add(report.Finding{Status: report.Info, Check: "cnf", Spec: "RFC 9449 §6.1",
			Summary: fmt.Sprintf("bound to a DPoP key (cnf.jkt %q): only the holder of that key may use it, sent as \"Authorization: DPoP <token>\" with a proof; as a bearer token it is refused", jkt)})
		return
	}
	if _, ok := m["x5t#S256"]; ok {
		r.Add(report.Finding{Status: report.Info, Check: "cnf", Spec: "RFC 8705 §3.1",
			Summary: "bound to a client certificate (cnf.x5t#S256, mutual TLS): the library does not verify certificate binding, so it refuses the token rather than accept it as a bearer token"})
		return
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	r.Add(report.Finding{Status: report.Info, Check: "cnf", Spec: "RFC 7800 §3.1",
		Summary: fmt.Sprintf("bound to a key (cnf with %s): it proves nothing as a bearer token, so the library refuses it as one", quoteList(names))})
}

// decodedJSON is the JSON form of the decoded-token section.
type decodedJSON struct {
	Header         json.RawMessage `json:"header"`
	Claims         json.RawMessage `json:"claims"`
	SignatureBytes int             `json:"signatureBytes"`
}

// decodedSection shows the header and claims as they were encoded (member
// order and numbers kept), and the signature's length only.
func decodedSection(d *jwtview.JWT) report.Section {
	text := "header:\n" + jwtview.PrettyJSON(d.RawHeader) + "\n\nclaims:\n" + jwtview.PrettyJSON(d.RawClaims) +
		fmt.Sprintf("\n\nsignature: %d bytes (not shown)\n", d.SignatureLen)
	return report.Section{
		Name: "decoded token (not verified: nothing here can be trusted)",
		Text: text,
		Data: decodedJSON{Header: d.RawHeader, Claims: d.RawClaims, SignatureBytes: d.SignatureLen},
	}
}

// relative says how far t is from now: "3h12m ago", "in 55m".
func relative(t, now time.Time) string {
	switch d := t.Sub(now).Round(time.Second); {
	case d > 0:
		return "in " + human(d)
	case d < 0:
		return human(-d) + " ago"
	}
	return "now"
}

// human writes a duration for people, to the second at most and with two
// units at most: "2d3h", "3h12m", "4m5s", "42s".
func human(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = -d
	}
	const day = 24 * time.Hour
	two := func(a time.Duration, ua string, b time.Duration, ub string) string {
		if b == 0 {
			return fmt.Sprintf("%d%s", a, ua)
		}
		return fmt.Sprintf("%d%s%d%s", a, ua, b, ub)
	}
	switch {
	case d >= day:
		return two(d/day, "d", (d%day)/time.Hour, "h")
	case d >= time.Hour:
		return two(d/time.Hour, "h", (d%time.Hour)/time.Minute, "m")
	case d >= time.Minute:
		return two(d/time.Minute, "m", (d%time.Minute)/time.Second, "s")
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

// quoteList writes strings as a list of quoted strings: ["a", "b"].
func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
