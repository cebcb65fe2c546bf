package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/config"
)

func (a *app) keysRevoke(ctx context.Context, args []string) error {
	c := a.newCommand("keys revoke", "keys revoke ID | keys revoke --stdin")
	fromStdin := c.flags.Bool("stdin", false, "read the plain key to revoke from standard input (never pass a key as an argument)")
	return a.execute(c, args, func(positional []string) error {
		if *fromStdin {
			if len(positional) > 0 {
				return c.usagef("give a key id or --stdin, not both")
			}
			plain, err := a.readKey()
			if err != nil {
				return c.usagef("--stdin: %v", err)
			}
			return a.withKeys(ctx, c, func(env *keyEnv) error {
				r, err := env.mgr.RevokeSecret(ctx, env.actor, plain)
				return a.showRevoked(c, r, err)
			})
		}
		id, err := c.keyIDArg(positional)
		if err != nil {
			if len(positional) == 1 {
				err = c.usagef("the argument is not a key id (key_...); to revoke by the secret itself, pipe it into \"skillgate keys revoke --stdin\"")
			}
			return err
		}
		return a.withKeys(ctx, c, func(env *keyEnv) error {
			r, err := env.mgr.Revoke(ctx, env.actor, id)
			return a.showRevoked(c, r, err)
		})
	})
}

// readKey reads a plain key from the first line of standard input.
func (a *app) readKey() (string, error) {
	if a.stdin == nil {
		return "", errors.New("no standard input")
	}
	line, err := bufio.NewReader(io.LimitReader(a.stdin, maxStdinKey)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	plain := strings.TrimSpace(line)
	if plain == "" {
		return "", errors.New("no key on standard input")
	}
	return plain, nil
}

func (a *app) showRevoked(c *command, r apikey.Revoked, err error) error {
	if err != nil {
		return err
	}
	if c.json {
		return a.printJSON(r)
	}
	printRevoked(a.stdout, r)
	return nil
}

func (a *app) keysRotate(ctx context.Context, args []string) error {
	c := a.newCommand("keys rotate", "keys rotate ID [--grace 7d]")
	grace := c.flags.String("grace", "", "how long the old secret keeps working, e.g. 7d or 0s (default: the configured rotation grace)")
	return a.execute(c, args, func(positional []string) error {
		id, err := c.keyIDArg(positional)
		if err != nil {
			return err
		}
		var g *time.Duration
		if c.given()["grace"] {
			d, err := config.ParseDuration(*grace)
			if err != nil {
				return c.usagef("--grace: want a duration such as 7d, 12h or 0s")
			}
			g = &d
		}
		return a.withKeys(ctx, c, func(env *keyEnv) error {
			created, err := env.mgr.Rotate(ctx, env.actor, id, g)
			if err != nil {
				return err
			}
			if c.json {
				return a.printJSON(created)
			}
			printCreated(a.stdout, created, "Rotated")
			return nil
		})
	})
}
