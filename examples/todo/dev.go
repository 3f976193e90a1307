package todo

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/mcp-auth/go/core/authtest"
)

// Demo credentials of the development authorization server: a confidential
// client allowed client_credentials for every scope.
const (
	DemoClientID     = "demo-client"
	DemoClientSecret = "demo-secret"
)

// DevServerOptions are the options of the embedded development
// authorization server: the todo scopes, the demo client, and two demo users
// for its sign-in page, admin (every scope) and user (none).
func DevServerOptions() *authtest.Options {
	return &authtest.Options{
		Scopes:  Scopes,
		Clients: []authtest.Client{{ID: DemoClientID, Secret: DemoClientSecret}},
		Users: []authtest.User{
			{Name: "admin", Scopes: Scopes},
			{Name: "user"},
		},
	}
}

// CheckLoopback returns an error naming -issuer unless both the address the
// server listens on and its resource identifier are loopback: the
// development authorization server issues tokens to anyone on the machine,
// so it never protects a server others can reach.
func CheckLoopback(listen net.Addr, resource string) error {
	host, _, err := net.SplitHostPort(listen.String())
	if err != nil || !loopbackHost(host) {
		return fmt.Errorf("no -issuer (MCPAUTH_ISSUER) given, and the listen address %s is not loopback: "+
			"the development authorization server runs only for a server on 127.0.0.1, ::1 or localhost; set -issuer to your authorization server", listen)
	}
	if u, err := url.Parse(resource); err != nil || !loopbackHost(u.Hostname()) {
		return fmt.Errorf("no -issuer (MCPAUTH_ISSUER) given, and the resource %q is not on a loopback host: "+
			"the development authorization server runs only for a server on 127.0.0.1, ::1 or localhost; set -issuer to your authorization server", resource)
	}
	return nil
}

// loopbackHost reports whether host is localhost or a loopback IP address.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
