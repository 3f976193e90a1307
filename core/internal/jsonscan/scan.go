// Package jsonscan is a small JSON scanner for the places where MCP Auth
// must see an object's members exactly as written (encoding/json matches
// struct fields case-insensitively and lets a duplicate member silently
// win): the claims and header of a JWT and the JSON-RPC messages the scope
// policy reads. It finds member boundaries, decodes claim sets in one pass
// and reports duplicate members; values it does not decode itself are left
// to encoding/json.
package jsonscan

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
)

// ErrSyntax reports data that is not the JSON the caller expected.
var ErrSyntax = errors.New("mcpauth: malformed JSON")

// ErrTooDeep reports nesting beyond MaxDepth. Unlike ErrSyntax it
// does not mean the data is not JSON: other decoders read deeper (encoding/json
// up to 10000 levels), so the scope policy refuses such a body rather than
// treat it as one no server can execute.
var ErrTooDeep = errors.New("mcpauth: JSON nested too deeply")

// MaxDepth bounds nesting while skipping values.
const MaxDepth = 512

// ScanObject calls fn for each member of the JSON object data, in order, with
// the member name (unescaped) and the raw value. Both are slices of data,
// except an escaped name, which is unescaped into a new slice.
func ScanObject(data []byte, fn func(name, value []byte) error) error {
	i := SkipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return ErrSyntax
	}
	i = SkipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return trailingSpaceOnly(data, i+1)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return ErrSyntax
		}
		end, escaped, err := skipString(data, i)
		if err != nil {
			return err
		}
		name := data[i+1 : end-1]
		if escaped {
			var unescaped string
			if err := json.Unmarshal(data[i:end], &unescaped); err != nil {
				return ErrSyntax
			}
			name = []byte(unescaped)
		}
		i = SkipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return ErrSyntax
		}
		start := SkipSpace(data, i+1)
		vend, err := skipValue(data, start, 0)
		if err != nil {
			return err
		}
		if err := fn(name, data[start:vend]); err != nil {
			return err
		}
		i = SkipSpace(data, vend)
		if i >= len(data) {
			return ErrSyntax
		}
		switch data[i] {
		case ',':
			i = SkipSpace(data, i+1)
		case '}':
			return trailingSpaceOnly(data, i+1)
		default:
			return ErrSyntax
		}
	}
}

// ScanArray calls fn for each element of the JSON array data.
func ScanArray(data []byte, fn func(value []byte) error) error {
	i := SkipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return ErrSyntax
	}
	i = SkipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return trailingSpaceOnly(data, i+1)
	}
	for {
		end, err := skipValue(data, i, 0)
		if err != nil {
			return err
		}
		if err := fn(data[i:end]); err != nil {
			return err
		}
		i = SkipSpace(data, end)
		if i >= len(data) {
			return ErrSyntax
		}
		switch data[i] {
		case ',':
			i = SkipSpace(data, i+1)
		case ']':
			return trailingSpaceOnly(data, i+1)
		default:
			return ErrSyntax
		}
	}
}

func trailingSpaceOnly(data []byte, i int) error {
	if SkipSpace(data, i) != len(data) {
		return ErrSyntax
	}
	return nil
}

func SkipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index after the string starting at data[i] == '"',
// and whether it holds escapes.
func skipString(data []byte, i int) (int, bool, error) {
	escaped := false
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j + 1, escaped, nil
		}
	}
	return 0, false, ErrSyntax
}

// skipValue returns the index after the value starting at data[i].
func skipValue(data []byte, i, depth int) (int, error) {
	if i >= len(data) {
		return 0, ErrSyntax
	}
	if depth > MaxDepth {
		return 0, ErrTooDeep
	}
	switch data[i] {
	case '"':
		end, _, err := skipString(data, i)
		return end, err
	case '{', '[':
		closer := byte('}')
		if data[i] == '[' {
			closer = ']'
		}
		j := SkipSpace(data, i+1)
		if j < len(data) && data[j] == closer {
			return j + 1, nil
		}
		for {
			if closer == '}' {
				if j >= len(data) || data[j] != '"' {
					return 0, ErrSyntax
				}
				end, _, err := skipString(data, j)
				if err != nil {
					return 0, err
				}
				j = SkipSpace(data, end)
				if j >= len(data) || data[j] != ':' {
					return 0, ErrSyntax
				}
				j = SkipSpace(data, j+1)
			}
			end, err := skipValue(data, j, depth+1)
			if err != nil {
				return 0, err
			}
			j = SkipSpace(data, end)
			if j >= len(data) {
				return 0, ErrSyntax
			}
			if data[j] == closer {
				return j + 1, nil
			}
			if data[j] != ',' {
				return 0, ErrSyntax
			}
			j = SkipSpace(data, j+1)
		}
	default:
		j := i
		for j < len(data) {
			switch data[j] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				if j == i {
					return 0, ErrSyntax
				}
				return j, nil
			}
			j++
		}
		if j == i {
			return 0, ErrSyntax
		}
		return j, nil
	}
}

// DuplicateMember returns the first member name of the object data that
// occurs twice, and whether there is one (the empty name counts too). It
// runs on every JWT's header, so names are compared in place (as slices of
// data) and only an object of more than 32 members needs a map.
func DuplicateMember(data []byte) (dup string, found bool, err error) {
	var small [32][]byte
	names := small[:0]
	var seen map[string]bool
	err = ScanObject(data, func(name, _ []byte) error {
		again := false
		switch {
		case found:
		case seen != nil:
			again = seen[string(name)]
			seen[string(name)] = true
		case slices.ContainsFunc(names, func(n []byte) bool { return bytes.Equal(n, name) }):
			again = true
		case len(names) < len(small):
			names = append(names, name)
		default:
			seen = make(map[string]bool, 2*len(small))
			for _, n := range names {
				seen[string(n)] = true
			}
			seen[string(name)] = true
		}
		if again {
			dup, found = string(name), true
		}
		return nil
	})
	return dup, found, err
}
