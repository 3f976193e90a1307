package mcpgoauth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"
)

// ErrStateNotYours is the error of [StateBinder.Open] for a handle sealed for
// another user, altered, or not sealed at all.
var ErrStateNotYours = errors.New("mcpgoauth: the state handle was not issued to this user")

// StateBinder binds the state handles a server hands its clients to the user
// they were issued to: the RequestState of a multi round-trip request (MCP
// 2026-07-28, mcp-go's server.NewInputRequestBuilder), a cursor, any opaque
// token a client echoes back. Without sessions, such a handle is all that
// links two requests; sealed, it can never be replayed by another user or
// stand in for authentication, since Open checks it against the identity
// MCP Auth verified on the request that brings it back.
//
// A sealed handle is the state's MAC (HMAC-SHA-256 under the binder's key,
// over the user's [mcpauth.AuthInfo.UserID] and the state) followed by the
// state itself: it binds, but does not hide, the state.
type StateBinder struct {
	key []byte
}

// NewStateBinder returns a binder with key, which must be at least 32
// bytes, and the same on every replica that may receive the handle back; a
// nil key means a random key of this process (handles then die with it).
func NewStateBinder(key []byte) (*StateBinder, error) {
	if key == nil {
		key = make([]byte, 32)
		rand.Read(key)
	}
	if len(key) < 32 {
		return nil, fmt.Errorf("mcpgoauth: a state binder's key must be at least 32 bytes, not %d", len(key))
	}
	return &StateBinder{key: append([]byte(nil), key...)}, nil
}

// Seal returns state bound to the user of ctx (the request a handler
// serves). It fails when ctx carries no verified identity.
func (b *StateBinder) Seal(ctx context.Context, state string) (string, error) {
	user, err := userOf(ctx)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b.mac(user, state)) + "." + base64.RawURLEncoding.EncodeToString([]byte(state)), nil
}

// Open returns the state of a handle Seal made for the user of ctx, or
// [ErrStateNotYours].
func (b *StateBinder) Open(ctx context.Context, sealed string) (string, error) {
	user, err := userOf(ctx)
	if err != nil {
		return "", err
	}
	macPart, statePart, ok := strings.Cut(sealed, ".")
	mac, err1 := base64.RawURLEncoding.DecodeString(macPart)
	state, err2 := base64.RawURLEncoding.DecodeString(statePart)
	if !ok || err1 != nil || err2 != nil || !hmac.Equal(mac, b.mac(user, string(state))) {
		return "", ErrStateNotYours
	}
	return string(state), nil
}

// mac is HMAC-SHA-256 over the user and the state, each length-prefixed so
// that no two pairs give the same input.
func (b *StateBinder) mac(user, state string) []byte {
	h := hmac.New(sha256.New, b.key)
	fmt.Fprintf(h, "%d:%s%d:%s", len(user), user, len(state), state)
	return h.Sum(nil)
}

func userOf(ctx context.Context) (string, error) {
	info, ok := mcpauth.FromContext(ctx)
	if !ok || info.UserID() == "" {
		return "", errNoIdentity
	}
	return info.UserID(), nil
}
