package skills

import (
	"io"
	"os"
	"time"
)

// cappedBuffer is an io.Writer that keeps the first max bytes written and
// discards the rest, always reporting success so the writer (a child
// process's pipe) is drained and never blocks. It is written by one
// goroutine and read after that goroutine has finished.
type cappedBuffer struct {
	buf       []byte
	max       int
	truncated bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - len(b.buf); room > 0 {
		b.buf = append(b.buf, p[:min(room, len(p))]...)
		if len(p) > room {
			b.truncated = true
		}
	} else if len(p) > 0 {
		b.truncated = true
	}
	return len(p), nil
}

// capture reads one output stream of a child process through a pipe the
// Runner owns, so that Run need not wait for pipe EOF before it can kill
// what the script left behind.
type capture struct {
	r    *os.File
	buf  cappedBuffer
	done chan struct{}
}

// newCapture starts draining a new pipe into a buffer of max bytes and
// returns the write end for the child. The caller closes the write end
// once the child has started.
func newCapture(max int) (*capture, *os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, err
	}
	c := &capture{r: r, buf: cappedBuffer{max: max}, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		_, _ = io.Copy(&c.buf, r) // ends at EOF, or when wait closes r
	}()
	return c, w, nil
}

// wait waits for the stream to end until deadline, then closes the pipe to
// stop a process that escaped the group kill from holding Run. It returns
// what was kept, and whether anything was dropped.
func (c *capture) wait(deadline time.Time) (string, bool) {
	select {
	case <-c.done:
	case <-time.After(time.Until(deadline)):
		c.r.Close()
		<-c.done
	}
	c.r.Close()
	return string(c.buf.buf), c.buf.truncated
}
