package mcpauth

import (
	"strings"
)

// challenge builds one challenge of a WWW-Authenticate value (RFC 6750 §3,
// RFC 9449 §7.1, RFC 9110 §11.6.1): the scheme, then comma-separated
// name="value" auth-params.
type challenge struct {
	scheme string
	b      strings.Builder
}

// param adds name="value", escaped as a quoted-string; an empty value is skipped.
func (c *challenge) param(name, value string) {
	if value == "" {
		return
	}
	if c.b.Len() == 0 {
		c.b.WriteString(c.scheme)
		c.b.WriteByte(' ')
	} else {
		c.b.WriteString(", ")
	}
	c.b.WriteString(name)
	c.b.WriteString(`="`)
	writeQuoted(&c.b, value)
	c.b.WriteByte('"')
}

// String returns the challenge; with no parameters it is just the scheme.
func (c *challenge) String() string {
	if c.b.Len() == 0 {
		return c.scheme
	}
	return c.b.String()
}

// writeQuoted writes s as the inside of an RFC 9110 quoted-string: '"' and
// '\' are escaped with a backslash; control characters (which cannot be
// carried in a header) are dropped.
func writeQuoted(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t' || (c >= 0x20 && c != 0x7f):
			b.WriteByte(c)
		}
	}
}

// sanitizeDescription maps s onto the characters RFC 6750 §3 allows in
// error_description (%x20-21 / %x23-5B / %x5D-7E): '"' becomes '\”, '\'
// becomes '/', and any other character outside the set (controls, non-ASCII
// bytes) becomes '?'. The result never needs escaping.
func sanitizeDescription(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if !descriptionChar(s[i]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	out := []byte(s)
	for i, c := range out {
		switch {
		case descriptionChar(c):
		case c == '"':
			out[i] = '\''
		case c == '\\':
			out[i] = '/'
		default:
			out[i] = '?'
		}
	}
	return string(out)
}

func descriptionChar(c byte) bool {
	return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\'
}

// validScopeToken reports whether s is a scope-token of RFC 6749 §3.3:
// 1*( %x21 / %x23-5B / %x5D-7E ).
func validScopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// joinScopes joins scopes with spaces, leaving out offline_access (MCP
// 2026-07-28: never in a challenge).
func joinScopes(scopes []string) string {
	switch len(scopes) {
	case 0:
		return ""
	case 1:
		if scopes[0] == offlineAccess {
			return ""
		}
		return scopes[0]
	}
	var b strings.Builder
	for _, s := range scopes {
		if s == offlineAccess {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}

const offlineAccess = "offline_access"
