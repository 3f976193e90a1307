package check

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// maxKeysShown bounds the keys listed one by one.
const maxKeysShown = 20

// jwk is what the report shows of one JSON Web Key (RFC 7517 §4).
type jwk struct {
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	Crv string `json:"crv"`
}

// String lists the key's members that are set.
func (k jwk) String() string {
	var parts []string
	for _, m := range [...]struct{ name, value string }{{"kid", k.Kid}, {"kty", k.Kty}, {"alg", k.Alg}, {"use", k.Use}, {"crv", k.Crv}} {
		if m.value != "" {
			parts = append(parts, fmt.Sprintf("%s=%q", m.name, clean(m.value)))
		}
	}
	if len(parts) == 0 {
		return "(no kid, kty, alg, use or crv)"
	}
	return strings.Join(parts, " ")
}

// checkKeySet fetches jwks_uri, lists its keys, and asks the library
// (Auth.Check) whether it finds a signing key it can use there. Metadata
// without jwks_uri was reported with the validation findings.
func (c *checker) checkKeySet(ctx context.Context) {
	uri := c.cfg.Metadata.JWKSURI
	if uri == "" {
		return
	}
	const spec = "RFC 7517 §5"
	var set struct {
		Keys *[]json.RawMessage `json:"keys"`
	}
	if _, err := c.getJSON(ctx, uri, &set); err != nil {
		c.r.Addf(report.Fail, "jwks", spec, "The key set at %s cannot be fetched: %s. The resource server cannot verify JWT access tokens without it.", clean(uri), clean(err.Error()))
		return
	}
	if set.Keys == nil {
		c.r.Addf(report.Fail, "jwks", spec, "The document at %s is not a JSON Web Key Set: it has no \"keys\" member.", clean(uri))
		return
	}
	f := report.Finding{Check: "jwks", Spec: spec, Details: listKeys(*set.Keys)}
	if err := c.libraryKeyCheck(ctx); err != nil {
		f.Status = report.Fail
		f.Summary = fmt.Sprintf("The key set at %s holds %s, but the library cannot use it: %s.", clean(uri), report.Plural(len(*set.Keys), "key"), cleanErr(err))
	} else {
		f.Status = report.Pass
		f.Summary = fmt.Sprintf("The key set at %s holds %s, and the library finds a signing key it can use.", clean(uri), report.Plural(len(*set.Keys), "key"))
	}
	c.r.Add(f)
}

// listKeys describes the keys of a set, one line each, at most
// maxKeysShown of them.
func listKeys(keys []json.RawMessage) []string {
	var out []string
	for i, raw := range keys {
		if i == maxKeysShown {
			return append(out, fmt.Sprintf("… and %d more", len(keys)-maxKeysShown))
		}
		var k jwk
		if err := json.Unmarshal(raw, &k); err != nil {
			out = append(out, fmt.Sprintf("key %d: not a JSON Web Key", i+1))
			continue
		}
		out = append(out, k.String())
	}
	return out
}

// libraryKeyCheck configures the library with the discovered metadata and
// runs Auth.Check, which fetches the key set as the bearer middleware will
// and requires a usable signing key in it.
func (c *checker) libraryKeyCheck(ctx context.Context) error {
	auth, err := c.newAuth(c.resourceOrPlaceholder(), nil)
	if err != nil {
		return err
	}
	defer auth.Close()
	return auth.Check(ctx)
}

// resourceOrPlaceholder is -resource, or a placeholder where the library
// needs a resource identifier but the check does not depend on it.
func (c *checker) resourceOrPlaceholder() string {
	if c.opts.resource != "" {
		return c.opts.resource
	}
	return placeholderResource
}

// newAuth configures the library for one resource that trusts the
// discovered authorization server, with the run's HTTP client and
// -insecure, and no log output.
func (c *checker) newAuth(resource string, noAudience []string) (*mcpauth.Auth, error) {
	return mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:            mcpauth.ProtectedResourceMetadata{Resource: resource},
			AuthServers:         []*mcpauth.AuthServer{mcpauth.NewAuthServer(c.cfg)},
			NoAudienceClientIDs: noAudience,
		}},
		HTTPClient:        c.client,
		AllowInsecureHTTP: c.opts.insecure,
		Logger:            quietLogger,
	})
}
