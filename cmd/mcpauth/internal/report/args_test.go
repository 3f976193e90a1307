package report

import (
	"flag"
	"io"
	"slices"
	"testing"
)

func TestParseArgs(t *testing.T) {
	for _, tt := range []struct {
		args       []string
		positional []string
		json       bool
		scope      string
	}{
		{[]string{"https://a"}, []string{"https://a"}, false, ""},
		{[]string{"--json", "https://a"}, []string{"https://a"}, true, ""},
		{[]string{"https://a", "--json", "-scope", "x"}, []string{"https://a"}, true, "x"},
		{[]string{"https://a", "b", "--json"}, []string{"https://a", "b"}, true, ""},
		{[]string{"--", "-not-a-flag"}, []string{"-not-a-flag"}, false, ""},
		{[]string{"a", "--json", "--", "-x", "--json"}, []string{"a", "-x", "--json"}, true, ""},
	} {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		asJSON := fs.Bool("json", false, "")
		scope := fs.String("scope", "", "")
		got, err := ParseArgs(fs, tt.args)
		if err != nil || !slices.Equal(got, tt.positional) || *asJSON != tt.json || *scope != tt.scope {
			t.Errorf("%v: %v %v json=%v scope=%q", tt.args, got, err, *asJSON, *scope)
		}
	}
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := ParseArgs(fs, []string{"a", "--nope"}); err == nil {
		t.Error("an unknown flag after a positional argument was accepted")
	}
}
