// Package interop holds MCP Auth for Go's interoperability tests: the
// example servers, built with go build and run as processes, against real
// third-party peers.
//
//   - oidc-provider 9.13.3, an OpenID Certified authorization server
//     (js/authorization-server.mjs), issuing RFC 9068 JWT access tokens for
//     RFC 8707 resources, and opaque ones checked by introspection;
//   - the MCP TypeScript SDK 1.32.2 client (js/mcp-client.mjs), whose
//     ClientCredentialsProvider walks the whole authorization flow;
//   - the MCP Inspector CLI 1.0.3;
//   - Ory Hydra v2.3.0 (with the build tag hydra, run by make interop),
//     built from the Go module proxy in the tools module ./hydra.
//
// The npm packages are pinned in package.json and package-lock.json; the
// tests run npm ci themselves when node_modules is missing or stale, and
// fail with a clear message when Node.js 20 or npm is missing. Every process
// is started in its own process group on a loopback address and stopped by
// the test that started it.
package interop
