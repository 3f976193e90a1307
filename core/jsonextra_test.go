package mcpauth

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMetadataExtraMembers(t *testing.T) {
	in := `{"issuer":"https://a.example","response_types_supported":["code"],"claims_parameter_supported":false,"z_custom":[1,2],"a_custom":{"x":"y"}}`
	var md AuthorizationServerMetadata
	if err := json.Unmarshal([]byte(in), &md); err != nil {
		t.Fatal(err)
	}
	if md.ClaimsParameterSupported == nil || *md.ClaimsParameterSupported {
		t.Error("explicit false lost")
	}
	if len(md.Extra) != 2 || string(md.Extra["z_custom"]) != "[1,2]" {
		t.Errorf("extra = %v", md.Extra)
	}
	out, _ := json.Marshal(md)
	want := `{"issuer":"https://a.example","response_types_supported":["code"],"claims_parameter_supported":false,"a_custom":{"x":"y"},"z_custom":[1,2]}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	// A declared field wins over an Extra member of the same name; invalid raw JSON is dropped.
	md.Extra["issuer"] = json.RawMessage(`"https://evil.example"`)
	md.Extra["broken"] = json.RawMessage(`{`)
	out, _ = json.Marshal(md)
	if strings.Contains(string(out), "evil") || strings.Contains(string(out), "broken") {
		t.Errorf("got %s", out)
	}
	// An empty document with only extras.
	out, _ = json.Marshal(AuthorizationServerMetadata{Extra: map[string]json.RawMessage{"k": json.RawMessage(`1`)}})
	if string(out) != `{"issuer":"","k":1}` {
		t.Errorf("got %s", out)
	}
}
