// Package todo is what the example servers of MCP Auth for Go share besides
// their wiring, which each example's main.go shows whole: an MCP server
// (official Go SDK) with the tools of the MCP Auth tutorial (whoami, and a
// todo manager whose rules depend on the caller's identity and scopes), the
// examples' flags, the demo users of the development authorization server,
// and two plain HTTP handlers. Its module pulls in no web framework, so a
// copied example needs only its own.
package todo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/gosdkauth"
)

// The scopes of the todo manager.
const (
	ScopeCreate = "create:todos"
	ScopeRead   = "read:todos"
	ScopeDelete = "delete:todos"
)

// Scopes are every scope the server supports.
var Scopes = []string{ScopeCreate, ScopeRead, ScopeDelete}

// Policy is the per-tool scope policy: create-todo needs create:todos, and
// a call without it is refused at the HTTP layer (403 insufficient_scope)
// before the tool runs. get-todos and delete-todo decide per caller.
var Policy = &mcpauth.ScopePolicy{Tools: map[string][]string{"create-todo": {ScopeCreate}}}

// Todo is one item.
type Todo struct {
	ID        string `json:"id"`
	Content   string `json:"content"`
	OwnerID   string `json:"ownerId"`
	CreatedAt string `json:"createdAt"`
}

// Identity is what whoami answers.
type Identity struct {
	Issuer   string   `json:"issuer"`
	Subject  string   `json:"subject"`
	ClientID string   `json:"clientId"`
	Scopes   []string `json:"scopes"`
}

// IdentityOf describes a verified caller.
func IdentityOf(info *mcpauth.AuthInfo) Identity {
	scopes := info.Scopes
	if scopes == nil {
		scopes = []string{}
	}
	return Identity{Issuer: info.Issuer, Subject: info.Subject, ClientID: info.ClientID, Scopes: scopes}
}

// Store keeps todos in memory.
type Store struct {
	mu    sync.Mutex
	next  int
	todos []Todo
	now   func() time.Time
}

// NewStore returns an empty store.
func NewStore() *Store { return &Store{now: time.Now} }

// CreateArgs are create-todo's arguments.
type CreateArgs struct {
	Content string `json:"content" jsonschema:"the todo's text"`
}

// DeleteArgs are delete-todo's arguments.
type DeleteArgs struct {
	ID string `json:"id" jsonschema:"the id of the todo to delete"`
}

// List is get-todos' answer.
type List struct {
	Todos []Todo `json:"todos"`
}

// errNoIdentity reports a tool call that reached the server unauthenticated,
// which the HTTP layer should make impossible.
var errNoIdentity = errors.New("no verified identity: is MCP Auth's middleware mounted?")

// check returns the caller's identity, or why there is none to act for.
func check(info *mcpauth.AuthInfo) (*mcpauth.AuthInfo, error) {
	if info == nil {
		return nil, errNoIdentity
	}
	if ownerOf(info) == "" {
		return nil, errors.New("the access token names neither a subject nor a client")
	}
	return info, nil
}

// ownerOf is whom the caller's todos belong to: the token's subject or,
// when it has none, its client. An introspection answer need not carry
// "sub" (RFC 7662 §2.2), and oidc-provider's answers for client_credentials
// tokens do not, whereas a JWT for the same client names it as its subject
// (RFC 9068 §2.2): either way the client owns its todos.
func ownerOf(info *mcpauth.AuthInfo) string {
	if info.Subject != "" {
		return info.Subject
	}
	return info.ClientID
}

// The store's operations take the caller's verified identity, so that any
// MCP library's tool handlers can call them: the official SDK's below, or
// mark3labs/mcp-go's in examples/mcpgo.

// WhoAmI describes the caller.
func (s *Store) WhoAmI(info *mcpauth.AuthInfo) (Identity, error) {
	info, err := check(info)
	if err != nil {
		return Identity{}, err
	}
	return IdentityOf(info), nil
}

