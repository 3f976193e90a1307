package mcpauth

import (
	"fmt"
	"strings"
)

// uriTemplate is an RFC 6570 level-1 URI template, such as
// file:///projects/{project}/notes/{note}: literal text and simple string
// expressions. It is matched by hand, never turned into a regular
// expression, so nothing in a configured template can change how it
// matches.
type uriTemplate struct {
	raw      string
	literals []string // len(literals) == vars+1; literals[i] precedes variable i
	vars     int
	literal  int // the total length of the literals: the template's specificity
}

// maxTemplateURI bounds the URIs matched against templates; a longer one
// matches exact entries only, so that no request makes matching costly.
const maxTemplateURI = 2 << 10

// isTemplate reports whether s is a template rather than a plain URI.
func isTemplate(s string) bool { return strings.ContainsAny(s, "{}") }

// parseURITemplate parses a level-1 template: every expression is
// {varname}, with varname made of letters, digits, "_", "." between them
// and percent-encoded octets (RFC 6570 §2.3); an operator (+ # . / ; ? &),
// a modifier (:n, *), several variables in one expression, or an unpaired
// brace is refused.
func parseURITemplate(s string) (*uriTemplate, error) {
	t := &uriTemplate{raw: s}
	var lit strings.Builder
	for i := 0; i < len(s); {
		switch s[i] {
		case '}':
			return nil, fmt.Errorf("an unpaired } at offset %d", i)
		case '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("an unpaired { at offset %d", i)
			}
			if err := checkVarname(s[i+1 : i+end]); err != nil {
				return nil, fmt.Errorf("the expression %s: %w (only level-1 {name} expressions are supported)", s[i:i+end+1], err)
			}
			t.literals = append(t.literals, lit.String())
			t.literal += lit.Len()
			lit.Reset()
			t.vars++
			i += end + 1
		default:
			lit.WriteByte(s[i])
			i++
		}
	}
	t.literals = append(t.literals, lit.String())
	t.literal += lit.Len()
	return t, nil
}

// checkVarname checks an RFC 6570 varname: varchar *( ["."] varchar ).
func checkVarname(v string) error {
	if v == "" {
		return fmt.Errorf("no variable name")
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case c == '.' && i > 0 && i < len(v)-1 && v[i-1] != '.':
		case c == '%' && i+2 < len(v) && isHex(v[i+1]) && isHex(v[i+2]):
			i += 2
		default:
			return fmt.Errorf("%q is not a variable name", v)
		}
	}
	return nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// match reports whether uri is an expansion of t: its literals in order,
// each variable standing for what a simple string expansion yields, that is
// unreserved characters and percent-encoded octets (RFC 6570 §3.2.2), so a
// "/" or "?" never falls inside a variable.
func (t *uriTemplate) match(uri string) bool {
	if len(uri) > maxTemplateURI || !strings.HasPrefix(uri, t.literals[0]) {
		return false
	}
	// seen[i][pos] records that variable i starting at pos was tried.
	seen := make([]map[int]bool, t.vars)
	var from func(i, pos int) bool
	from = func(i, pos int) bool {
		if i == t.vars {
			return pos == len(uri)
		}
		if seen[i] == nil {
			seen[i] = map[int]bool{}
		}
		if seen[i][pos] {
			return false
		}
		seen[i][pos] = true
		next := t.literals[i+1]
		for end := pos; ; {
			if strings.HasPrefix(uri[end:], next) && from(i+1, end+len(next)) {
				return true
			}
			n := expansionChar(uri[end:])
			if n == 0 {
				return false
			}
			end += n
		}
	}
	return from(0, len(t.literals[0]))
}

// expansionChar returns the length of the unreserved character or
// percent-encoded octet s starts with, or 0.
func expansionChar(s string) int {
	if s == "" {
		return 0
	}
	c := s[0]
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
		return 1
	case c == '%' && len(s) >= 3 && isHex(s[1]) && isHex(s[2]):
		return 3
	}
	return 0
}

// moreSpecific reports whether template a wins over b when both match: more
// literal text, then fewer variables, then the template text in byte order,
// so that the choice never depends on map iteration.
func moreSpecific(a, b *uriTemplate) bool {
	if a.literal != b.literal {
		return a.literal > b.literal
	}
	if a.vars != b.vars {
		return a.vars < b.vars
	}
	return a.raw < b.raw
}
