// Package token is "mcpauth token": it decodes a JWT access token without
// trusting it, explains its header and claims for people, and, given the
// MCP server's resource identifier (-resource) and the authorization server
// it trusts (-issuer), asks MCP Auth for Go's own bearer middleware whether
// it would accept the token, and if not which check refuses it, why, what
// the client would receive, and what to change.
//
// The verdict is never computed here: the token is presented to
// [mcpauth.Bearer.Authenticate] on a synthetic request, exactly as an MCP
// server built with the library would see it, so the command cannot drift
// from the library's checks. What this package decodes itself is for
// explanation only and is never trusted.
//
// A token is a credential. Pass it on standard input ("-") rather than as an
// argument, which ends up in shell history and in the process list:
//
//	pbpaste | mcpauth token -resource https://mcp.example.com/mcp -issuer https://auth.example.com -
//
// Output never holds the token itself, nor its signature (only the
// signature's length).
package token
