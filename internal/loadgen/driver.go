package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// Transport is how sessions reach the server.
type Transport string

// Transports.
const (
	// Streamable is streamable HTTP at /mcp with the session-based
	// 2025-11-25 protocol: every call is a POST carrying Mcp-Session-Id.
	Streamable Transport = "streamable"
	// SSE is the legacy HTTP+SSE transport: a GET /sse stream per session,
	// calls POSTed to the endpoint it announces, answers on the stream.
	SSE Transport = "sse"
)

// protocolVersion is the session-based protocol both transports speak.
const protocolVersion = "2025-11-25"

// Target is a server to drive.
type Target struct {
	// BaseURL is the server's origin; /mcp and /sse are under it.
	BaseURL string
	// Authorization is sent as the Authorization header of every request;
	// empty sends none.
	Authorization string
}

// Call is the tool every session calls.
type Call struct {
	Tool      string
	Arguments map[string]any
}

// session is one open MCP session.
type session interface {
	// call calls the tool once and reports whether it succeeded.
	call(ctx context.Context, id int64) error
	close()
}

// Driver holds open sessions to one target. Create it with Open.
type Driver struct {
	sessions []session
	call     Call
	next     []int64 // the next JSON-RPC id of each session
}

// openConcurrency bounds how many sessions are being opened at once, so
// that opening thousands does not look like a flood of new connections.
const openConcurrency = 64

// Open opens n sessions to t over tr, each initialized and ready to call
// c. On error the sessions already open are closed.
func Open(ctx context.Context, client *http.Client, t Target, tr Transport, n int, c Call) (*Driver, error) {
	if n < 1 {
		return nil, errors.New("loadgen: at least one session")
	}
	d := &Driver{sessions: make([]session, n), call: c, next: make([]int64, n)}
	sem := make(chan struct{}, openConcurrency)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			s, err := openSession(ctx, client, t, tr, c)
			if err != nil {
				errs <- fmt.Errorf("session %d: %w", i, err)
				return
			}
			d.sessions[i] = s
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		d.Close()
		return nil, fmt.Errorf("loadgen: open %s sessions to %s: %w", tr, t.BaseURL, err)
	}
	for i := range d.next {
		d.next[i] = 2 // 0 and 1 went to initialize
	}
	return d, nil
}

func openSession(ctx context.Context, client *http.Client, t Target, tr Transport, c Call) (session, error) {
	switch tr {
	case Streamable:
		return openStreamable(ctx, client, t, c)
	case SSE:
		return openSSE(ctx, client, t, c)
	}
	return nil, fmt.Errorf("unknown transport %q", tr)
}

// Run has every session call the tool in a closed loop (the next call
// starts when the previous one has answered) for dur, and returns what it
// measured. Calls still in flight at the end are waited for and counted.
func (d *Driver) Run(ctx context.Context, dur time.Duration) Result {
	results := make([]Result, len(d.sessions))
	start := time.Now()
	deadline := start.Add(dur)
	var wg sync.WaitGroup
	for i, s := range d.sessions {
		wg.Go(func() {
			r := &results[i]
			for time.Now().Before(deadline) && ctx.Err() == nil {
				began := time.Now()
				err := s.call(ctx, d.next[i])
				d.next[i]++
				if err != nil {
					r.Errors++
					continue
				}
				r.Calls++
				r.Latencies = append(r.Latencies, time.Since(began))
			}
		})
	}
	wg.Wait()
	total := Result{}
	for _, r := range results {
		total.Merge(r)
	}
	total.Elapsed = time.Since(start)
	return total
}

// Len is the number of open sessions.
func (d *Driver) Len() int { return len(d.sessions) }

// Close ends every session.
func (d *Driver) Close() {
	for _, s := range d.sessions {
		if s != nil {
			s.close()
		}
	}
}
