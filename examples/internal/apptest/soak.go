package apptest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/examples/todo"
)

// SoakDuration is how long Soak runs: $SOAK_DURATION, or def.
func SoakDuration(def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv("SOAK_DURATION")); err == nil && d > 0 {
		return d
	}
	return def
}

// kind is one sort of request the soak sends, with the only answers it may get.
type kind struct {
	name   string
	status int
	code   string // the JSON body's error_code ("" on success)
	build  func() (token, body string)
}

// Soak sends concurrent requests of every kind to the example while the
// development authorization server rotates its signing key and goes down
// and up, for d. Every answer must be the one its kind allows; afterwards
// the goroutine count and heap must be back near where they started.
func Soak(t *testing.T, run RunFunc, d time.Duration) {
	// Key-set fetches may be 50 ms apart, so rotations are picked up during the run.
	s := StartWith(t, run, todo.Config{JWKSMinRefresh: 50 * time.Millisecond})
	dev := s.Dev
	var signing atomic.Pointer[authtest.Key] // a key the server is known to have fetched
	signing.Store(dev.SigningKey())
	mint := func(claims authtest.Claims, opts authtest.MintOptions) string {
		claims["aud"] = s.Resource
		opts.Claims = claims
		opts.Key = signing.Load()
		return dev.MintWith(opts)
	}
	call := func(tool string) string {
		return `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tool + `","arguments":{"content":"soak"}}}`
	}
	kinds := []kind{
		{"valid", 200, "", func() (string, string) {
			return mint(authtest.Claims{"sub": "soak", "scope": "create:todos read:todos"}, authtest.MintOptions{}), call("create-todo")
		}},
		{"expired", 401, "invalid_token", func() (string, string) {
			return mint(authtest.Claims{"exp": time.Now().Add(-time.Hour).Unix()}, authtest.MintOptions{}), call("whoami")
		}},
		{"forged", 401, "invalid_token", func() (string, string) {
			return authtest.Tamper(mint(authtest.Claims{"scope": "create:todos"}, authtest.MintOptions{}), authtest.Claims{"sub": "admin"}), call("create-todo")
		}},
		{"unsigned", 401, "invalid_token", func() (string, string) {
			return mint(authtest.Claims{}, authtest.MintOptions{Algorithm: "none"}), call("whoami")
		}},
		{"scope-lacking", 403, "missing_required_scopes", func() (string, string) {
			return mint(authtest.Claims{"scope": "read:todos"}, authtest.MintOptions{}), call("create-todo")
		}},
		{"no token", 401, "missing_auth_header", func() (string, string) { return "", call("whoami") }},
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	send := func(token, body string) (int, string, error) {
		req, _ := http.NewRequest(http.MethodPost, s.Resource, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		var b struct {
			Code string `json:"error_code"`
		}
		raw, _ := io.ReadAll(resp.Body)
		json.Unmarshal(raw, &b)
		return resp.StatusCode, b.Code, nil
	}
	// Warm up, then take the baseline.
	for _, k := range kinds {
		token, body := k.build()
		if status, _, err := send(token, body); err != nil || status != k.status {
			t.Fatalf("warm-up %s: %d %v", k.name, status, err)
		}
	}
	goroutines, heap := usage(client)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var sent atomic.Int64
	var mu sync.Mutex
	var wrong []string
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				k := kinds[i%len(kinds)]
				token, body := k.build()
				status, code, err := send(token, body)
				sent.Add(1)
				if err != nil || status != k.status || code != k.code {
					mu.Lock()
					wrong = append(wrong, fmt.Sprintf("%s: %d %q %v", k.name, status, code, err))
					mu.Unlock()
				}
			}
		}()
	}
	// The authorization server's life: new signing keys, outages.
	life := time.NewTicker(d / 10)
	rotations := 0
	deadline := time.After(d)
	for step := 0; ; step++ {
		select {
		case <-deadline:
			close(stop)
			wg.Wait()
			life.Stop()
			goto done
		case <-life.C:
		}
		switch step % 3 {
		case 0: // rotate: a new key, used once it is known to the server
			k, err := dev.AddKey([]string{"RS256", "ES256", "EdDSA"}[step%3])
			if err != nil {
				t.Fatal(err)
			}
			// The first probe may join a key-set fetch that began before the
			// key was published; a later one starts its own (50 ms apart).
			probe := dev.MintWith(authtest.MintOptions{Key: k, Claims: authtest.Claims{"aud": s.Resource, "scope": "read:todos"}})
			for range 200 {
				if status, _, _ := send(probe, call("get-todos")); status == 200 {
					signing.Store(k)
					rotations++
					break
				}
			}
		case 1:
			dev.Stop()
		case 2:
			if err := dev.Restart(); err != nil {
				t.Fatal(err)
			}
		}
	}
done:
	if len(wrong) > 0 {
		t.Fatalf("%d wrong answers of %d, first: %v", len(wrong), sent.Load(), wrong[:min(len(wrong), 5)])
	}
	g, h := usage(client)
	t.Logf("soak %v: %d requests, 0 wrong; %d key rotations; goroutines %d -> %d, heap %d KiB -> %d KiB", d, sent.Load(), rotations, goroutines, g, heap>>10, h>>10)
	if rotations == 0 {
		t.Error("no key rotation took effect during the soak")
	}
	if g > goroutines+10 {
		t.Errorf("goroutines grew from %d to %d", goroutines, g)
	}
	if h > 2*heap+16<<20 {
		t.Errorf("heap grew from %d to %d bytes", heap, h)
	}
}

// usage returns the goroutine count and live heap after idle connections
// are closed and a collection.
func usage(c *http.Client) (int, uint64) {
	c.CloseIdleConnections()
	http.DefaultClient.CloseIdleConnections()
	var g int
	for range 50 { // let closed connections' goroutines exit
		runtime.GC()
		g = runtime.NumGoroutine()
		runtime.Gosched()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return g, m.HeapAlloc
}
