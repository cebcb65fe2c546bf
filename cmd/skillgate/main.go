// Command skillgate runs the skillgate MCP server and manages it.
//
// Usage:
//
//	skillgate serve [--config platform.yaml] [--addr HOST:PORT] [--data DIR]
//	skillgate keys create|list|show|update|revoke|rotate [flags]
//	skillgate audit [flags]
//	skillgate version
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `skillgate: an MCP server that serves skills, with authentication built in.

Usage:
  skillgate serve [flags]   run the server (defaults: 127.0.0.1:8080, ./data, bundled skills)
  skillgate keys <command>  manage API keys: create, list, show, update, revoke, rotate
  skillgate audit [flags]   show the audit log
  skillgate version         print the version
  skillgate help            show this help

Run "skillgate serve --help", "skillgate keys help" or "skillgate audit --help" for flags.
`

// errUsage marks errors caused by a bad command line (exit status 2).
var errUsage = errors.New("usage error")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a := &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, lookupEnv: os.LookupEnv}
	err := a.run(ctx, os.Args[1:])
	stop()
	switch {
	case err == nil:
	case errors.Is(err, errUsage):
		fmt.Fprintf(os.Stderr, "skillgate: %v\n", err)
		os.Exit(2)
	default:
		fmt.Fprintf(os.Stderr, "skillgate: %v\n", err)
		os.Exit(1)
	}
}

// app is the command with its surroundings injected, so tests can run it in
// process.
type app struct {
	// stdin is read only by "keys revoke --stdin".
	stdin          io.Reader
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
	// onListen, if set, is called with the address the server listens on.
	onListen func(addr string)
}

func (a *app) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage)
		return fmt.Errorf("%w: no command given (try \"skillgate serve\")", errUsage)
	}
	switch args[0] {
	case "serve":
		return a.serve(ctx, args[1:])
	case "keys":
		return a.keys(ctx, args[1:])
	case "audit":
		return a.showAudit(ctx, args[1:])
	case "version", "--version":
		fmt.Fprintln(a.stdout, "skillgate", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(a.stdout, usage)
		return nil
	default:
		return fmt.Errorf("%w: unknown command %q (commands: serve, keys, audit, version, help)", errUsage, args[0])
	}
}
