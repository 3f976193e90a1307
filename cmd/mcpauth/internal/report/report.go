// Package report is what every mcpauth subcommand prints: findings, each
// PASS, WARN, FAIL or INFO with the rule it checks, sections of further
// output (a decoded token, Go code), as text for people or JSON for
// programs, and the exit status they mean.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Status is the verdict of one finding.
type Status string

// The statuses, from best to worst; INFO tells without judging.
const (
	Pass Status = "PASS"
	Info Status = "INFO"
	Warn Status = "WARN"
	Fail Status = "FAIL"
)

// Exit statuses of the command.
const (
	ExitOK       = 0  // every finding passed (or informs)
	ExitWarnings = 1  // usable, with warnings
	ExitFailed   = 2  // at least one failure: not usable
	ExitUsage    = 64 // the command line is wrong (sysexits' EX_USAGE)
)

// Finding is one check and its verdict.
type Finding struct {
	// Status is the verdict.
	Status Status `json:"status"`
	// Check names what was checked, short and stable, for programs
	// ("discovery", "issuer", "pkce", "challenge", …).
	Check string `json:"check"`
	// Summary is one sentence for people: what was seen, and for WARN and
	// FAIL what to do.
	Summary string `json:"summary"`
	// Spec is the rule, by document and section ("RFC 8414 §3.3", "MCP
	// 2025-11-25 Authorization"), when there is one.
	Spec string `json:"spec,omitempty"`
	// Code is a machine-readable code from the library, when there is one
	// (a validation finding's, a refusal's).
	Code string `json:"code,omitempty"`
	// Details are further lines: URLs tried, values seen.
	Details []string `json:"details,omitempty"`
}

// Section is further output: a decoded token, the Go configuration to use.
type Section struct {
	// Name titles it.
	Name string `json:"name"`
	// Text is its text form.
	Text string `json:"text,omitempty"`
	// Data, when set, is its JSON form (Text is then for people only).
	Data any `json:"data,omitempty"`
}

// Report is one command's output.
type Report struct {
	// Command is the subcommand ("check", "probe", "token").
	Command string `json:"command"`
	// Target is what it was run on: an issuer, a URL, a token's summary.
	Target string `json:"target"`
	// Findings are in the order they were made.
	Findings []Finding `json:"findings"`
	// Sections follow the findings.
	Sections []Section `json:"sections,omitempty"`
	// Result is the verdict in words, set by Finish.
	Result string `json:"result"`
	// ExitStatus is the command's exit status, set by Finish.
	ExitStatus int `json:"exitStatus"`
}

// New starts a report of command on target.
func New(command, target string) *Report {
	return &Report{Command: command, Target: target, Findings: []Finding{}}
}

// Add records a finding.
func (r *Report) Add(f Finding) { r.Findings = append(r.Findings, f) }

// Addf records a finding whose summary is formatted.
func (r *Report) Addf(status Status, check, spec, format string, args ...any) {
	r.Add(Finding{Status: status, Check: check, Spec: spec, Summary: fmt.Sprintf(format, args...)})
}

// AddSection adds further output.
func (r *Report) AddSection(s Section) { r.Sections = append(r.Sections, s) }

// Count returns how many findings have status.
func (r *Report) Count(status Status) int {
	n := 0
	for _, f := range r.Findings {
		if f.Status == status {
			n++
		}
	}
	return n
}

// Finish sets Result and ExitStatus from the findings: any FAIL is
// ExitFailed, else any WARN is ExitWarnings, else ExitOK. ok, warned and
// failed are the words for each (for example "usable", "usable with
// warnings", "not usable").
func (r *Report) Finish(ok, warned, failed string) {
	fails, warns := r.Count(Fail), r.Count(Warn)
	switch {
	case fails > 0:
		r.ExitStatus, r.Result = ExitFailed, fmt.Sprintf("%s (%s, %s)", failed, Plural(fails, "failure"), Plural(warns, "warning"))
	case warns > 0:
		r.ExitStatus, r.Result = ExitWarnings, fmt.Sprintf("%s (%s)", warned, Plural(warns, "warning"))
	default:
		r.ExitStatus, r.Result = ExitOK, ok
	}
}

// Plural returns "1 word" or "n words".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// WriteText writes the report for people: a title line, one line per
// finding (status, check, summary, spec) with its details indented, the
// sections, and the result.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "mcpauth %s %s\n\n", r.Command, r.Target)
	width := 0
	for _, f := range r.Findings {
		width = max(width, len(f.Check))
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%-4s  %-*s  %s", f.Status, width, f.Check, f.Summary)
		if f.Spec != "" {
			fmt.Fprintf(&b, " [%s]", f.Spec)
		}
		if f.Code != "" {
			fmt.Fprintf(&b, " (%s)", f.Code)
		}
		b.WriteByte('\n')
		for _, d := range f.Details {
			fmt.Fprintf(&b, "      %*s  %s\n", width, "", d)
		}
	}
	for _, s := range r.Sections {
		fmt.Fprintf(&b, "\n== %s ==\n%s", s.Name, s.Text)
		if !strings.HasSuffix(s.Text, "\n") {
			b.WriteByte('\n')
		}
	}
	if r.Result != "" {
		fmt.Fprintf(&b, "\nResult: %s\n", r.Result)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as one indented JSON object.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Write writes the report as JSON when asJSON, else as text.
func (r *Report) Write(w io.Writer, asJSON bool) error {
	if asJSON {
		return r.WriteJSON(w)
	}
	return r.WriteText(w)
}
