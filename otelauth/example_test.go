package otelauth_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/otelauth"
)

// Hooks in a configuration: every decision is counted. A real server passes
// its MeterProvider (or sets the global one) with an exporter.
func ExampleHooks() {
	as := authtest.NewServer(&authtest.Options{Audience: "https://mcp.example.com/mcp"})
	defer as.Close()
	reader := sdkmetric.NewManualReader()
	hooks, err := otelauth.Hooks(&otelauth.Config{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))})
	if err != nil {
		panic(err)
	}
	auth, err := mcpauth.New(mcpauth.Config{
		Hooks:  hooks,
		Logger: slog.New(slog.DiscardHandler),
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
			AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
		}},
	})
	if err != nil {
		panic(err)
	}
	defer auth.Close()
	protected := auth.Middleware(nil)(http.NotFoundHandler())
	protected.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "https://mcp.example.com/mcp", nil))

	var rm metricdata.ResourceMetrics
	reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name == "mcpauth.decisions" {
			dp := m.Data.(metricdata.Sum[int64]).DataPoints[0]
			code, _ := dp.Attributes.Value(otelauth.AttrErrorCode)
			fmt.Println(m.Name, dp.Value, code.Emit())
		}
	}
	// Output: mcpauth.decisions 1 missing_auth_header
}
