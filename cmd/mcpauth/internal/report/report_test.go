package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestFinish(t *testing.T) {
	for _, tt := range []struct {
		statuses []Status
		exit     int
		result   string
	}{
		{nil, ExitOK, "usable"},
		{[]Status{Pass, Info}, ExitOK, "usable"},
		{[]Status{Pass, Warn}, ExitWarnings, "usable with warnings (1 warning)"},
		{[]Status{Warn, Warn, Fail}, ExitFailed, "not usable (1 failure, 2 warnings)"},
	} {
		r := New("check", "x")
		for _, s := range tt.statuses {
			r.Add(Finding{Status: s, Check: "c"})
		}
		r.Finish("usable", "usable with warnings", "not usable")
		if r.ExitStatus != tt.exit || r.Result != tt.result {
			t.Errorf("%v: %d %q", tt.statuses, r.ExitStatus, r.Result)
		}
	}
}

func TestWrite(t *testing.T) {
	r := New("probe", "https://mcp.example.com/mcp")
	r.Add(Finding{Status: Pass, Check: "challenge", Summary: "401 with a Bearer challenge", Spec: "RFC 9728 §5.1", Details: []string{"resource_metadata=…"}})
	r.Addf(Fail, "resource", "MCP 2025-11-25 Authorization", "resource %q is not the URL", "https://other")
	r.AddSection(Section{Name: "token", Text: "header …", Data: map[string]any{"alg": "ES256"}})
	r.Finish("all passed", "passed with warnings", "failed")
	var text bytes.Buffer
	r.WriteText(&text)
	want := "mcpauth probe https://mcp.example.com/mcp\n\n" +
		"PASS  challenge  401 with a Bearer challenge [RFC 9728 §5.1]\n" +
		"                 resource_metadata=…\n" +
		"FAIL  resource   resource \"https://other\" is not the URL [MCP 2025-11-25 Authorization]\n" +
		"\n== token ==\nheader …\n\nResult: failed (1 failure, 0 warnings)\n"
	if text.String() != want {
		t.Fatalf("text:\n%s\nwant:\n%s", text.String(), want)
	}
	var out bytes.Buffer
	if err := r.Write(&out, true); err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(out.Bytes(), &back); err != nil || back.ExitStatus != ExitFailed || len(back.Findings) != 2 ||
		back.Findings[1].Spec != "MCP 2025-11-25 Authorization" || !strings.Contains(out.String(), `"alg": "ES256"`) {
		t.Fatalf("json %s (%v)", out.String(), err)
	}
}
