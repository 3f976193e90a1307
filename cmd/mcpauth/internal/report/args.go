package report

import "flag"

// ParseArgs parses args with fs, allowing flags after the positional
// arguments too (mcpauth check https://issuer --json), and returns the
// positional ones. "--" ends the flags: everything after it is positional.
func ParseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}
