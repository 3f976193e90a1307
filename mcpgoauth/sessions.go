package mcpgoauth

import (
	"errors"
	"net/http"
	"sync"

	"github.com/mark3labs/mcp-go/server"

	mcpauth "github.com/mcp-auth/go/core"
)

// errOtherUser is the answer to a session ID presented by another user than
// the one who opened the session. mcp-go answers it as an unknown session
// (404), which tells the other user nothing about the session.
var errOtherUser = errors.New("mcpgoauth: the session belongs to another user")

// errNoIdentity is the answer to a session request that did not pass MCP
// Auth's middleware.
var errNoIdentity = errors.New("mcpgoauth: no verified identity on the request: mount mcpgoauth.Protect in front of the server")

// BindSessions returns the mcp-go option that binds each session (protocol
// revisions before 2026-07-28, which use Mcp-Session-Id) to the user who
// opened it, [mcpauth.AuthInfo.UserID]: a request of another user bearing
// that session ID is answered as for an unknown session (404), never served
// in it, so a session ID is never a credential. inner generates, validates
// and terminates the IDs themselves; nil means mcp-go's
// InsecureStatefulSessionIdManager. Requests must pass [Protect] first.
//
// The 2026-07-28 revision has no sessions (mcp-go ignores Mcp-Session-Id
// for it); state a stateless server hands clients must be bound to the user
// in the same way: see [StateBinder].
func BindSessions(inner server.SessionIdManager) server.StreamableHTTPOption {
	if inner == nil {
		inner = &server.InsecureStatefulSessionIdManager{}
	}
	return server.WithSessionIdManagerResolver(&sessionBinding{inner: inner})
}

// sessionBinding resolves, per request, a session manager that knows the
// request's user.
type sessionBinding struct {
	inner  server.SessionIdManager
	mu     sync.Mutex
	owners map[string]string // session ID -> UserID of its opener
}

// ResolveSessionIdManager returns the manager for r's user (r is nil when
// mcp-go sweeps idle sessions: that manager may only terminate).
func (b *sessionBinding) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	user := ""
	if r != nil {
		if info, ok := mcpauth.FromContext(r.Context()); ok {
			user = info.UserID()
		}
	}
	return &userSessions{b: b, user: user, sweep: r == nil}
}

func (b *sessionBinding) owner(id string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u, ok := b.owners[id]
	return u, ok
}

// userSessions is the session manager of one request's user.
type userSessions struct {
	b     *sessionBinding
	user  string
	sweep bool
}

// Generate makes a session ID and records the user as its owner. A request
// without an identity gets no session (an empty ID), which mcp-go then
// refuses to resume.
func (u *userSessions) Generate() string {
	if u.user == "" {
		return ""
	}
	id := u.b.inner.Generate()
	if id == "" {
		return ""
	}
	u.b.mu.Lock()
	defer u.b.mu.Unlock()
	if u.b.owners == nil {
		u.b.owners = map[string]string{}
	}
	u.b.owners[id] = u.user
	return id
}

// Validate accepts id only for the user who opened it.
func (u *userSessions) Validate(id string) (bool, error) {
	if err := u.check(id); err != nil {
		return false, err
	}
	return u.b.inner.Validate(id)
}

// Terminate ends id for the user who opened it (or for mcp-go's sweep of
// idle sessions), and forgets its owner; another user may not (mcp-go
// answers 405).
func (u *userSessions) Terminate(id string) (bool, error) {
	if !u.sweep && u.check(id) != nil {
		return true, nil
	}
	notAllowed, err := u.b.inner.Terminate(id)
	if err == nil && !notAllowed {
		u.b.mu.Lock()
		delete(u.b.owners, id)
		u.b.mu.Unlock()
	}
	return notAllowed, err
}

// check refuses a session id that is not the request user's.
func (u *userSessions) check(id string) error {
	if u.user == "" {
		return errNoIdentity
	}
	if owner, ok := u.b.owner(id); !ok || owner != u.user {
		return errOtherUser
	}
	return nil
}
