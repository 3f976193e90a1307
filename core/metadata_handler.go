package mcpauth

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
)

// metadataRoute is one well-known route the server must answer: a path
// (matched exactly, whatever the host) and its handler. Adapters register
// each route natively (package adapter); [Auth.MetadataHandler] serves them
// all.
type metadataRoute struct {
	path        string // decoded, as routers match it (r.URL.Path)
	escapedPath string // as it appears in URLs (differs for /caf%C3%A9)
	// handler answers GET and HEAD with the document (200,
	// application/json, Access-Control-Allow-Origin: *), OPTIONS with a CORS
	// preflight answer (204), and other methods with 405 and an Allow header.
	handler http.Handler
}

// metadataMethods are the methods the metadata routes answer.
const metadataMethods = "GET, HEAD, OPTIONS"

type metadataHandler struct {
	routes []metadataRoute
	byPath map[string]http.Handler
}

func newMetadataHandler(a *Auth) *metadataHandler {
	h := &metadataHandler{byPath: map[string]http.Handler{}}
	add := func(escaped string, handler http.Handler) {
		if _, dup := h.byPath[escaped]; dup {
			return
		}
		path, err := url.PathUnescape(escaped)
		if err != nil {
			path = escaped
		}
		h.byPath[escaped] = handler
		h.routes = append(h.routes, metadataRoute{path: path, escapedPath: escaped, handler: handler})
	}
	if a.legacy {
		add(OAuthWellKnownPath, &legacyMetadata{server: a.legacyServer(), auth: a})
		return h
	}
	for _, r := range a.resources {
		add(r.metadataPath, staticDocument(r.document))
	}
	// The root form, for clients that try it after the path-inserted one.
	if len(a.resources) == 1 {
		add(ProtectedResourceWellKnownPath, staticDocument(a.resources[0].document))
	}
	return h
}

// MetadataHandler returns an http.Handler serving the well-known routes and
// answering 404 for any other path. Mount it at "/.well-known/" (or wrap
// your router's not-found handler with it). The routes are, for each
// resource, its path-inserted protected resource metadata URL (RFC 9728
// §3.1), and the root /.well-known/oauth-protected-resource for the
// resource at the root or when only one resource is configured; in legacy
// mode, /.well-known/oauth-authorization-server. Each answers GET and HEAD
// with the document (200, application/json, Access-Control-Allow-Origin:
// *), OPTIONS with a CORS preflight answer (204), and other methods with
// 405 and an Allow header.
func (a *Auth) MetadataHandler() http.Handler {
	if a == nil {
		panic(fmt.Errorf("mcpauth.Auth.MetadataHandler: %w", errNilAuth))
	}
	a.metadataUsed.Store(true)
	return a.metadata
}

// ServeHTTP serves the route for r's path. Routes are kept in escaped form
// (a resource at /caf%C3%A9 has its metadata at
// /.well-known/oauth-protected-resource/caf%C3%A9, the URL challenges
// name), so the escaped path is looked up too.
func (h *metadataHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	handler, ok := h.byPath[r.URL.Path]
	if !ok {
		handler, ok = h.byPath[r.URL.EscapedPath()]
	}
	if ok {
		handler.ServeHTTP(w, r)
		return
	}
	http.NotFound(w, r)
}

// staticDocument serves a pre-marshalled JSON document.
func staticDocument(doc []byte) http.Handler {
	length := strconv.Itoa(len(doc))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !metadataPreamble(w, r) {
			return
		}
		w.Header().Set("Content-Length", length)
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			w.Write(doc)
		}
	})
}

// metadataPreamble answers OPTIONS and unsupported methods, and sets the
// headers of a GET or HEAD answer. It reports whether the caller should
// write the document.
func metadataPreamble(w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.Set("Content-Type", "application/json")
		return true
	case http.MethodOptions:
		h.Set("Access-Control-Allow-Methods", metadataMethods)
		h.Set("Access-Control-Allow-Headers", "*")
		h.Set("Access-Control-Max-Age", "86400")
		h.Set("Allow", metadataMethods)
		w.WriteHeader(http.StatusNoContent)
		return false
	}
	h.Set("Allow", metadataMethods)
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// legacyMetadata serves the authorization server's metadata on the MCP
// server itself (MCP 2025-03-26), fetching it first if it is lazy.
type legacyMetadata struct {
	server *AuthServer
	auth   *Auth
	cache  atomic.Pointer[legacyDoc]
}

type legacyDoc struct {
	cfg *ServerConfig
	doc []byte
}

func (l *legacyMetadata) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !metadataPreamble(w, r) {
		return
	}
	cfg, err := l.auth.serverConfig(r.Context(), l.server)
	if err != nil {
		w.Header().Del("Content-Type")
		WriteError(w, r, serverConfigError(l.server, err))
		return
	}
	d := l.cache.Load()
	if d == nil || d.cfg != cfg {
		doc, err := cfg.Metadata.MarshalJSON()
		if err != nil {
			WriteError(w, r, newError(CodeServerError, "The authorization server's metadata cannot be served.", err))
			return
		}
		d = &legacyDoc{cfg: cfg, doc: doc}
		l.cache.Store(d)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(d.doc)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(d.doc)
	}
}
