package apikey

import (
	"fmt"
	"slices"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// Actor is who asks for a key operation: an authenticated principal with
// the scopes it effectively holds (its own scopes within what its roles
// allow), and where it called from, for the audit log.
type Actor struct {
	Principal auth.Principal
	// Scopes are the effective scopes (see auth.Effective).
	Scopes []string
	// ClientAddr is the caller's network address, if any.
	ClientAddr string
}

// CLIActor is the operator running skillgate's CLI on the server's
// database: whoever can write that file can already do anything, so the
// CLI acts as an administrator, recorded under the OS user's name.
func CLIActor(osUser string) Actor {
	return Actor{
		Principal: auth.Principal{Subject: "cli:" + osUser, User: osUser, Source: "cli"},
		Scopes:    []string{auth.ScopeAdmin},
	}
}

func (a Actor) admin() bool { return slices.Contains(a.Scopes, auth.ScopeAdmin) }

// Identity names the actor in audit rows and in a key's CreatedBy: the
// principal's identity, or "cli:<user>" for the CLI operator. Other
// services acting for an Actor record it the same way.
func (a Actor) Identity() string {
	if a.Principal.Source == "cli" {
		return a.Principal.Subject
	}
	return a.Principal.Identity()
}

// ownKeyID is the id of the managed key the actor authenticated with, if
// it did.
func (a Actor) ownKeyID() string {
	return a.Principal.ManagedKeyID()
}

// need refuses the operation unless the actor holds scope.
func (a Actor) need(scope string) error {
	if auth.Grants(a.Scopes, scope) {
		return nil
	}
	return forbidden(scope, "This operation needs the "+scope+" scope")
}

// sees reports whether the actor may see the key whose lineage (the key,
// then its ancestors) is given. Administrators see every key. A managed key
// sees itself and the keys it minted, directly or not. Any other caller
// sees the keys of its own user.
func (a Actor) sees(lineage []store.APIKey) bool {
	switch {
	case a.admin():
		return true
	case a.ownKeyID() != "":
		return slices.ContainsFunc(lineage, func(k store.APIKey) bool { return k.ID == a.ownKeyID() })
	default:
		return a.Principal.User != "" && lineage[0].User == a.Principal.User
	}
}

// visibility narrows a listing to the keys the actor sees.
func (a Actor) visibility(f *store.KeyFilter) (none bool) {
	switch {
	case a.admin():
	case a.ownKeyID() != "":
		f.Within = a.ownKeyID()
	case a.Principal.User == "", f.User != "" && f.User != a.Principal.User:
		return true
	default:
		f.User = a.Principal.User
	}
	return false
}

// mayManage refuses to let a caller without admin, who manages keys by
// being their user, change a key that holds more than the caller does:
// roles it lacks, or scopes beyond its own. Otherwise a user could rotate
// an administrator's key of the same user name, or mint a child of it, and
// gain what the key holds. A managed key only ever sees keys it minted,
// which hold no more than it does.
func (m *Manager) mayManage(a Actor, lineage []store.APIKey) error {
	if a.admin() || a.ownKeyID() != "" {
		return nil
	}
	k := lineage[0]
	if r, ok := notSubset(k.Roles, a.Principal.Roles); !ok {
		return forbidden(auth.ScopeAdmin, fmt.Sprintf("Key %s holds the role %q, which you do not; only an administrator can change it", k.ID, r))
	}
	for _, s := range m.ceiling(k) {
		if !auth.Grants(a.Scopes, s) {
			return forbidden(s, fmt.Sprintf("Key %s holds the scope %s, which you do not; only an administrator can change it", k.ID, s))
		}
	}
	return nil
}
