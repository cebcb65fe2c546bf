package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os/user"
	"strings"

	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

const keysUsage = `Usage: skillgate keys <command> [flags]

Manage the API keys in the server's database (the server may be running).

Commands:
  create --name NAME [flags]   create a key and print its secret, once
  list [flags]                 list keys
  show ID                      show a key and its secrets
  update ID [flags]            change a key's name, state or limits
  revoke ID | revoke --stdin   revoke a key and every key it minted
  rotate ID [--grace 7d]       issue a new secret for a key

Every command takes --config FILE and --data DIR (as for serve) and --json.
Run "skillgate keys <command> --help" for its flags.
`

// maxStdinKey bounds what revoke --stdin reads: a key is under 100 bytes.
const maxStdinKey = 4 << 10

func (a *app) keys(ctx context.Context, args []string) error {
	cmds := map[string]func(context.Context, []string) error{
		"create": a.keysCreate, "list": a.keysList, "show": a.keysShow,
		"update": a.keysUpdate, "revoke": a.keysRevoke, "rotate": a.keysRotate,
	}
	switch {
	case len(args) > 0 && cmds[args[0]] != nil:
		return cmds[args[0]](ctx, args[1:])
	case len(args) > 0 && (args[0] == "help" || args[0] == "-h" || args[0] == "--help"):
		fmt.Fprint(a.stdout, keysUsage)
		return nil
	case len(args) == 0 || strings.HasPrefix(args[0], "-"):
		fmt.Fprint(a.stderr, keysUsage)
		return a.report(wantsJSON(args), fmt.Errorf("%w: keys: no command given (create, list, show, update, revoke, rotate)", errUsage))
	}
	return a.report(wantsJSON(args), fmt.Errorf("%w: keys: unknown command %q (create, list, show, update, revoke, rotate)", errUsage, args[0]))
}

// execute parses args for c and runs fn with the positional arguments,
// reporting an error as the command line asked (see report).
func (a *app) execute(c *command, args []string, fn func(positional []string) error) error {
	positional, err := c.parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil
	case err != nil:
		// The flag package has printed the usage; the error names the flag.
		return a.report(c.json || wantsJSON(args), fmt.Errorf("%w: %s: %v", errUsage, c.name, err))
	}
	return a.report(c.json, fn(positional))
}

// report returns err for main to print and set the exit status by, with
// a refused key operation's hint added. With --json it also prints err
// as a JSON object on standard output, where a script reads.
func (a *app) report(asJSON bool, err error) error {
	if err == nil {
		return nil
	}
	code, message, hint := "error", err.Error(), ""
	if errors.Is(err, errUsage) {
		code, message = "usage", strings.TrimPrefix(message, errUsage.Error()+": ")
		hint = "Run the command with --help for its flags."
	}
	if e, ok := errors.AsType[*apikey.Error](err); ok {
		code, message, hint = kindCode(e.Kind), e.Message, e.Hint
		if hint != "" {
			err = fmt.Errorf("%w\n  hint: %s", err, hint)
		}
	}
	if asJSON {
		// A failed write to stdout has nowhere else to go; the error is
		// still returned and printed on stderr.
		_ = a.printJSON(struct {
			Error   string `json:"error"`
			Message string `json:"message"`
			Hint    string `json:"hint,omitempty"`
		}{code, message, hint})
	}
	return err
}

// kindCode names a refused key operation as the REST API does.
func kindCode(k apikey.Kind) string {
	switch k {
	case apikey.KindInvalid:
		return "invalid_request"
	case apikey.KindForbidden:
		return "insufficient_scope"
	case apikey.KindNotFound:
		return "not_found"
	case apikey.KindConflict:
		return "conflict"
	}
	return "error"
}

func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// keyEnv is what a keys command works with: the server's database and a
// key manager acting for the operator.
type keyEnv struct {
	db    store.Store
	mgr   *apikey.Manager
	actor apikey.Actor
}

// openKeys opens the database the command's configuration names. The
// caller closes env.db.
func (a *app) openKeys(ctx context.Context, c *command) (*keyEnv, error) {
	cfg, err := a.loadConfig(c.config, "", c.data)
	if err != nil {
		return nil, err
	}
	set, err := newPersonaSet(cfg)
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(a.stderr, nil))
	db, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	// Synchronous: the process exits right after acting, and an audit
	// event must be on disk by then.
	rec := audit.Sync{A: db, Logger: logger}
	mgr, err := apikey.NewManager(db, rec, keyPolicy(cfg, set), nil)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("auth.managed_keys: %w", err)
	}
	return &keyEnv{db: db, mgr: mgr, actor: apikey.CLIActor(a.osUser())}, nil
}

// withKeys opens the key environment, runs fn in it and closes it.
func (a *app) withKeys(ctx context.Context, c *command, fn func(env *keyEnv) error) error {
	env, err := a.openKeys(ctx, c)
	if err != nil {
		return err
	}
	defer env.db.Close()
	return fn(env)
}

// osUser names the operator in audit rows: the OS account, or $USER.
func (a *app) osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if v, ok := a.lookupEnv("USER"); ok && v != "" {
		return v
	}
	return "unknown"
}
