package otelauth_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/otelauth"
)

const resource = "https://mcp.example.com/mcp"

// setup protects a handler with hooks recording into a manual reader, and
// returns a function sending one request (with token, "" for none) inside a
// recorded span.
func setup(t *testing.T) (*authtest.Server, *sdkmetric.ManualReader, *tracetest.SpanRecorder, func(token string) int) {
	as := authtest.NewServer(&authtest.Options{Audience: resource})
	t.Cleanup(as.Close)
	reader := sdkmetric.NewManualReader()
	hooks, err := otelauth.Hooks(&otelauth.Config{MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := mcpauth.New(mcpauth.Config{Hooks: hooks, Logger: slog.New(slog.DiscardHandler), ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: resource},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	spans := tracetest.NewSpanRecorder()
	tracer := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)).Tracer("test")
	h := auth.Middleware(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	send := func(token string) int {
		ctx, span := tracer.Start(context.Background(), "request")
		defer span.End()
		req := httptest.NewRequestWithContext(ctx, "POST", resource, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	return as, reader, spans, send
}

// sums returns the data points of the counter name, by their attribute set.
func sums(t *testing.T, reader *sdkmetric.ManualReader, name string) map[attribute.Distinct]metricdata.DataPoint[int64] {
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	out := map[attribute.Distinct]metricdata.DataPoint[int64]{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				out[dp.Attributes.Equivalent()] = dp
			}
		}
	}
	return out
}

func count(points map[attribute.Distinct]metricdata.DataPoint[int64], attrs ...attribute.KeyValue) int64 {
	set := attribute.NewSet(attrs...)
	return points[set.Equivalent()].Value
}

func TestDecisionMetrics(t *testing.T) {
	as, reader, _, send := setup(t)
	token := as.Mint(nil)
	for _, tok := range []string{token, token, token, "", as.Mint(authtest.Claims{"aud": "https://other.example.com"})} {
		send(tok)
	}
	res := otelauth.AttrResource.String(resource)
	decisions := sums(t, reader, "mcpauth.decisions")
	if n := count(decisions, otelauth.AttrOutcome.String("accepted"), otelauth.AttrErrorCode.String(""), res); n != 3 {
		t.Errorf("accepted %d, want 3", n)
	}
	if n := count(decisions, otelauth.AttrOutcome.String("refused"), otelauth.AttrErrorCode.String("missing_auth_header"), res); n != 1 {
		t.Errorf("missing_auth_header %d, want 1", n)
	}
	if n := count(decisions, otelauth.AttrOutcome.String("refused"), otelauth.AttrErrorCode.String("invalid_audience"), res); n != 1 {
		t.Errorf("invalid_audience %d, want 1", n)
	}
	cache := sums(t, reader, "mcpauth.token_cache.lookups")
	if hit, miss := count(cache, otelauth.AttrCacheResult.String("hit"), res), count(cache, otelauth.AttrCacheResult.String("miss"), res); hit != 2 || miss != 2 {
		t.Errorf("cache hits %d misses %d, want 2 and 2", hit, miss)
	}
	fetches := sums(t, reader, "mcpauth.fetches")
	iss := otelauth.AttrIssuer.String(as.Issuer)
	if d, k := count(fetches, otelauth.AttrFetchKind.String("discovery"), otelauth.AttrOutcome.String("ok"), iss),
		count(fetches, otelauth.AttrFetchKind.String("jwks"), otelauth.AttrOutcome.String("ok"), iss); d != 1 || k != 1 {
		t.Errorf("discovery fetches %d, key-set fetches %d, want 1 and 1", d, k)
	}
	var rm metricdata.ResourceMetrics
	reader.Collect(context.Background(), &rm)
	for _, m := range rm.ScopeMetrics[0].Metrics {
		if m.Name == "mcpauth.decision.duration" {
			var n uint64
			for _, dp := range m.Data.(metricdata.Histogram[float64]).DataPoints {
				n += dp.Count
			}
			if n != 5 {
				t.Errorf("%d durations recorded, want 5", n)
			}
			return
		}
	}
	t.Error("no mcpauth.decision.duration")
}

func TestFetchFailureMetrics(t *testing.T) {
	as, reader, _, send := setup(t)
	token := as.Mint(nil)
	as.Stop()
	if code := send(token); code != 503 {
		t.Fatalf("status %d", code)
	}
	fetches := sums(t, reader, "mcpauth.fetches")
	if n := count(fetches, otelauth.AttrFetchKind.String("discovery"), otelauth.AttrOutcome.String("error"), otelauth.AttrIssuer.String(as.Issuer)); n != 1 {
		t.Errorf("failed discoveries %d, want 1", n)
	}
}

func TestSpanAttributes(t *testing.T) {
	as, _, spans, send := setup(t)
	token := as.Mint(authtest.Claims{"client_id": "app"})
	send(token)
	send("")
	ended := spans.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans", len(ended))
	}
	want := []map[attribute.Key]string{
		{otelauth.AttrOutcome: "accepted", otelauth.AttrResource: resource, otelauth.AttrIssuer: as.Issuer, otelauth.AttrClientID: "app"},
		{otelauth.AttrOutcome: "refused", otelauth.AttrResource: resource, otelauth.AttrErrorCode: "missing_auth_header"},
	}
	for i, s := range ended {
		got := map[attribute.Key]string{}
		for _, kv := range s.Attributes() {
			got[kv.Key] = kv.Value.Emit()
			if kv.Value.Emit() == token {
				t.Fatal("the token was recorded")
			}
		}
		for k, v := range want[i] {
			if got[k] != v {
				t.Errorf("span %d: %s = %q, want %q (all: %v)", i, k, got[k], v, got)
			}
		}
		if len(got) != len(want[i]) {
			t.Errorf("span %d: attributes %v", i, got)
		}
	}
}
