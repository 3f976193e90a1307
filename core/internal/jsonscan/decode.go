package jsonscan

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// DecodeObject decodes the JSON object data (a claim set) into a map,
// with the result json.Unmarshal into a map[string]any would give, and
// finds duplicate members, in one pass over data. It serves the claims of
// every JWT, where a second encoding/json pass (validation, then
// reflection) was most of the library's cost beyond the signature check.
//
// Its error, by precedence: the scanner's when data is not an object
// (ErrSyntax, ErrTooDeep); a *DuplicateMemberError for the first
// member name that occurs twice; the first error decoding a value.
func DecodeObject(data []byte) (map[string]any, error) {
	m := make(map[string]any, 8)
	var dup *DuplicateMemberError
	var valueErr error
	err := ScanObject(data, func(name, value []byte) error {
		if dup != nil {
			return nil
		}
		if _, seen := m[string(name)]; seen {
			dup = &DuplicateMemberError{Name: string(name)}
			return nil
		}
		v, verr := decodeValue(value)
		if verr != nil && valueErr == nil {
			valueErr = verr
		}
		m[string(name)] = v
		return nil
	})
	switch {
	case err != nil:
		return nil, err
	case dup != nil:
		return nil, dup
	case valueErr != nil:
		return nil, valueErr
	}
	return m, nil
}

// DuplicateMemberError names a member that occurs twice in an object.
type DuplicateMemberError struct{ Name string }

// Error names the member.
func (e *DuplicateMemberError) Error() string {
	return fmt.Sprintf("mcpauth: the member %q occurs twice", e.Name)
}

// decodeValue decodes the JSON value raw as json.Unmarshal into an any
// would. The values most claims hold are decoded directly: a string of
// printable ASCII without escapes (its bytes), a number of the JSON grammar
// (strconv.ParseFloat, as encoding/json does), true, false and null.
// Everything else goes through encoding/json.
func decodeValue(raw []byte) (any, error) {
	switch c := raw[0]; {
	case c == '"':
		if s, ok := PlainString(raw); ok {
			return string(s), nil
		}
	case c == 't' && string(raw) == "true":
		return true, nil
	case c == 'f' && string(raw) == "false":
		return false, nil
	case c == 'n' && string(raw) == "null":
		return nil, nil
	case c == '-' || '0' <= c && c <= '9':
		if IsNumber(raw) {
			if f, err := strconv.ParseFloat(string(raw), 64); err == nil {
				return f, nil
			}
		}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// PlainString returns the contents of the JSON string raw when they
// are printable ASCII without escapes, which decode to themselves.
func PlainString(raw []byte) ([]byte, bool) {
	n := len(raw)
	if n < 2 || raw[0] != '"' || raw[n-1] != '"' {
		return nil, false
	}
	inner := raw[1 : n-1]
	for _, c := range inner {
		if c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			return nil, false
		}
	}
	return inner, true
}

// IsNumber reports whether s is a number of the JSON grammar (RFC 8259
// §6): -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func IsNumber(s []byte) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = skipDigits(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := skipDigits(s, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(s)
}

func skipDigits(s []byte, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}
