package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
)

// rpcResponse is a JSON-RPC 2.0 response.
type rpcResponse struct {
	ID     json.RawMessage `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

// rpcError is a JSON-RPC 2.0 error object.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// String describes the error for a finding.
func (e *rpcError) String() string {
	return fmt.Sprintf("JSON-RPC error %d: %s", e.Code, clean(e.Message, 200))
}

// call is one JSON-RPC message to send to the MCP endpoint.
type call struct {
	// token is sent as "Authorization: Bearer <token>"; "" sends none.
	token string
	// method and params make the message; notify makes it a notification
	// (no id, no response awaited).
	method string
	params any
	notify bool
	// name is params.name of tools/call, sent as Mcp-Name with MCP
	// 2026-07-28 or later.
	name string
}

// exchange is a call's HTTP answer.
type exchange struct {
	status int
	header http.Header
	// body is the answer's body when it was not read as JSON-RPC (an
	// error status, a notification's answer).
	body []byte
	// stream tells that the response came as text/event-stream.
	stream bool
	// rpc is the JSON-RPC response to the request, from a 2xx answer;
	// rpcErr says why there is none.
	rpc    *rpcResponse
	rpcErr error
}

// ok reports whether the answer is a 2xx carrying a JSON-RPC result.
func (e *exchange) ok() bool {
	return e.status/100 == 2 && e.rpc != nil && e.rpc.Error == nil
}

// problem describes what is wrong with an answer that is not ok.
func (e *exchange) problem() string {
	switch {
	case e.status/100 != 2:
		return "answered " + describeStatus(e.status, e.header, e.body)
	case e.rpc == nil:
		return fmt.Sprintf("answered %d without a readable JSON-RPC response: %v", e.status, e.rpcErr)
	case e.rpc.Error != nil:
		return fmt.Sprintf("answered %d with %s", e.status, e.rpc.Error)
	}
	return ""
}

// post sends c to the MCP endpoint (Streamable HTTP: one POST per
// message) and reads the answer: for a request, its JSON-RPC response from
// an application/json body or from an event stream.
func (p *prober) post(ctx context.Context, c call) (*exchange, error) {
	msg := map[string]any{"jsonrpc": "2.0", "method": c.method}
	var id int64
	if !c.notify {
		p.lastID++
		id = p.lastID
		msg["id"] = id
	}
	if c.params != nil {
		msg["params"] = c.params
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.opts.target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	p.setHeaders(req, c)
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	ex := &exchange{status: resp.StatusCode, header: resp.Header}
	if resp.StatusCode/100 != 2 || c.notify {
		ex.body, _ = readBody(resp.Body) // what was read is enough to describe it
		return ex, nil
	}
	ex.rpc, ex.stream, ex.rpcErr = readResponse(resp, id)
	return ex, nil
}

// setHeaders sets the headers of Streamable HTTP on req: Content-Type,
// Accept with both answers a client must take, MCP-Protocol-Version, the
// session, the token, and from MCP 2026-07-28 on the Mcp-Method and
// Mcp-Name headers that mirror the body.
func (p *prober) setHeaders(req *http.Request, c call) {
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("MCP-Protocol-Version", p.protocolVersion)
	if p.session != "" {
		req.Header.Set("Mcp-Session-Id", p.session)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if p.protocolVersion >= "2026-07-28" && c.method != "" {
		req.Header.Set("Mcp-Method", c.method)
		if c.name != "" {
			req.Header.Set("Mcp-Name", c.name)
		}
	}
}

// readResponse reads the JSON-RPC response with id from a 2xx answer,
// whichever of the two content types it came as.
func readResponse(resp *http.Response, id int64) (*rpcResponse, bool, error) {
	mediaType, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch mediaType {
	case "application/json":
		body, err := readBody(resp.Body)
		if err != nil {
			return nil, false, err
		}
		r, err := decodeResponse(body, id)
		return r, false, err
	case "text/event-stream":
		var found *rpcResponse
		err := readSSE(&capReader{r: resp.Body, n: maxBody}, func(data []byte) bool {
			found, _ = decodeResponse(data, id)
			return found != nil
		})
		return found, true, err
	}
	return nil, false, fmt.Errorf("Content-Type %q is neither application/json nor text/event-stream",
		clean(resp.Header.Get("Content-Type"), 80))
}

// decodeResponse decodes data as the JSON-RPC response with id.
func decodeResponse(data []byte, id int64) (*rpcResponse, error) {
	var r rpcResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("not a JSON-RPC response: %v", err)
	}
	if got := string(bytes.TrimSpace(r.ID)); got != strconv.FormatInt(id, 10) {
		return nil, fmt.Errorf("a JSON-RPC message with id %s, not %d", clean(got, 40), id)
	}
	if r.Result == nil && r.Error == nil {
		return nil, errors.New("a JSON-RPC message with neither result nor error")
	}
	return &r, nil
}
