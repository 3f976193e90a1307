package mcpauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/mcp-auth/go/core/internal/jsonscan"
)

// DefaultPolicyMaxBodyBytes is the default limit on the request body the
// scope policy reads.
const DefaultPolicyMaxBodyBytes = 4 << 20

// ScopePolicy adds scopes to a bearer middleware's requirement according to
// the MCP operation a request carries: per JSON-RPC method, and per tool,
// prompt or resource named in its params. This is how an MCP server asks for
// step-up authorization (MCP 2025-11-25 and later): a request that needs
// more scopes than its token has is answered 403 insufficient_scope with
// every scope the operation needs.
//
// The operation is read from the request body (a JSON-RPC message or batch),
// never from headers alone, and the body is restored for the next handler.
// When the request also carries the headers of MCP 2026-07-28 that mirror
// its body (Mcp-Method, and Mcp-Name for tools/call, prompts/get and
// resources/read; SEP-2243), they must say what the body says: a header
// given twice, a method or name that differs, a missing Mcp-Name, headers
// over a batch or over no message at all are answered 400 with a JSON-RPC
// error -32020 (code header_mismatch), after authentication (a request
// without a valid token still gets its 401).
// The policy fails closed: a body that cannot be read to its end (a broken
// chunked encoding, a limit such as [http.MaxBytesHandler] or a framework's
// body limit cutting it short, a client gone) is refused with 400
// invalid_request (413 for an [*http.MaxBytesError]) and never handed on, so
// a complete message in the bytes read so far never runs unchecked; and a
// body with a Content-Encoding other than identity is refused with 400
// invalid_request, since a decompressing layer between the policy and the
// handler would run what the policy never read.
// A batch needs the union of its messages' scopes. A body that is not JSON
// at all gets only the base requirement (no server can execute it either). A
// body over MaxBodyBytes is refused with 413, and one the policy cannot read
// unambiguously with 400 invalid_request: duplicate members, members like
// "Method" that some JSON decoders would take for "method", JSON nested more
// than 512 levels deep (which other decoders still read), and an object or
// array that is broken or followed by more data (which a streaming decoder
// might still execute). So no reading of the body ever bypasses the policy.
type ScopePolicy struct {
	// Methods maps a JSON-RPC method ("tools/call", "resources/read", …) to
	// the scopes it needs.
	Methods map[string][]string
	// Tools maps a tool name (params.name of "tools/call") to the scopes it needs.
	Tools map[string][]string
	// Prompts maps a prompt name (params.name of "prompts/get") to the scopes it needs.
	Prompts map[string][]string
	// Resources maps a resource URI (params.uri of "resources/read",
	// "resources/subscribe" and "resources/unsubscribe") to the scopes it
	// needs. A key may be an RFC 6570 level-1 URI template such as
	// file:///projects/{project}/notes/{note}, where each {variable} stands
	// for unreserved characters and percent-encoded octets (never "/", "?"
	// or "#"). An exact URI wins over templates; among matching templates
	// the most specific wins: the one with the most literal text, then the
	// fewest variables, then the first in byte order. URIs longer than
	// 2 KiB match exact keys only.
	Resources map[string][]string
	// MaxBodyBytes limits the body read; 0 means [DefaultPolicyMaxBodyBytes].
	MaxBodyBytes int64
}

// policy is a checked ScopePolicy, with its resource templates parsed.
type policy struct {
	*ScopePolicy
	templates []resourceTemplate // most specific first
}

// resourceTemplate is a template key of ScopePolicy.Resources.
type resourceTemplate struct {
	t      *uriTemplate
	scopes []string
}

