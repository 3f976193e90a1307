package check

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxShown is the longest untrusted text printed as it is.
const maxShown = 300

// clean returns s, which came from the network, fit for a terminal: quoted
// (with escapes) when it holds anything but printable characters, and cut
// to maxShown characters.
func clean(s string) string {
	s, cut := clip(s)
	printable := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || r == unicode.ReplacementChar }) < 0
	if !printable {
		s = strconv.Quote(s)
	}
	if cut {
		s += "…"
	}
	return s
}

// clip cuts s to maxShown bytes, on a character boundary, and says whether
// it did.
func clip(s string) (string, bool) {
	if len(s) <= maxShown {
		return s, false
	}
	n := maxShown
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

// cleanErr is clean of an error's text, without the library's "mcpauth: "
// prefix.
func cleanErr(err error) string {
	return clean(strings.TrimPrefix(err.Error(), "mcpauth: "))
}

// quoteList formats values, which came from the network, as a list of
// quoted strings.
func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		s, cut := clip(v)
		q[i] = strconv.Quote(s)
		if cut {
			q[i] += "…"
		}
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// ordinal returns "1st", "2nd", "3rd", … for n ≥ 1.
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}