// Create adds a todo owned by the caller, who needs create:todos.
func (s *Store) Create(info *mcpauth.AuthInfo, content string) (Todo, error) {
	info, err := check(info)
	if err != nil {
		return Todo{}, err
	}
	// The policy already refused callers without the scope; check again
	// here so the tool is safe however it is mounted.
	if !info.HasScopes(ScopeCreate) {
		return Todo{}, fmt.Errorf("creating todos needs the %s scope", ScopeCreate)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	t := Todo{ID: fmt.Sprintf("todo-%d", s.next), Content: content, OwnerID: ownerOf(info), CreatedAt: s.now().UTC().Format(time.RFC3339)}
	s.todos = append(s.todos, t)
	return t, nil
}

// List returns every todo with read:todos, else the caller's own.
func (s *Store) List(info *mcpauth.AuthInfo) (List, error) {
	info, err := check(info)
	if err != nil {
		return List{}, err
	}
	all := info.HasScopes(ScopeRead)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := List{Todos: []Todo{}}
	for _, t := range s.todos {
		if all || t.OwnerID == ownerOf(info) {
			out.Todos = append(out.Todos, t)
		}
	}
	return out, nil
}

// Delete removes the todo id: the caller's own, or anyone's with delete:todos.
func (s *Store) Delete(info *mcpauth.AuthInfo, id string) (Todo, error) {
	info, err := check(info)
	if err != nil {
		return Todo{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.todos, func(t Todo) bool { return t.ID == id })
	if i < 0 {
		return Todo{}, fmt.Errorf("todo %q does not exist", id)
	}
	t := s.todos[i]
	if t.OwnerID != ownerOf(info) && !info.HasScopes(ScopeDelete) {
		return Todo{}, fmt.Errorf("todo %q is not yours, and deleting others' todos needs the %s scope", id, ScopeDelete)
	}
	s.todos = slices.Delete(s.todos, i, i+1)
	return t, nil
}

// NewServer returns the MCP server (official Go SDK) with the four tools.
func NewServer(store *Store) *mcp.Server {
	s := mcp.NewServer(&mcp.Implementation{Name: "todo-manager", Title: "Todo manager (MCP Auth for Go example)", Version: "1.0.0"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "whoami", Description: ToolDescriptions["whoami"]}, store.whoami)
	mcp.AddTool(s, &mcp.Tool{Name: "create-todo", Description: ToolDescriptions["create-todo"]}, store.create)
	mcp.AddTool(s, &mcp.Tool{Name: "get-todos", Description: ToolDescriptions["get-todos"]}, store.list)
	mcp.AddTool(s, &mcp.Tool{Name: "delete-todo", Description: ToolDescriptions["delete-todo"]}, store.delete)
	return s
}

// ToolDescriptions describe the four tools.
var ToolDescriptions = map[string]string{
	"whoami":      "Who the access token says you are.",
	"create-todo": "Create a todo (needs create:todos).",
	"get-todos":   "List todos: all of them with read:todos, else your own.",
	"delete-todo": "Delete a todo: your own, or any with delete:todos.",
}

// sdkCaller is the identity the official SDK hands a tool.
func sdkCaller(req *mcp.CallToolRequest) *mcpauth.AuthInfo {
	return gosdkauth.AuthInfo(req.Extra.TokenInfo)
}

func (s *Store) whoami(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, Identity, error) {
	id, err := s.WhoAmI(sdkCaller(req))
	return nil, id, err
}

func (s *Store) create(ctx context.Context, req *mcp.CallToolRequest, args CreateArgs) (*mcp.CallToolResult, Todo, error) {
	t, err := s.Create(sdkCaller(req), args.Content)
	return nil, t, err
}

func (s *Store) list(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, List, error) {
	l, err := s.List(sdkCaller(req))
	return nil, l, err
}

func (s *Store) delete(ctx context.Context, req *mcp.CallToolRequest, args DeleteArgs) (*mcp.CallToolResult, Todo, error) {
	t, err := s.Delete(sdkCaller(req), args.ID)
	return nil, t, err
}
