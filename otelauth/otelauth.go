// Package otelauth reports what MCP Auth does to OpenTelemetry: metrics of
// every decision (by outcome, error code and resource), of the time taken,
// of the verified-token cache and of outbound fetches (discovery, key sets,
// introspection), and attributes on the request's span. It builds
// [mcpauth.Hooks]; core itself depends on no telemetry library.
//
//	hooks, err := otelauth.Hooks(nil) // the global MeterProvider
//	if err != nil { ... }
//	auth, err := mcpauth.New(mcpauth.Config{Hooks: hooks, ...})
//
// The token is never recorded; neither is the subject, which may identify
// a person. Span attributes are set only on a span that is recording (the
// one an HTTP instrumentation such as otelhttp started for the request).
package otelauth

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	mcpauth "github.com/mcp-auth/go/core"
)

// ScopeName is the instrumentation scope of the meter.
const ScopeName = "github.com/mcp-auth/go/otelauth"

// Attribute keys, on metrics and spans.
const (
	// AttrOutcome is "accepted" or "refused" (a decision), "ok" or "error" (a fetch).
	AttrOutcome = attribute.Key("mcpauth.outcome")
	// AttrErrorCode is the refusal's mcpauth.Code ("" when accepted).
	AttrErrorCode = attribute.Key("mcpauth.error_code")
	// AttrResource is the resource identifier.
	AttrResource = attribute.Key("mcpauth.resource")
	// AttrIssuer is the token's issuer (spans) or the fetch's (metrics).
	AttrIssuer = attribute.Key("mcpauth.issuer")
	// AttrClientID is the token's client (spans only).
	AttrClientID = attribute.Key("mcpauth.client_id")
	// AttrFetchKind is "discovery", "jwks" or "introspection".
	AttrFetchKind = attribute.Key("mcpauth.fetch.kind")
	// AttrCacheResult is "hit" or "miss".
	AttrCacheResult = attribute.Key("mcpauth.token_cache.result")
)

// Config configures [Hooks]. A nil *Config means the defaults.
type Config struct {
	// MeterProvider provides the meter; nil means otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
}

// instruments are the metrics the hooks record.
type instruments struct {
	decisions     metric.Int64Counter
	decisionTime  metric.Float64Histogram
	cacheLookups  metric.Int64Counter
	fetches       metric.Int64Counter
	fetchDuration metric.Float64Histogram
}

// Hooks returns hooks recording, with the meter of cfg's MeterProvider:
//
//   - mcpauth.decisions (counter, {request}): every decision, by outcome,
//     error code and resource;
//   - mcpauth.decision.duration (histogram, s): the time each took, by
//     outcome and resource;
//   - mcpauth.token_cache.lookups (counter, {lookup}): verified-token cache
//     hits and misses, by resource;
//   - mcpauth.fetches (counter, {fetch}): outbound fetches by kind, outcome
//     and issuer;
//   - mcpauth.fetch.duration (histogram, s): their time, by kind and outcome;
//
// and, on the request's span when it is recording, the attributes outcome,
// error code, resource, issuer and client ID of the decision.
func Hooks(cfg *Config) (mcpauth.Hooks, error) {
	mp := otel.GetMeterProvider()
	if cfg != nil && cfg.MeterProvider != nil {
		mp = cfg.MeterProvider
	}
	m := mp.Meter(ScopeName)
	var in instruments
	var err error
	if in.decisions, err = m.Int64Counter("mcpauth.decisions", metric.WithUnit("{request}"),
		metric.WithDescription("Requests decided by MCP Auth's bearer middleware.")); err != nil {
		return mcpauth.Hooks{}, fmt.Errorf("otelauth: %w", err)
	}
	if in.decisionTime, err = m.Float64Histogram("mcpauth.decision.duration", metric.WithUnit("s"),
		metric.WithDescription("Time MCP Auth took to decide on a request.")); err != nil {
		return mcpauth.Hooks{}, fmt.Errorf("otelauth: %w", err)
	}
	if in.cacheLookups, err = m.Int64Counter("mcpauth.token_cache.lookups", metric.WithUnit("{lookup}"),
		metric.WithDescription("Lookups of the verified-token cache.")); err != nil {
		return mcpauth.Hooks{}, fmt.Errorf("otelauth: %w", err)
	}
	if in.fetches, err = m.Int64Counter("mcpauth.fetches", metric.WithUnit("{fetch}"),
		metric.WithDescription("Outbound fetches of authorization-server metadata, key sets and introspection.")); err != nil {
		return mcpauth.Hooks{}, fmt.Errorf("otelauth: %w", err)
	}
	if in.fetchDuration, err = m.Float64Histogram("mcpauth.fetch.duration", metric.WithUnit("s"),
		metric.WithDescription("Time of outbound fetches.")); err != nil {
		return mcpauth.Hooks{}, fmt.Errorf("otelauth: %w", err)
	}
	return mcpauth.Hooks{OnDecision: in.decision, OnFetch: in.fetch}, nil
}

func (in *instruments) decision(ctx context.Context, d mcpauth.Decision) {
	outcome, code := "accepted", ""
	if d.Err != nil {
		outcome, code = "refused", string(d.Err.Code)
	}
	resource := AttrResource.String(d.Resource)
	in.decisions.Add(ctx, 1, metric.WithAttributes(AttrOutcome.String(outcome), AttrErrorCode.String(code), resource))
	in.decisionTime.Record(ctx, d.Duration.Seconds(), metric.WithAttributes(AttrOutcome.String(outcome), resource))
	if d.TokenCache != "" {
		in.cacheLookups.Add(ctx, 1, metric.WithAttributes(AttrCacheResult.String(d.TokenCache), resource))
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	attrs := []attribute.KeyValue{AttrOutcome.String(outcome), resource}
	if code != "" {
		attrs = append(attrs, AttrErrorCode.String(code))
	}
	if d.Info != nil {
		attrs = append(attrs, AttrIssuer.String(d.Info.Issuer))
		if d.Info.ClientID != "" {
			attrs = append(attrs, AttrClientID.String(d.Info.ClientID))
		}
	}
	span.SetAttributes(attrs...)
}

func (in *instruments) fetch(ctx context.Context, f mcpauth.Fetch) {
	outcome := "ok"
	if f.Err != nil {
		outcome = "error"
	}
	kind := AttrFetchKind.String(string(f.Kind))
	in.fetches.Add(ctx, 1, metric.WithAttributes(kind, AttrOutcome.String(outcome), AttrIssuer.String(f.Issuer)))
	in.fetchDuration.Record(ctx, f.Duration.Seconds(), metric.WithAttributes(kind, AttrOutcome.String(outcome)))
}
