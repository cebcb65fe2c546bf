package loadgen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// request is a JSON-RPC message to the server.
type request struct {
	JSONRPC string `json:"jsonrpc"`
	ID      *int64 `json:"id,omitempty"`
	Method  string `json:"method"`
	Params  any    `json:"params,omitempty"`
}

func initializeRequest() []byte {
	return encode(0, "initialize", map[string]any{
		"protocolVersion": protocolVersion,
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "skillgate-bench", "version": "1"},
	})
}

func initializedNotification() []byte {
	b, _ := json.Marshal(request{JSONRPC: "2.0", Method: "notifications/initialized"})
	return b
}

func callRequest(id int64, c Call) []byte {
	return encode(id, "tools/call", map[string]any{"name": c.Tool, "arguments": c.Arguments})
}

func encode(id int64, method string, params any) []byte {
	// Marshalling our own maps of strings cannot fail.
	b, _ := json.Marshal(request{JSONRPC: "2.0", ID: &id, Method: method, Params: params})
	return b
}

// checkAnswer reports whether body (JSON, or an SSE event carrying JSON)
// is a successful answer: a result that is not a tool error.
func checkAnswer(body []byte) error {
	if i := bytes.Index(body, []byte("data: ")); i >= 0 && body[0] != '{' {
		body = body[i+len("data: "):]
	}
	var msg struct {
		Result *struct {
			IsError bool `json:"isError"`
		} `json:"result"`
		Error *struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&msg); err != nil {
		return fmt.Errorf("answer is not JSON-RPC: %w", err)
	}
	switch {
	case msg.Error != nil:
		return fmt.Errorf("JSON-RPC error: %s", msg.Error.Message)
	case msg.Result == nil:
		return errors.New("answer without a result")
	case msg.Result.IsError:
		return errors.New("the tool answered with an error")
	}
	return nil
}
