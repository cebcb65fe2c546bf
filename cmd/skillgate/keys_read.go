package main

import (
	"context"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

func (a *app) keysList(ctx context.Context, args []string) error {
	c := a.newCommand("keys list", "keys list [flags]")
	f := c.flags
	owner := f.String("user", "", "only keys of this user")
	org := f.String("org", "", "only keys of this organisation")
	parent := f.String("parent", "", "only children of this key")
	state := f.String("state", "", "only keys in this state: active, disabled, expired or revoked")
	limit := f.Int("limit", apikey.DefaultPageSize, fmt.Sprintf("keys per page, at most %d", apikey.MaxPageSize))
	cursor := f.String("cursor", "", "the next-page cursor a previous list printed")
	return a.execute(c, args, func(positional []string) error {
		if err := c.noArgs(positional); err != nil {
			return err
		}
		if *limit < 1 || *limit > apikey.MaxPageSize {
			return c.usagef("--limit must be between 1 and %d", apikey.MaxPageSize)
		}
		switch store.KeyState(*state) {
		case "", store.StateActive, store.StateDisabled, store.StateExpired, store.StateRevoked:
		default:
			return c.usagef("--state must be active, disabled, expired or revoked")
		}
		return a.withKeys(ctx, c, func(env *keyEnv) error {
			page, err := env.mgr.List(ctx, env.actor, apikey.ListParams{
				User: *owner, Org: *org, ParentID: *parent, State: store.KeyState(*state), Cursor: *cursor, Limit: *limit,
			})
			if err != nil {
				return err
			}
			if c.json {
				return a.printJSON(page)
			}
			printKeyTable(a.stdout, page, time.Now())
			return nil
		})
	})
}

func (a *app) keysShow(ctx context.Context, args []string) error {
	c := a.newCommand("keys show", "keys show ID [flags]")
	return a.execute(c, args, func(positional []string) error {
		id, err := c.keyIDArg(positional)
		if err != nil {
			return err
		}
		return a.withKeys(ctx, c, func(env *keyEnv) error {
			v, err := env.mgr.Get(ctx, env.actor, id)
			if err != nil {
				return err
			}
			if c.json {
				return a.printJSON(v)
			}
			printKey(a.stdout, v)
			return nil
		})
	})
}
