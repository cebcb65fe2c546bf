package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
)

func (a *app) keysCreate(ctx context.Context, args []string) error {
	c := a.newCommand("keys create", "keys create --name NAME [flags]")
	f := c.flags
	name := f.String("name", "", "the key's name (required)")
	description := f.String("description", "", "what the key is for")
	owner := f.String("user", "", "the user who owns the key")
	org := f.String("org", "", "the organisation that owns the key")
	var teams, roles, scopes, skills listFlag
	f.Var(&teams, "team", "a team skill drive the key sees (repeatable, or comma-separated)")
	f.Var(&roles, "role", "a role of the key (repeatable, or comma-separated)")
	f.Var(&scopes, "scope", "a scope of the key (repeatable; default: what its roles allow; --scope '' for none)")
	f.Var(&skills, "skill", "a skill id the key may use (repeatable; default: every skill)")
	noSkills := f.Bool("no-skills", false, "the key may use no skill at all")
	var claims claimsFlag
	f.Var(&claims, "claim", "a custom claim NAME=VALUE (repeatable)")
	expires := f.String("expires", "", "when the key expires: a duration (30d, 12h) or an RFC 3339 time")
	quota := f.Int64("quota", 0, "monthly execution quota (0: unlimited)")
	rate := f.Int("rate", 0, "requests per minute (0: unlimited)")
	parent := f.String("parent", "", "the key (key_...) this one is a child of")
	return a.execute(c, args, func(positional []string) error {
		if err := c.noArgs(positional); err != nil {
			return err
		}
		if *name == "" {
			return c.usagef("--name is required")
		}
		if *parent != "" && !strings.HasPrefix(*parent, "key_") {
			// Not repeated: it may be a secret pasted in the wrong place.
			return c.usagef("--parent must be a key id (key_...)")
		}
		p := apikey.CreateParams{
			Name: *name, Description: *description, User: *owner, Org: *org,
			Teams: teams.list(), Roles: roles.list(), Scopes: scopes.list(), Claims: claims.claims,
			MonthlyQuota: *quota, RateLimitPerMinute: *rate, AllowedSkillIDs: skills.list(), ParentID: *parent,
		}
		if *noSkills {
			if skills.given {
				return c.usagef("give --skill or --no-skills, not both")
			}
			p.AllowedSkillIDs = []string{}
		}
		if *expires != "" {
			t, err := parseExpiry(*expires, time.Now())
			if err != nil {
				return c.usagef("--expires: %v", err)
			}
			p.ExpiresAt = t
		}
		return a.withKeys(ctx, c, func(env *keyEnv) error {
			created, err := env.mgr.Create(ctx, env.actor, p)
			if err != nil {
				return err
			}
			if c.json {
				return a.printJSON(created)
			}
			printCreated(a.stdout, created, "Created")
			return nil
		})
	})
}

func (a *app) keysUpdate(ctx context.Context, args []string) error {
	c := a.newCommand("keys update", "keys update ID [flags]")
	f := c.flags
	name := f.String("name", "", "a new name")
	description := f.String("description", "", "a new description")
	enable := f.Bool("enable", false, "enable the key")
	disable := f.Bool("disable", false, "disable the key (it is refused until enabled again)")
	expires := f.String("expires", "", `a new expiry: a duration from now (30d), an RFC 3339 time, or "never"`)
	quota := f.Int64("quota", 0, "a new monthly execution quota (0: unlimited)")
	rate := f.Int("rate", 0, "a new rate limit per minute (0: unlimited)")
	var skills listFlag
	f.Var(&skills, "skill", "the skill ids the key may use, replacing the list (repeatable)")
	allSkills := f.Bool("all-skills", false, "the key may use every skill")
	noSkills := f.Bool("no-skills", false, "the key may use no skill")
	var claims claimsFlag
	f.Var(&claims, "claim", "a custom claim NAME=VALUE, replacing all claims (repeatable; --claim '' clears them)")
	return a.execute(c, args, func(positional []string) error {
		id, err := c.keyIDArg(positional)
		if err != nil {
			return err
		}
		// Only the flags given change anything: the zero value of a flag
		// left out must not overwrite the key.
		given := c.given()
		var u apikey.UpdateParams
		if given["name"] {
			u.Name = name
		}
		if given["description"] {
			u.Description = description
		}
		switch {
		case given["enable"] && given["disable"]:
			return c.usagef("give --enable or --disable, not both")
		case given["enable"]:
			u.Enabled = enable
		case given["disable"]:
			u.Enabled = new(!*disable)
		}
		if given["expires"] {
			t := time.Time{} // never
			if *expires != "never" {
				if t, err = parseExpiry(*expires, time.Now()); err != nil {
					return c.usagef("--expires: %v", err)
				}
			}
			u.ExpiresAt = &t
		}
		if given["quota"] {
			u.MonthlyQuota = quota
		}
		if given["rate"] {
			u.RateLimitPerMinute = rate
		}
		switch n := countTrue(given["skill"], given["all-skills"], given["no-skills"]); {
		case n > 1:
			return c.usagef("give one of --skill, --all-skills and --no-skills")
		case given["skill"]:
			list := skills.list()
			u.AllowedSkillIDs = &list
		case given["all-skills"] && *allSkills:
			u.AllowedSkillIDs = new([]string) // nil: every skill
		case given["no-skills"] && *noSkills:
			u.AllowedSkillIDs = &[]string{}
		}
		if given["claim"] {
			u.Claims = &claims.claims
		}
		if u == (apikey.UpdateParams{}) {
			return c.usagef("nothing to change: give at least one of --name, --description, --enable, --disable, --expires, --quota, --rate, --skill, --all-skills, --no-skills, --claim")
		}
		return a.withKeys(ctx, c, func(env *keyEnv) error {
			v, err := env.mgr.Update(ctx, env.actor, id, u)
			if err != nil {
				return err
			}
			if c.json {
				return a.printJSON(v)
			}
			fmt.Fprintf(a.stdout, "Updated %s.\n\n", v.ID)
			printKey(a.stdout, v)
			return nil
		})
	})
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