// compile checks p and parses its templates; a nil or empty p gives nil.
func (p *ScopePolicy) compile() (*policy, error) {
	if p == nil {
		return nil, nil
	}
	for _, m := range []map[string][]string{p.Methods, p.Tools, p.Prompts, p.Resources} {
		for k, scopes := range m {
			if err := checkScopes(fmt.Sprintf("scope policy for %q", k), scopes); err != nil {
				return nil, err
			}
		}
	}
	if p.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("%w: scope policy MaxBodyBytes is negative", ErrInvalidConfig)
	}
	if p.empty() {
		return nil, nil
	}
	c := &policy{ScopePolicy: p}
	for k, scopes := range p.Resources {
		if !isTemplate(k) {
			continue
		}
		t, err := parseURITemplate(k)
		if err != nil {
			return nil, fmt.Errorf("%w: scope policy: the resource template %q: %v", ErrInvalidConfig, k, err)
		}
		c.templates = append(c.templates, resourceTemplate{t: t, scopes: scopes})
	}
	slices.SortFunc(c.templates, func(a, b resourceTemplate) int {
		switch {
		case moreSpecific(a.t, b.t):
			return -1
		case moreSpecific(b.t, a.t):
			return 1
		}
		return 0
	})
	return c, nil
}

// resourceScopes returns the scopes of the resource uri: its exact entry,
// else the most specific template it matches.
func (p *policy) resourceScopes(uri string) []string {
	if scopes, ok := p.Resources[uri]; ok {
		return scopes
	}
	for _, rt := range p.templates {
		if rt.t.match(uri) {
			return rt.scopes
		}
	}
	return nil
}

func (p *ScopePolicy) empty() bool {
	return p == nil || (len(p.Methods) == 0 && len(p.Tools) == 0 && len(p.Prompts) == 0 && len(p.Resources) == 0)
}

func (p *ScopePolicy) limit() int64 {
	if p.MaxBodyBytes > 0 {
		return p.MaxBodyBytes
	}
	return DefaultPolicyMaxBodyBytes
}

// scopesFor returns the scopes the policy adds for r, reading and restoring
// its body. base is included first. When the request carries the mirror
// headers of MCP 2026-07-28 (Mcp-Method, Mcp-Name), the body must say the
// same: a mismatch is returned as a CodeHeaderMismatch *Error together
// with the scopes, so that authentication can still come first.
func (p *policy) scopesFor(r *http.Request, base []string) ([]string, *Error) {
	if p == nil {
		return base, nil
	}
	hdr := readMirror(r.Header)
	if r.Body == nil || r.Body == http.NoBody {
		if hdr.present() {
			return base, hdr.check(false, 0, &rpcMessage{})
		}
		return base, nil
	}
	if !identityEncoded(r.Header) {
		return nil, newError(CodeInvalidRequest, "The request body is content-encoded (Content-Encoding), which the scope policy does not read.", nil)
	}
	body, err := readBody(r, p.limit())
	if err != nil {
		return nil, err
	}
	out, copied := base, false
	add := func(scopes []string) {
		if len(scopes) > 0 {
			if !copied {
				out, copied = append(make([]string, 0, len(base)+len(scopes)+2), base...), true
			}
			out = unionScopes(out, scopes...)
		}
	}
	var first rpcMessage
	count := 0
	// Names are looked up as string(bytes), which allocates nothing.
	perr := p.visitMessages(body, func(method, params, id []byte) error {
		add(p.Methods[string(method)])
		name, uri, err := operationTarget(string(method), params)
		if err != nil {
			return err
		}
		switch string(method) {
		case "tools/call":
			add(p.Tools[string(name)])
		case "prompts/get":
			add(p.Prompts[string(name)])
		case "resources/read", "resources/subscribe", "resources/unsubscribe":
			add(p.resourceScopes(string(uri)))
		}
		if count++; count == 1 && hdr.present() {
			first = rpcMessage{method: string(method), name: string(name), uri: string(uri), id: slices.Clone(id)}
		}
		return nil
	})
	switch {
	case errors.Is(perr, errAmbiguous):
		return nil, newError(CodeInvalidRequest, "The request body is ambiguous: duplicate or case-variant JSON-RPC members.", perr)
	case errors.Is(perr, jsonscan.ErrTooDeep):
		return nil, newError(CodeInvalidRequest, "The request body nests JSON deeper than the scope policy reads.", perr)
	case perr != nil && (startsWith(body, '{') || startsWith(body, '[')):
		// Broken JSON, or JSON followed by more data: a lenient or streaming
		// decoder downstream might still execute a message the policy cannot
		// read, so the body is refused rather than given the base requirement.
		return nil, newError(CodeInvalidRequest, "The request body is not a well-formed JSON-RPC message.", perr)
	}
	if hdr.present() {
		// The operation the headers name, whose scopes out already holds
		// when it is the body's, must be the body's.
		if e := hdr.check(startsWith(body, '['), count, &first); e != nil {
			return out, e
		}
	}
	// A body that is not JSON at all gets the base requirement: no server executes it.
	return out, nil
}

