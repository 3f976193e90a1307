package check

import (
	"fmt"
	"go/format"
	"net/url"
	"strconv"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"
)

// goPlan is what the Go configuration printed for the provider needs,
// worked out during the run.
type goPlan struct {
	// issuer and typ are what DiscoverAuthServer is given: the issuer, and
	// the discovery type whose first URL gave the metadata.
	issuer string
	typ    mcpauth.ServerType
	// resource is -resource, or "" for the placeholder.
	resource string
	// transpile adds the Transpile hook that adds response_types_supported.
	transpile bool
	// insecure sets AllowInsecureHTTP (plain http to a host not loopback).
	insecure bool
	// verifier is how tokens are verified.
	verifier verifierKind
	// noAudience are the client IDs whose tokens may lack aud.
	noAudience []string
	// audiences are the aud values to accept instead of the resource.
	audiences []string
	// dpop configures the resource for DPoP-bound tokens.
	dpop bool
}

// code returns the configuration as a Go source file, gofmt-formatted:
// the package clause, the imports, the resource identifier, a main that
// serves the metadata and a protected endpoint, and newAuth, which holds
// what is particular to the provider. Every value from the command line or
// the network is a quoted string literal, so none can change the code.
func (p *goPlan) code() string {
	var b strings.Builder
	p.writeHeader(&b)
	p.writeMain(&b)
	p.writeNewAuth(&b)
	if p.transpile {
		b.WriteString(transpileFunc)
	}
	if p.verifier == funcVerifier {
		b.WriteString(verifyFunc)
	}
	src, err := format.Source([]byte(b.String()))
	if err != nil { // never expected: the tests format every variant
		return b.String()
	}
	return string(src)
}

// writeHeader writes the file comment, package clause, imports and the
// resource identifier.
func (p *goPlan) writeHeader(b *strings.Builder) {
	b.WriteString(`// The configuration of MCP Auth for Go (github.com/mcp-auth/go/core) that
// works with this authorization server, written by "mcpauth check".
// Set resource to the public URL of your MCP endpoint, and serve your MCP
// handler in main.
package main

import (
`)
	imports := []string{"fmt", "log", "net/http"}
	if p.verifier == funcVerifier {
		imports = append(imports, "context", "errors")
	}
	if p.verifier == introspectionVerifier {
		imports = append(imports, "os")
	}
	for _, imp := range imports {
		fmt.Fprintf(b, "%q\n", imp)
	}
	b.WriteString("\nmcpauth \"github.com/mcp-auth/go/core\"\n)\n\n")
	resource := p.resource
	if resource == "" {
		resource = placeholderResource
	}
	fmt.Fprintf(b, `// resource is the exact public URL of the MCP endpoint: the identifier in
// its protected resource metadata (RFC 9728), and the audience its tokens
// carry (RFC 8707).
const resource = %s

`, strconv.Quote(resource))
}

// writeMain writes main: the metadata routes and the protected endpoint.
func (p *goPlan) writeMain(b *strings.Builder) {
	path, addr := "/mcp", "127.0.0.1:3001"
	if u, err := url.Parse(p.resource); err == nil && p.resource != "" {
		path = u.EscapedPath()
		if path == "" {
			path = "/"
		}
		if isLoopback(u.Hostname()) && u.Port() != "" {
			addr = u.Host
		}
	}
	fmt.Fprintf(b, `func main() {
	auth, bearer, err := newAuth()
	if err != nil {
		log.Fatal(err)
	}
	defer auth.Close()
	mcp := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := mcpauth.FromContext(r.Context()) // the verified identity
		fmt.Fprintf(w, "hello %%s\n", info.Subject)   // your MCP handler instead
	})
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle(%s, auth.Middleware(bearer)(mcp))
	log.Fatal(http.ListenAndServe(%s, mux))
}

`, strconv.Quote(path), strconv.Quote(addr))
}

