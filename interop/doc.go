// Package interop holds MCP Auth for Go's interoperability tests: the
// example servers and the mcpauth command, built with go build and run as
// processes, against real third-party peers.
//
//   - oidc-provider 9.13.3, an OpenID Certified authorization server
//     (js/authorization-server.mjs), issuing RFC 9068 JWT access tokens for
//     RFC 8707 resources, and opaque ones checked by introspection, bound
//     to the client's key (RFC 9449 DPoP) when asked for with a proof;
//   - the MCP TypeScript SDK 1.32.2 client (js/mcp-client.mjs), whose
//     ClientCredentialsProvider walks the whole authorization flow;
//   - the MCP Inspector CLI 1.0.3;
//   - panva's dpop 2.1.2 (js/dpop-client.mjs), which makes the ES256 key
//     pair and the RFC 9449 proofs of a DPoP client: DPoP-bound tokens
//     from oidc-provider, the TypeScript SDK client's requests each with a
//     proof, and the refusals a DPoP resource owes (replay, a proof for
//     another URL, method or key, a bound token sent as a bearer token);
//   - mcp-auth 0.2.0, the JavaScript library, on Express 5 with the
//     TypeScript SDK's server (js/mcp-auth-server.mjs), which the mcpauth
//     command's probe judges (mcpauth_test.go, with probe, check and token
//     against the examples and oidc-provider);
//   - Ory Hydra v2.3.0 (with the build tag hydra, run by make interop),
//     built from the Go module proxy in the tools module ./hydra.
//
// The npm packages are pinned in package.json and package-lock.json; the
// tests run npm ci themselves when node_modules is missing or stale, and
// fail with a clear message when Node.js 20 or npm is missing. Every process
// is started in its own process group on a loopback address and stopped by
// the test that started it.
package interop