var errAmbiguous = errors.New("mcpauth: ambiguous JSON-RPC message")

// visitMessages calls fn for each JSON-RPC message of body (one object, or a
// batch array of objects) that names a method, with its method, params and
// id (raw JSON; nil when absent).
func (p *ScopePolicy) visitMessages(body []byte, fn func(method, params, id []byte) error) error {
	i := jsonscan.SkipSpace(body, 0)
	if i < len(body) && body[i] == '[' {
		return jsonscan.ScanArray(body, func(v []byte) error { return visitMessage(v, fn) })
	}
	return visitMessage(body, fn)
}

func visitMessage(msg []byte, fn func(method, params, id []byte) error) error {
	if !startsWith(msg, '{') {
		return nil // a batch element that is not an object is no request
	}
	v, err := scanMembers(msg, [3]string{"method", "params", "id"})
	if err != nil || v[0] == nil {
		return err
	}
	m, ok := jsonString(v[0])
	if !ok {
		return nil // not a request a server would execute
	}
	return fn(m, v[1], v[2])
}

// operationTarget returns params.name and params.uri for the methods that name a target.
func operationTarget(method string, params []byte) (name, uri []byte, err error) {
	switch method {
	case "tools/call", "prompts/get", "resources/read", "resources/subscribe", "resources/unsubscribe":
	default:
		return nil, nil, nil
	}
	if !startsWith(params, '{') {
		return nil, nil, nil // absent, or not an object: no server executes it
	}
	v, err := scanMembers(params, [3]string{"name", "uri"})
	if err != nil {
		return nil, nil, err
	}
	name, _ = jsonString(v[0])
	uri, _ = jsonString(v[1])
	return name, uri, nil
}

// scanMembers returns the raw values of the members of object obj named in
// want (nil when absent; an empty name wants nothing), and the scan's
// error. A wanted member that occurs twice, or a member equal to a wanted
// one but for case, makes the message ambiguous.
func scanMembers(obj []byte, want [3]string) (values [3][]byte, err error) {
	err = jsonscan.ScanObject(obj, func(name, value []byte) error {
		for i, w := range want {
			if w == "" {
				continue
			}
			if string(name) == w {
				if values[i] != nil {
					return errAmbiguous
				}
				values[i] = value
				return nil
			}
			if strings.EqualFold(string(name), w) {
				return errAmbiguous
			}
		}
		return nil
	})
	return values, err
}

// startsWith reports whether the first non-space byte of data is c.
func startsWith(data []byte, c byte) bool {
	i := jsonscan.SkipSpace(data, 0)
	return i < len(data) && data[i] == c
}

// jsonString returns the value of raw as json.Unmarshal into a string would
// (null and absence give ""), and false when raw is another JSON value. A
// string of printable ASCII without escapes (method and tool names) is
// returned in place, without decoding.
func jsonString(raw []byte) ([]byte, bool) {
	if raw == nil {
		return nil, true
	}
	if inner, ok := jsonscan.PlainString(raw); ok {
		return inner, true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return nil, false
	}
	return []byte(s), true
}
