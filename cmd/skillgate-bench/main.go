// Command skillgate-bench measures what skillgate's authentication,
// personas and audit cost on top of the MCP library it is built on. It
// runs two servers as child processes on loopback, a bare mcp-go server
// with one trivial tool (the floor) and a full skillgate on its defaults
// (managed API key, persona filter, audit log), and drives both with the
// same load, interleaved floor, skillgate, floor, skillgate, so that the
// drift of a shared machine cancels out. It reports throughput, latency
// percentiles, CPU time per call and memory for each, and their ratio.
//
// Usage:
//
//	skillgate-bench [--mode streamable|sse|jwt|oidc|all] [--sessions 32] [--phase 3s] [--rounds 3] [--json]
//	skillgate-bench --idle 10000 [--transport streamable|sse] [--json]
//
// Without --skillgate it builds ./cmd/skillgate of the module it runs in.
// "skillgate-bench floor" is the floor server itself, started by the tool.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/skillgate/skillgate/internal/testidp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var err error
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		err = runFloor(ctx, os.Args[2:])
	} else {
		err = run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	}
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "skillgate-bench: %v\n", err)
		os.Exit(1)
	}
}

// options are the command line.
type options struct {
	skillgate string
	mode      string
	sessions  int
	phase     time.Duration
	rounds    int
	idle      int
	transport string
	json      bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	flags := flag.NewFlagSet("skillgate-bench", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.StringVar(&o.skillgate, "skillgate", "", "path to a skillgate binary (default: build ./cmd/skillgate)")
	flags.StringVar(&o.mode, "mode", "streamable", "load to apply: streamable, sse, jwt (streamable with tokens of skillgate's own issuer), oidc (tokens of an OpenID provider) or all")
	flags.IntVar(&o.sessions, "sessions", 32, "concurrent MCP sessions per target")
	flags.DurationVar(&o.phase, "phase", 3*time.Second, "length of each measured phase")
	flags.IntVar(&o.rounds, "rounds", 3, "floor/skillgate pairs of phases per mode")
	flags.IntVar(&o.idle, "idle", 0, "instead of load, open this many idle sessions per target and report memory per session")
	flags.StringVar(&o.transport, "transport", "streamable", "transport of the idle sessions: streamable or sse")
	flags.BoolVar(&o.json, "json", false, "print JSON instead of a table")
	if err := flags.Parse(args); err != nil {
		return o, err
	}
	switch {
	case flags.NArg() > 0:
		return o, fmt.Errorf("unexpected argument %q", flags.Arg(0))
	case o.sessions < 1 || o.sessions > 10_000:
		return o, errors.New("--sessions must be between 1 and 10000")
	case o.phase < 100*time.Millisecond:
		return o, errors.New("--phase must be at least 100ms")
	case o.rounds < 1:
		return o, errors.New("--rounds must be at least 1")
	case o.idle < 0 || o.idle > 100_000:
		return o, errors.New("--idle must be between 0 and 100000")
	case o.transport != "streamable" && o.transport != "sse":
		return o, errors.New("--transport must be streamable or sse")
	}
	if _, err := modes(o.mode); err != nil {
		return o, err
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	work, err := os.MkdirTemp("", "skillgate-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if o.skillgate == "" {
		fmt.Fprintln(stderr, "building ./cmd/skillgate")
		if o.skillgate, err = buildSkillgate(ctx, work); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	floor, err := startProcess(ctx, "floor", self, false, "floor", "--addr", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer floor.stop()
	// An OpenID provider on loopback whose tokens skillgate accepts, for
	// the oidc mode.
	idp, err := testidp.Start()
	if err != nil {
		return err
	}
	defer idp.Close()
	cfg, err := writeConfig(work, idp.URL())
	if err != nil {
		return err
	}
	sg, err := startProcess(ctx, "skillgate", o.skillgate, true, "serve", "--config", cfg, "--addr", "127.0.0.1:0", "--data", work+"/data")
	if err != nil {
		return err
	}
	defer sg.stop()

	if o.idle > 0 {
		rep, err := measureIdle(ctx, o, floor, sg)
		if err != nil {
			return err
		}
		return printIdle(stdout, rep, o.json)
	}
	ms, _ := modes(o.mode)
	var reps []modeReport
	for _, m := range ms {
		fmt.Fprintf(stderr, "mode %s: %d sessions, %d rounds of %v per target\n", m, o.sessions, o.rounds, o.phase)
		rep, err := measureMode(ctx, o, m, floor, sg, idp)
		if err != nil {
			return fmt.Errorf("mode %s: %w", m, err)
		}
		reps = append(reps, rep)
	}
	return printLoad(stdout, reps, o.json)
}

func modes(s string) ([]string, error) {
	switch s {
	case "streamable", "sse", "jwt", "oidc":
		return []string{s}, nil
	case "all":
		return []string{"streamable", "sse", "jwt", "oidc"}, nil
	}
	return nil, fmt.Errorf("--mode must be streamable, sse, jwt, oidc or all, not %q", s)
}

// benchAudience is the audience of the OpenID provider's tokens.
const benchAudience = "skillgate-bench"

// writeConfig writes skillgate's configuration: its defaults, plus the
// OpenID provider at issuer, whose "admin" role maps to the admin role.
func writeConfig(dir, issuer string) (string, error) {
	path := filepath.Join(dir, "platform.yaml")
	cfg := fmt.Sprintf(`auth:
  oidc:
    providers:
      - issuer: %s
        audience: %s
        claims:
          roles: roles
`, issuer, benchAudience)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return "", fmt.Errorf("write skillgate's configuration: %w", err)
	}
	return path, nil
}
