package mcpauth

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
)

// TestJSONString compares jsonString with json.Unmarshal into a string.
func TestJSONString(t *testing.T) {
	for _, raw := range []string{
		`"tools/call"`, `""`, `"create-todo"`, `"na\u006de"`, `"a\"b"`, `"a\\b"`, `"tab\there"`,
		`"héllo"`, "\"\xff\xfe\"", "\"ctl\x01\"", `null`, `42`, `true`, `{"a":1}`, `["a"]`, `"unterminated`,
	} {
		got, ok := jsonString([]byte(raw))
		var want string
		wantOK := json.Unmarshal([]byte(raw), &want) == nil
		if ok != wantOK || (ok && string(got) != want) {
			t.Errorf("jsonString(%s) = %q, %v; json.Unmarshal gives %q, %v", raw, got, ok, want, wantOK)
		}
	}
	if got, ok := jsonString(nil); !ok || got != nil {
		t.Errorf("absent value: %q, %v", got, ok)
	}
}

// fuzzPolicy is the scope policy FuzzScopePolicy reads bodies with; its
// small body limit lets the fuzzer reach the 413 path.
var fuzzPolicy = &ScopePolicy{
	Methods:      map[string][]string{"tools/call": {"tools"}, "resources/read": {"resources"}},
	Tools:        map[string][]string{"create-todo": {"create:todos"}, "delete-todo": {"delete:todos"}},
	Prompts:      map[string][]string{"secret": {"prompts:secret"}},
	Resources:    map[string][]string{"file:///secret": {"files:secret"}},
	MaxBodyBytes: 4 << 10,
}

var compiledFuzzPolicy, _ = fuzzPolicy.compile()

// jsonMessage is how a JSON-RPC server built on encoding/json reads a
// message: member names matched case-insensitively, the last duplicate
// winning, any nesting up to encoding/json's own limit.
type jsonMessage struct {
	Method string `json:"method"`
	Params struct {
		Name string `json:"name"`
		URI  string `json:"uri"`
	} `json:"params"`
}

// FuzzScopePolicy reads arbitrary bodies with the scope policy: never a
// panic; the body always restored byte for byte for the next handler; never
// fewer scopes than the base requirement; a refusal only as 400 or 413 (413
// exactly for bodies over the limit); and, differentially, every scope a
// server decoding the body with encoding/json would need for the operation
// it then executes is among the scopes the policy requires.
func FuzzScopePolicy(f *testing.F) {
	base := []string{"mcp"}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := http.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		got, e := compiledFuzzPolicy.scopesFor(r, base)
		if restored, err := io.ReadAll(r.Body); err != nil || !bytes.Equal(restored, body) {
			t.Fatalf("body not restored: %q, want %q", restored, body)
		}
		tooLarge := int64(len(body)) > fuzzPolicy.MaxBodyBytes
		if e != nil {
			if (e.Code == CodeRequestTooLarge) != tooLarge || (e.Code != CodeRequestTooLarge && e.Code != CodeInvalidRequest) {
				t.Fatalf("refused a %d-byte body with %s", len(body), e.Code)
			}
			return
		}
		if tooLarge {
			t.Fatalf("a %d-byte body read", len(body))
		}
		if len(got) < len(base) || !slices.Equal(got[:len(base)], base) {
			t.Fatalf("scopes %q do not start with the base %q", got, base)
		}
		for _, need := range scopesNeeded(body) {
			if !slices.Contains(got, need) {
				t.Fatalf("the policy requires %q for %s, but the operation needs %q", got, body, need)
			}
		}
	})
}

// scopesNeeded returns the scopes of fuzzPolicy for the operations a server
// using encoding/json would execute from body (a message or a batch).
func scopesNeeded(body []byte) []string {
	var batch []jsonMessage
	if json.Unmarshal(body, &batch) != nil {
		var one jsonMessage
		if json.Unmarshal(body, &one) != nil {
			return nil
		}
		batch = []jsonMessage{one}
	}
	var need []string
	for _, m := range batch {
		need = append(need, fuzzPolicy.Methods[m.Method]...)
		switch m.Method {
		case "tools/call":
			need = append(need, fuzzPolicy.Tools[m.Params.Name]...)
		case "prompts/get":
			need = append(need, fuzzPolicy.Prompts[m.Params.Name]...)
		case "resources/read", "resources/subscribe", "resources/unsubscribe":
			need = append(need, fuzzPolicy.Resources[m.Params.URI]...)
		}
	}
	return need
}
