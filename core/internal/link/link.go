// Package link hands package adapter the entry points of package mcpauth
// that only framework adapters use, so that they stay out of mcpauth's API.
// Package mcpauth sets each variable when it is initialised, with the type
// given in its comment; package adapter, which imports mcpauth, reads them
// after that.
package link

import "net/http"

// Route is one well-known route: its decoded path (as routers match it),
// its escaped path (as it appears in URLs) and its handler.
type Route struct {
	Path, EscapedPath string
	Handler           http.Handler
}

var (
	// Authenticate is func(*mcpauth.Bearer, http.Header, *http.Request) (*http.Request, *mcpauth.AuthInfo, error).
	Authenticate any
	// Refusal is func(err error, h http.Header, r *http.Request) *mcpauth.Error.
	Refusal any
	// MetadataRoutes is func(*mcpauth.Auth) []Route.
	MetadataRoutes any
)
