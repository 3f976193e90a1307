// Package probe is "mcpauth probe <mcp-url>": it acts as an MCP client
// against any MCP server over HTTP, whatever its language, and reports
// whether the server's authorization answers the way MCP clients expect.
//
// Without credentials it checks what every client meets first:
//
//   - an unauthenticated initialize gets 401 with a parseable Bearer
//     challenge carrying resource_metadata (and, preferably, scope);
//   - the protected resource metadata (RFC 9728) is served at the
//     challenge's URL and at both well-known locations, and they agree;
//   - its resource is the URL, or an origin-and-path prefix of it, as the
//     TypeScript SDK demands;
//   - each authorization server it lists can be discovered and is usable
//     (mcpauth.FetchServerConfig and mcpauth.ValidateServerConfig);
//   - offline_access is not advertised, bearer tokens travel in the header.
//
// With -client-id and -client-secret (a client_credentials token from the
// first authorization server, for the metadata's resource) or -token, it
// goes on: initialize and tools/list succeed with the token, an invalid and
// a forged token get 401 invalid_token, and with -step-up-tool a call of
// that tool without its scope gets 403 insufficient_scope naming the scope.
//
// Each check is a report.Finding citing its rule; the command exits 0 when
// everything passed, 1 with warnings, 2 with a failure and 64 on a wrong
// command line. It speaks JSON-RPC over HTTP itself (no MCP SDK), reads at
// most 1 MiB of any answer, follows redirects only within an origin, and
// bounds each request by -timeout (10 s by default), not the whole run,
// which makes about twenty requests (a few more per authorization server).
package probe
