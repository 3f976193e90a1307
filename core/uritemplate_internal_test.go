package mcpauth

import (
	"strings"
	"testing"
)

func TestParseURITemplate(t *testing.T) {
	for _, ok := range []string{
		"file:///projects/{project}/notes/{note}",
		"db://{table}/{id}",
		"{whole}",
		"mem://{a.b}/{c_d}/{e%20f}",
		"plain:///no/variables",
	} {
		if _, err := parseURITemplate(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{
		"file:///{+path}", "file:///{#frag}", "file:///{.ext}", "file:///{/seg}", "file:///{;p}", "file:///{?q}", "file:///{&q}",
		"file:///{p:3}", "file:///{list*}", "file:///{a,b}", "file:///{}", "file:///{a", "file:///a}", "file:///{a.}", "file:///{.a}",
		"file:///{a..b}", "file:///{a%2}", "file:///{a b}",
	} {
		if _, err := parseURITemplate(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestURITemplateMatch(t *testing.T) {
	tests := []struct {
		template, uri string
		want          bool
	}{
		{"file:///projects/{project}/notes/{note}", "file:///projects/apollo/notes/n-1", true},
		{"file:///projects/{project}/notes/{note}", "file:///projects/apollo/notes/", true}, // an empty expansion
		{"file:///projects/{project}/notes/{note}", "file:///projects/a/b/notes/n", false},  // "/" is never inside a variable
		{"file:///projects/{project}/notes/{note}", "file:///projects/a%2Fb/notes/n", true},
		{"file:///projects/{project}/notes/{note}", "file:///projects/apollo/notes/n?x=1", false},
		{"file:///projects/{project}/notes/{note}", "file:///projects/apollo/notes/n#f", false},
		{"file:///projects/{project}/notes/{note}", "FILE:///projects/apollo/notes/n", false}, // literals compare exactly
		{"file:///projects/{project}/notes/{note}", "file:///projects/apollo/notes/n/extra", false},
		{"file:///projects/{project}/notes/{note}", "file:///projects/%zz/notes/n", false},
		{"db://{a}-{b}", "db://x-y-z", true}, // "-" is unreserved: backtracking finds a split
		{"db://{a}-{b}.json", "db://x-y.json", true},
		{"db://{a}-{b}.json", "db://x.json", false},
		{"x://{a}{b}", "x://ab", true},
		// Configuration is never a regular expression: metacharacters are literal.
		{"file:///a.b/(x)*/{n}", "file:///a.b/(x)*/1", true},
		{"file:///a.b/(x)*/{n}", "file:///aXb/xx/1", false},
		{"file:///^$|/{n}", "file:///^$|/1", true},
		{"{whole}", strings.Repeat("a", maxTemplateURI), true},
		{"{whole}", strings.Repeat("a", maxTemplateURI+1), false},
	}
	for _, tt := range tests {
		tmpl, err := parseURITemplate(tt.template)
		if err != nil {
			t.Fatal(err)
		}
		if got := tmpl.match(tt.uri); got != tt.want {
			t.Errorf("%s ~ %.60s: %v, want %v", tt.template, tt.uri, got, tt.want)
		}
	}
}

// TestURITemplateCost: a long URI of characters every variable may take,
// against a template whose literals recur in it, is decided quickly (each
// variable tried once per position).
func TestURITemplateCost(t *testing.T) {
	tmpl, _ := parseURITemplate("{a}a{b}a{c}a{d}b")
	uri := strings.Repeat("a", maxTemplateURI)
	if tmpl.match(uri) {
		t.Fatal("matched")
	}
}

func TestResourceTemplatePrecedence(t *testing.T) {
	p, err := (&ScopePolicy{Resources: map[string][]string{
		"file:///projects/apollo/notes/readme":    {"exact"},
		"file:///projects/{project}/notes/{note}": {"notes"},
		"file:///projects/apollo/notes/{note}":    {"apollo"},
		"file:///projects/{project}/{kind}/{id}":  {"any"},
		"file:///{path}":                          {"top"},
	}}).compile()
	if err != nil {
		t.Fatal(err)
	}
	for uri, want := range map[string]string{
		"file:///projects/apollo/notes/readme": "exact",  // an exact entry wins
		"file:///projects/apollo/notes/n1":     "apollo", // the most literal text
		"file:///projects/gemini/notes/n1":     "notes",
		"file:///projects/gemini/tasks/t1":     "any",
		"file:///x":                            "top",
		"file:///projects/x":                   "",
		"https://elsewhere/x":                  "",
	} {
		if got := strings.Join(p.resourceScopes(uri), " "); got != want {
			t.Errorf("%s: %q, want %q", uri, got, want)
		}
	}
	// Equal specificity: fewer variables, then the template text, decide.
	a, _ := parseURITemplate("x://{a}/y")
	b, _ := parseURITemplate("x://{b}/y")
	c, _ := parseURITemplate("x://{a}{b}/y")
	if !moreSpecific(a, b) || moreSpecific(b, a) || !moreSpecific(a, c) {
		t.Fatal("tie-breaks")
	}
	if _, err := (&ScopePolicy{Resources: map[string][]string{"file:///{+path}": {"x"}}}).compile(); err == nil || !strings.Contains(err.Error(), "level-1") {
		t.Fatalf("an invalid template: %v", err)
	}
}
