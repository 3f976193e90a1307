package main

import (
	"testing"

	"github.com/mcp-auth/go/examples/internal/apptest"
)

func TestExample(t *testing.T) {
	apptest.Run(t, run)
}
