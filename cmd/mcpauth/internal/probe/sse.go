package probe

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

// errStreamEnded is returned when an event stream ends before the awaited
// event.
var errStreamEnded = errors.New("the event stream ended without the JSON-RPC response")

// readSSE reads a text/event-stream (the Server-Sent Events format of the
// HTML standard, as MCP's Streamable HTTP transport uses it) from r and
// calls accept with the data of each event, its data: lines joined by
// newlines, until accept returns true. Comments, event types, IDs and retry
// fields are skipped: the probe waits for one JSON-RPC response and never
// reconnects. r should be bounded (capReader); a line longer than maxBody
// is an error.
func readSSE(r io.Reader, accept func(data []byte) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxBody)
	var data bytes.Buffer
	hasData := false
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if hasData && accept(data.Bytes()) {
				return nil
			}
			data.Reset()
			hasData = false
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		if field != "data" {
			continue // a comment (":…"), event, id or retry
		}
		if hasData {
			data.WriteByte('\n')
		}
		data.WriteString(strings.TrimPrefix(value, " "))
		hasData = true
	}
	if err := sc.Err(); err != nil {
		return err
	}
	// The standard drops an event not ended by a blank line; a server that
	// closes the stream right after its last data line still meant it.
	if hasData && accept(data.Bytes()) {
		return nil
	}
	return errStreamEnded
}
