package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"time"
)

var (
	readyLine = regexp.MustCompile(`msg=ready .*mcp=(\S+) resource=(\S+) issuer=(\S+)`)
	whoami    = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`
)

// runExample runs the copied gin example with its development authorization
// server, as `go run .` would, and checks the MCP contract: 401 with the
// challenge without a token, a tool call with a token from the development
// server's demo client, and a clean stop on SIGINT.
func runExample(bin string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "-addr", fmt.Sprintf("127.0.0.1:%d", port))
	cmd.Env = append(os.Environ(), "MCPAUTH_ISSUER=", "MCPAUTH_RESOURCE=", "MCPAUTH_ADDR=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	ready := make(chan []string, 1)
	var logs strings.Builder
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if m := readyLine.FindStringSubmatch(sc.Text()); m != nil {
				ready <- m[1:]
			}
		}
	}()
	var mcpURL, resource, issuer string
	select {
	case m := <-ready:
		mcpURL, resource, issuer = m[0], m[1], m[2]
	case <-time.After(30 * time.Second):
		return fmt.Errorf("no ready line within 30 s")
	}
	// No token: 401 with the challenge naming the metadata.
	resp, err := post(mcpURL, "", whoami)
	if err != nil {
		return err
	}
	wantChallenge := `Bearer resource_metadata="http://127.0.0.1:` + fmt.Sprint(port) + `/.well-known/oauth-protected-resource/mcp"`
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != wantChallenge {
		return fmt.Errorf("without a token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	// A token from the development server's demo client, as the banner shows.
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {resource}, "scope": {"read:todos"}}
	req, _ := http.NewRequest(http.MethodPost, issuer+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("demo-client", "demo-secret")
	tr, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(tr.Body).Decode(&tok)
	tr.Body.Close()
	if tok.AccessToken == "" {
		return fmt.Errorf("no token from the development server (%d)", tr.StatusCode)
	}
	resp, err = post(mcpURL, tok.AccessToken, whoami)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `\"clientId\":\"demo-client\"`) {
		return fmt.Errorf("whoami with a token: %d %s", resp.StatusCode, body)
	}
	cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("stopping on SIGINT: %v\n%s", err, logs.String())
		}
	case <-time.After(15 * time.Second):
		return fmt.Errorf("no exit within 15 s of SIGINT")
	}
	return nil
}

func post(u, token, body string) (*http.Response, error) {
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return http.DefaultClient.Do(req)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
