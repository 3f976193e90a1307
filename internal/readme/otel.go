package readme

import (
	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/otelauth"
)

func newAuthWithTelemetry(resources []mcpauth.ProtectedResource) (*mcpauth.Auth, error) {
	hooks, err := otelauth.Hooks(nil) // the global MeterProvider, or &otelauth.Config{MeterProvider: mp}
	if err != nil {
		return nil, err
	}
	return mcpauth.New(mcpauth.Config{ProtectedResources: resources, Hooks: hooks})
}
