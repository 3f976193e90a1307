package main

import (
	"testing"
	"time"

	"github.com/mcp-auth/go/examples/internal/apptest"
)

func TestExample(t *testing.T) {
	apptest.Run(t, run)
}

// TestSoak is the short soak of make test; make soak runs it longer.
func TestSoak(t *testing.T) {
	apptest.Soak(t, run, apptest.SoakDuration(3*time.Second))
}
