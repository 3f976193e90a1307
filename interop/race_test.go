//go:build unix && race

package interop

// raceEnabled reports whether the tests run with the race detector, in
// which case the example servers are built with it too.
const raceEnabled = true
