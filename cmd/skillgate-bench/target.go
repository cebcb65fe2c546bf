package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// clockTicks is the unit of /proc/PID/stat's CPU times (USER_HZ), 100 on
// every Linux this runs on.
const clockTicks = 100

// process is a target server running as a child process, so that its CPU
// time and memory are its own.
type process struct {
	name    string
	cmd     *exec.Cmd
	baseURL string
	// key is the first admin key skillgate printed; empty for the floor.
	key  string
	done chan struct{}
}

var (
	listenAddr = regexp.MustCompile(`listening"? addr=(127\.0\.0\.1:\d+)`)
	adminKey   = regexp.MustCompile(`(sk_live_[A-Za-z0-9_-]+)`)
)

// startProcess runs path with args and waits until it prints its listen
// address (and, for skillgate, its first admin key) on stdout or stderr.
func startProcess(ctx context.Context, name, path string, wantKey bool, args ...string) (*process, error) {
	cmd := exec.CommandContext(ctx, path, args...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	ready := make(chan struct{})
	go func() {
		// Read every line, to the end: a server blocked on a full pipe
		// would measure the pipe, not itself.
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		signalled := false
		for sc.Scan() {
			if signalled {
				continue // p is read by others from now on
			}
			line := sc.Text()
			if m := adminKey.FindStringSubmatch(line); m != nil && p.key == "" {
				p.key = m[1]
			}
			if m := listenAddr.FindStringSubmatch(line); m != nil && p.baseURL == "" {
				p.baseURL = "http://" + m[1]
			}
			if p.baseURL != "" && (!wantKey || p.key != "") {
				signalled = true
				close(ready)
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	select {
	case <-ready:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%s exited before it listened", name)
	case <-time.After(60 * time.Second):
		p.stop()
		return nil, fmt.Errorf("%s did not listen within 60s", name)
	}
}

// stop ends the process and waits for it.
func (p *process) stop() {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// cpu returns the CPU time (user and system) the process has used.
func (p *process) cpu() (time.Duration, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces;
	// fields are counted after its closing parenthesis.
	s := string(raw)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, errors.New("short /proc stat")
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// memory returns the process's resident set size now and at its peak, in
// bytes.
func (p *process) memory() (rss, peak int64, err error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %w", name, err)
		}
		if name == "VmRSS" {
			rss = kb << 10
		} else {
			peak = kb << 10
		}
	}
	return rss, peak, nil
}
