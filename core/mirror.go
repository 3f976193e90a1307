package mcpauth

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// The headers of MCP 2026-07-28 that mirror a request's body (SEP-2243), so
// that intermediaries can route and authorize without parsing it.
const (
	headerMethod = "Mcp-Method" // the JSON-RPC method
	headerName   = "Mcp-Name"   // params.name of tools/call and prompts/get, params.uri of resources/read
)

// headerMismatchCode is the JSON-RPC error code of a request whose Mcp-Method
// or Mcp-Name header disagrees with its body (MCP 2026-07-28, SEP-2243).
const headerMismatchCode = -32020

// mirror is what a request's mirror headers say.
type mirror struct {
	method, name       string
	hasMethod, hasName bool
	problem            string // why the headers cannot be read, or ""
}

// readMirror reads the mirror headers of h. Header names are matched
// case-insensitively (net/http canonicalizes them); a header given twice, or
// a name whose =?base64?…?= wrapping does not decode, is a problem.
func readMirror(h http.Header) mirror {
	var m mirror
	methods, names := h.Values(headerMethod), h.Values(headerName)
	switch {
	case len(methods) > 1:
		m.problem = "the Mcp-Method header is given more than once"
	case len(names) > 1:
		m.problem = "the Mcp-Name header is given more than once"
	}
	if len(methods) > 0 {
		m.method, m.hasMethod = methods[0], true
	}
	if len(names) > 0 {
		name, ok := decodeHeaderValue(names[0])
		if !ok && m.problem == "" {
			m.problem = "the Mcp-Name header's base64 wrapping does not decode"
		}
		m.name, m.hasName = name, true
	}
	return m
}

// present reports whether the request carries a mirror header.
func (m *mirror) present() bool { return m.hasMethod || m.hasName }

// decodeHeaderValue undoes SEP-2243's wrapping of values that are not plain
// ASCII: =?base64?<standard base64>?=.
func decodeHeaderValue(v string) (string, bool) {
	inner, ok := strings.CutPrefix(v, "=?base64?")
	if !ok {
		return v, true
	}
	inner, ok = strings.CutSuffix(inner, "?=")
	if !ok {
		return v, true
	}
	b, err := base64.StdEncoding.DecodeString(inner)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// namedMethods are the methods whose target the Mcp-Name header mirrors.
func namedMethod(method string) bool {
	return method == "tools/call" || method == "prompts/get" || method == "resources/read"
}

// rpcMessage is what the policy read of the body's single message.
type rpcMessage struct {
	method, name, uri string
	id                []byte // the raw id, for the error answer
}

// target returns what Mcp-Name must say of msg.
func (msg *rpcMessage) target() string {
	if msg.method == "resources/read" {
		return msg.uri
	}
	return msg.name
}

// check compares the headers with the body, which holds count messages
// (batch when it is an array); msg is its first. It returns the mismatch, or
// nil.
func (m *mirror) check(batch bool, count int, msg *rpcMessage) *Error {
	var why string
	switch {
	case m.problem != "":
		why = m.problem
	case !m.hasMethod:
		why = "the Mcp-Name header is given without Mcp-Method"
	case count == 0:
		why = "the request has no JSON-RPC message, though its headers name one"
	case batch:
		why = "the headers name one message, but the body is a batch"
	case m.method != msg.method:
		why = fmt.Sprintf("Mcp-Method is %s but the body's method is %s", quote(m.method), quote(msg.method))
	case namedMethod(msg.method) && !m.hasName:
		why = "the Mcp-Name header is missing"
	case !namedMethod(msg.method) && m.hasName:
		why = fmt.Sprintf("the Mcp-Name header is given for %s, which names nothing", quote(msg.method))
	case m.hasName && m.name != msg.target():
		why = fmt.Sprintf("Mcp-Name is %s but the body names %s", quote(m.name), quote(msg.target()))
	default:
		return nil
	}
	e := newError(CodeHeaderMismatch, "Header mismatch: "+why+".", nil)
	if msg != nil {
		e.rpcID = msg.id
	}
	return e
}

// quote quotes s for a message, shortened: the values are the client's.
func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return fmt.Sprintf("%q", s)
}
