package authtest

import (
	"errors"
	"fmt"
	"strings"
)

// Challenge is one parsed WWW-Authenticate challenge (RFC 9110 §11.6.1).
type Challenge struct {
	// Scheme is the auth-scheme, such as "Bearer".
	Scheme string
	// Params are the auth-params in order, names lowercased, values unquoted.
	Params []Param
}

// Param is one auth-param.
type Param struct {
	Name, Value string
}

// Get returns the value of the parameter name and whether it is present.
func (c Challenge) Get(name string) (string, bool) {
	for _, p := range c.Params {
		if p.Name == strings.ToLower(name) {
			return p.Value, true
		}
	}
	return "", false
}

// Names returns the parameter names in order.
func (c Challenge) Names() []string {
	out := make([]string, len(c.Params))
	for i, p := range c.Params {
		out[i] = p.Name
	}
	return out
}

// ParseChallenge parses a WWW-Authenticate value holding one challenge with
// auth-params (not token68), strictly by RFC 9110's grammar:
//
//	challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//	auth-param  = token BWS "=" BWS ( token / quoted-string )
//
// It is written independently of the library's challenge builder, so tests
// can check the builder's output against the grammar. A parameter named
// twice is an error (RFC 9110 §11.2).
func ParseChallenge(s string) (Challenge, error) {
	cs, err := ParseChallenges(s)
	if err != nil {
		return Challenge{}, err
	}
	if len(cs) != 1 {
		return cs[0], fmt.Errorf("authtest: %d challenges, want one", len(cs))
	}
	return cs[0], nil
}

// ParseChallenges parses a WWW-Authenticate value holding one or more
// comma-separated challenges (RFC 9110 §11.6.1: #challenge), such as
// `Bearer resource_metadata="…", DPoP algs="ES256"`, by the grammar of
// [ParseChallenge].
func ParseChallenges(s string) ([]Challenge, error) {
	p := &parser{s: s}
	var out []Challenge
	for {
		c, err := p.challenge()
		if err != nil {
			return out, err
		}
		out = append(out, c)
		if p.done() {
			return out, nil
		}
	}
}

// challenge reads one challenge, and the comma and spaces after it when
// another follows.
func (p *parser) challenge() (Challenge, error) {
	var c Challenge
	c.Scheme = p.token()
	if c.Scheme == "" {
		return c, fmt.Errorf("authtest: no auth-scheme at %d", p.i)
	}
	if p.done() {
		return c, nil
	}
	if p.eat(',') {
		p.spaces()
		return c, nil
	}
	if !p.eat(' ') {
		return c, fmt.Errorf("authtest: expected SP after scheme at %d", p.i)
	}
	p.spaces()
	seen := map[string]bool{}
	for {
		name := strings.ToLower(p.token())
		if name == "" {
			return c, fmt.Errorf("authtest: expected a parameter name at %d", p.i)
		}
		p.spaces()
		if !p.eat('=') {
			return c, fmt.Errorf("authtest: expected '=' after %q", name)
		}
		p.spaces()
		var value string
		if p.peek() == '"' {
			v, err := p.quoted()
			if err != nil {
				return c, err
			}
			value = v
		} else if value = p.token(); value == "" {
			return c, fmt.Errorf("authtest: expected a value for %q", name)
		}
		if seen[name] {
			return c, fmt.Errorf("authtest: parameter %q given twice", name)
		}
		seen[name] = true
		c.Params = append(c.Params, Param{Name: name, Value: value})
		p.spaces()
		if p.done() {
			return c, nil
		}
		if !p.eat(',') {
			return c, fmt.Errorf("authtest: expected ',' at %d", p.i)
		}
		p.spaces()
		if p.nextIsScheme() {
			return c, nil
		}
	}
}

// nextIsScheme reports whether what follows is a new challenge (a token
// not followed by "="), not another auth-param.
func (p *parser) nextIsScheme() bool {
	save := p.i
	defer func() { p.i = save }()
	if p.token() == "" {
		return false
	}
	p.spaces()
	return !p.eat('=')
}

type parser struct {
	s string
	i int
}

func (p *parser) done() bool { return p.i >= len(p.s) }

func (p *parser) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

func (p *parser) eat(c byte) bool {
	if p.peek() == c && !p.done() {
		p.i++
		return true
	}
	return false
}

func (p *parser) spaces() {
	for !p.done() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// token reads an RFC 9110 token: 1*tchar.
func (p *parser) token() string {
	start := p.i
	for !p.done() && isTchar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

func isTchar(c byte) bool {
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// quoted reads a quoted-string: DQUOTE *( qdtext / quoted-pair ) DQUOTE.
func (p *parser) quoted() (string, error) {
	p.i++ // opening quote
	var b strings.Builder
	for !p.done() {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", errors.New("authtest: dangling backslash")
			}
			q := p.s[p.i+1]
			if !(q == '\t' || q == ' ' || (q >= 0x21 && q != 0x7f)) {
				return "", fmt.Errorf("authtest: bad quoted-pair at %d", p.i)
			}
			b.WriteByte(q)
			p.i += 2
		case c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5b) || (c >= 0x5d && c <= 0x7e) || c >= 0x80:
			b.WriteByte(c)
			p.i++
		default:
			return "", fmt.Errorf("authtest: character %#x not allowed in a quoted-string", c)
		}
	}
	return "", errors.New("authtest: unterminated quoted-string")
}
