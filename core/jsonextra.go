package mcpauth

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
)

// knownKeys returns the JSON member names declared by the struct type t through
// its `json` tags. It is computed once per type.
func knownKeys(t reflect.Type) map[string]bool {
	if v, ok := knownKeysCache.Load(t); ok {
		return v.(map[string]bool)
	}
	keys := make(map[string]bool, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys[name] = true
		}
	}
	knownKeysCache.Store(t, keys)
	return keys
}

var knownKeysCache sync.Map

// decodeWithExtra decodes the JSON object data into known (a pointer to a struct
// whose fields carry json tags) and returns the members the struct does not
// declare, so that re-encoding the value loses nothing. A member whose name
// differs from a declared one only by case ("ISSUER") is not kept:
// encoding/json has already decoded it into that field (matching names
// case-insensitively), and keeping it too would let the re-encoded document
// say something else when decoded again.
func decodeWithExtra(data []byte, known any) (map[string]json.RawMessage, error) {
	if err := json.Unmarshal(data, known); err != nil {
		return nil, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return nil, err
	}
	keys := knownKeys(reflect.TypeOf(known).Elem())
	var extra map[string]json.RawMessage
	for k, v := range all {
		if keys[k] || foldsToKey(k, keys) {
			continue
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		extra[k] = v
	}
	return extra, nil
}

// foldsToKey reports whether name equals a key of keys under Unicode case
// folding, as encoding/json matches member names to fields.
func foldsToKey(name string, keys map[string]bool) bool {
	for k := range keys {
		if strings.EqualFold(name, k) {
			return true
		}
	}
	return false
}

// encodeWithExtra encodes known (a struct with json tags) and appends the extra
// members in sorted order. Extra members that collide with a declared field are
// left out: the declared field wins.
func encodeWithExtra(known any, extra map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(known)
	if err != nil || len(extra) == 0 {
		return b, err
	}
	keys := knownKeys(reflect.TypeOf(known).Elem())
	names := make([]string, 0, len(extra))
	for k := range extra {
		if !keys[k] {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1]) // drop the closing brace
	first := len(b) == 2    // "{}"
	for _, k := range names {
		v := extra[k]
		if !json.Valid(v) {
			continue
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
