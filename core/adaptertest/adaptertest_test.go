package adaptertest

import "testing"

// The reference against itself: every case's absolute expectation holds for
// core's net/http middleware.
func TestNetHTTP(t *testing.T) {
	Run(t, NetHTTP)
}
