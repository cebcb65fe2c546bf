package loadgen

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
)

// streamable is a session over streamable HTTP.
type streamable struct {
	client *http.Client
	url    string
	auth   string
	id     string // Mcp-Session-Id; empty when the server keeps no sessions
	c      Call
}

func openStreamable(ctx context.Context, client *http.Client, t Target, c Call) (*streamable, error) {
	s := &streamable{client: client, url: t.BaseURL + "/mcp", auth: t.Authorization, c: c}
	resp, body, err := s.post(ctx, initializeRequest())
	if err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("initialize: status %d: %.200s", resp.StatusCode, body)
	}
	if err := checkInitialized(body); err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	s.id = resp.Header.Get("Mcp-Session-Id")
	resp, body, err = s.post(ctx, initializedNotification())
	if err != nil {
		return nil, fmt.Errorf("initialized: %w", err)
	}
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("initialized: status %d: %.200s", resp.StatusCode, body)
	}
	return s, nil
}

func (s *streamable) call(ctx context.Context, id int64) error {
	resp, body, err := s.post(ctx, callRequest(id, s.c))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return checkAnswer(body)
}

// post sends one JSON-RPC message and reads the whole answer.
func (s *streamable) post(ctx context.Context, msg []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(msg))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", protocolVersion)
	if s.auth != "" {
		req.Header.Set("Authorization", s.auth)
	}
	if s.id != "" {
		req.Header.Set("Mcp-Session-Id", s.id)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// close ends the session on the server, so that an idle measurement's
// sessions do not linger into the next one.
func (s *streamable) close() {
	if s.id == "" {
		return
	}
	req, err := http.NewRequest(http.MethodDelete, s.url, nil)
	if err != nil {
		return
	}
	req.Header.Set("Mcp-Session-Id", s.id)
	req.Header.Set("Mcp-Protocol-Version", protocolVersion)
	if s.auth != "" {
		req.Header.Set("Authorization", s.auth)
	}
	if resp, err := s.client.Do(req); err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// checkInitialized reports whether body answers initialize with a result.
func checkInitialized(body []byte) error {
	if !bytes.Contains(body, []byte(`"protocolVersion"`)) {
		return fmt.Errorf("not an initialize result: %.200s", body)
	}
	return nil
}
