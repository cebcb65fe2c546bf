package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// sseSession is a session over the legacy HTTP+SSE transport: answers come
// on the stream, in order, since a session has one call in flight at most.
type sseSession struct {
	client   *http.Client
	endpoint string
	auth     string
	c        Call
	stream   io.Closer
	answers  chan []byte
	// done ends with the stream, so that read never blocks on answers
	// nobody takes.
	done   <-chan struct{}
	cancel context.CancelFunc
}

func openSSE(ctx context.Context, client *http.Client, t Target, c Call) (*sseSession, error) {
	streamCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	req, err := http.NewRequestWithContext(streamCtx, http.MethodGet, t.BaseURL+"/sse", nil)
	if err != nil {
		cancel()
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if t.Authorization != "" {
		req.Header.Set("Authorization", t.Authorization)
	}
	resp, err := client.Do(req)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("open stream: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("open stream: status %d", resp.StatusCode)
	}
	s := &sseSession{client: client, auth: t.Authorization, c: c, stream: resp.Body,
		answers: make(chan []byte, 1), done: streamCtx.Done(), cancel: cancel}
	events := bufio.NewReader(resp.Body)
	name, data, err := readEvent(events)
	if err != nil || name != "endpoint" {
		s.close()
		return nil, fmt.Errorf("no endpoint event (%q): %v", name, err)
	}
	base, _ := url.Parse(t.BaseURL)
	ep, err := base.Parse(strings.TrimSpace(string(data)))
	if err != nil {
		s.close()
		return nil, fmt.Errorf("endpoint %q: %w", data, err)
	}
	s.endpoint = ep.String()
	go s.read(events)

	if err := s.roundTrip(ctx, 0, initializeRequest(), checkInitialized); err != nil {
		s.close()
		return nil, fmt.Errorf("initialize: %w", err)
	}
	if err := s.post(ctx, initializedNotification()); err != nil {
		s.close()
		return nil, fmt.Errorf("initialized: %w", err)
	}
	return s, nil
}

// read passes the stream's answers to answers until it ends. Requests
// the server sends on the stream (the keep-alive ping) are answered, and
// notifications skipped: neither answers a call.
func (s *sseSession) read(events *bufio.Reader) {
	defer close(s.answers)
	for {
		name, data, err := readEvent(events)
		if err != nil {
			return
		}
		if name != "message" {
			continue
		}
		var msg struct {
			ID     json.RawMessage `json:"id"`
			Method string          `json:"method"`
		}
		if json.Unmarshal(data, &msg) != nil {
			continue
		}
		if msg.Method != "" {
			if len(msg.ID) > 0 {
				s.pong(msg.ID)
			}
			continue
		}
		select {
		case s.answers <- data:
		case <-s.done:
			return
		}
	}
}

// pong answers a server's request (a ping) with an empty result.
func (s *sseSession) pong(id json.RawMessage) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = s.post(ctx, []byte(`{"jsonrpc":"2.0","id":`+string(id)+`,"result":{}}`))
}

func (s *sseSession) call(ctx context.Context, id int64) error {
	return s.roundTrip(ctx, id, callRequest(id, s.c), checkAnswer)
}

// roundTrip posts msg, whose JSON-RPC id is id, and checks its answer on
// the stream. Answers to earlier calls that gave up waiting are skipped.
func (s *sseSession) roundTrip(ctx context.Context, id int64, msg []byte, check func([]byte) error) error {
	if err := s.post(ctx, msg); err != nil {
		return err
	}
	for {
		select {
		case data, ok := <-s.answers:
			if !ok {
				return errors.New("stream closed")
			}
			var answer struct {
				ID *int64 `json:"id"`
			}
			if json.Unmarshal(data, &answer) != nil || answer.ID == nil || *answer.ID != id {
				continue
			}
			return check(data)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *sseSession) post(ctx context.Context, msg []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(msg))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if s.auth != "" {
		req.Header.Set("Authorization", s.auth)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
		return fmt.Errorf("post: status %d", resp.StatusCode)
	}
	return nil
}

func (s *sseSession) close() {
	s.cancel()
	s.stream.Close()
}

// maxEvent bounds one SSE event, so that a broken server cannot make the
// reader buffer without end.
const maxEvent = 1 << 20

// readEvent reads one server-sent event: its name ("message" when none is
// given) and its data lines joined. Comment lines (keep-alives) are
// skipped.
func readEvent(r *bufio.Reader) (name string, data []byte, err error) {
	name = "message"
	var buf bytes.Buffer
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return "", nil, err
		}
		line = strings.TrimRight(line, "\r\n")
		switch {
		case line == "":
			if buf.Len() > 0 {
				return name, buf.Bytes(), nil
			}
		case strings.HasPrefix(line, ":"):
		case strings.HasPrefix(line, "event:"):
			name = strings.TrimSpace(line[len("event:"):])
		case strings.HasPrefix(line, "data:"):
			if buf.Len() > 0 {
				buf.WriteByte('\n')
			}
			buf.WriteString(strings.TrimPrefix(line[len("data:"):], " "))
			if buf.Len() > maxEvent {
				return "", nil, errors.New("event too large")
			}
		}
	}
}