// writeNewAuth writes newAuth: the authorization server, the protected
// resource, and the bearer options.
func (p *goPlan) writeNewAuth(b *strings.Builder) {
	fmt.Fprintf(b, "// newAuth trusts the authorization server\n// %s,\n// and returns the options of the bearer middleware.\n", commentSafe(p.issuer))
	b.WriteString("func newAuth() (*mcpauth.Auth, *mcpauth.BearerOptions, error) {\n")
	fmt.Fprintf(b, "as := mcpauth.DiscoverAuthServer(%s, %s, %s)\n", strconv.Quote(p.issuer), typeName(p.typ), p.discoveryOptions())
	b.WriteString("auth, err := mcpauth.New(mcpauth.Config{\nProtectedResources: []mcpauth.ProtectedResource{{\n")
	b.WriteString("Metadata: mcpauth.ProtectedResourceMetadata{Resource: resource},\nAuthServers: []*mcpauth.AuthServer{as},\n")
	if len(p.noAudience) > 0 {
		fmt.Fprintf(b, "// Its tokens carry no aud: accepted for these clients only, which is\n// weaker than audience binding.\nNoAudienceClientIDs: %s,\n", stringSlice(p.noAudience))
	}
	if p.dpop {
		b.WriteString("// Its tokens may be bound to the client's key (RFC 9449).\nDPoP: &mcpauth.DPoPOptions{},\n")
	}
	b.WriteString("}},\n")
	if p.insecure {
		b.WriteString("AllowInsecureHTTP: true, // plain http to a host that is not loopback: use https\n")
	}
	b.WriteString("})\nif err != nil {\nreturn nil, nil, err\n}\nbearer := &mcpauth.BearerOptions{")
	if len(p.audiences) > 0 {
		fmt.Fprintf(b, "\n// Its tokens name another audience than the resource.\nAudiences: %s,\n", stringSlice(p.audiences))
	}
	b.WriteString("}\n")
	p.writeVerifier(b)
	b.WriteString("return auth, bearer, nil\n}\n")
}

// writeVerifier writes the verifier of tokens without a key set.
func (p *goPlan) writeVerifier(b *strings.Builder) {
	switch p.verifier {
	case introspectionVerifier:
		b.WriteString(`// Tokens are checked by introspection (RFC 7662), with the resource
// server's own client credentials.
verifier, err := mcpauth.NewIntrospectionVerifier(mcpauth.IntrospectionConfig{
Server: as,
ClientID: os.Getenv("MCPAUTH_INTROSPECT_CLIENT_ID"),
ClientSecret: os.Getenv("MCPAUTH_INTROSPECT_CLIENT_SECRET"),
`)
		if p.insecure {
			b.WriteString("AllowInsecureHTTP: true,\n")
		}
		b.WriteString("})\nif err != nil {\nauth.Close()\nreturn nil, nil, err\n}\nbearer.Verifier = verifier\n")
	case funcVerifier:
		b.WriteString("bearer.Verifier = mcpauth.VerifierFunc(verifyToken)\n")
	}
}

// discoveryOptions is the Go expression of the DiscoveryOptions needed.
func (p *goPlan) discoveryOptions() string {
	if !p.transpile && !p.insecure {
		return "nil"
	}
	var fields []string
	if p.insecure {
		fields = append(fields, "AllowInsecureHTTP: true,")
	}
	if p.transpile {
		fields = append(fields, "Transpile: addResponseTypes,")
	}
	return "&mcpauth.DiscoveryOptions{\n" + strings.Join(fields, "\n") + "\n}"
}

// typeName is the Go name of a discovery type.
func typeName(t mcpauth.ServerType) string {
	switch t {
	case mcpauth.ServerTypeOAuth:
		return "mcpauth.ServerTypeOAuth"
	case mcpauth.ServerTypeOIDC:
		return "mcpauth.ServerTypeOIDC"
	}
	return "mcpauth.ServerTypeAuto"
}

// stringSlice is the Go literal of a []string.
func stringSlice(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}

// commentSafe is s for a line comment: quoted when it holds anything but
// printable characters, so that it cannot end the comment.
func commentSafe(s string) string {
	q := strconv.Quote(s)
	if q == `"`+s+`"` {
		return s
	}
	return q
}

// transpileFunc repairs metadata without response_types_supported.
const transpileFunc = `
// addResponseTypes repairs the provider's metadata, which lacks
// response_types_supported (RFC 8414 §2): MCP clients use the code flow.
func addResponseTypes(doc map[string]any) (map[string]any, error) {
	if v, _ := doc["response_types_supported"].([]any); len(v) == 0 {
		doc["response_types_supported"] = []any{"code"}
	}
	return doc, nil
}
`

// verifyFunc is the verifier to write for a provider without a key set
// or introspection endpoint.
const verifyFunc = `
// verifyToken checks an access token of this provider, which publishes
// neither a key set nor an introspection endpoint: ask the provider's API
// whom the token belongs to, and return the identity (Issuer, Subject,
// ClientID, Audience, Scopes, ExpiresAt), or an *mcpauth.Error to refuse it.
func verifyToken(ctx context.Context, token string) (*mcpauth.AuthInfo, error) {
	return nil, errors.New("verifyToken: write the check of this provider's tokens")
}
`
