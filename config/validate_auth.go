package config

import (
	"strings"
	"unicode/utf8"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
)

func (v *validator) auth(a Auth) {
	if a.QueryKeys != nil {
		for i, name := range *a.QueryKeys {
			if strings.TrimSpace(name) == "" {
				v.add(indexField("auth.query_keys", i), "parameter name is empty")
			}
		}
	}
	v.managedKeys(a.ManagedKeys)
	v.oidc(a.OIDC)
	v.oauth(a.OAuth)
	// Keys listed while api_keys is disabled are ignored, so not checked.
	if a.APIKeys.Enabled {
		v.staticKeys(a.APIKeys.Keys)
	}
}

// staticKeys checks each key and that no key or name is used twice. Key
// values are compared but never written into a message.
func (v *validator) staticKeys(keys []StaticKey) {
	keyAt := map[string]string{}  // key value -> field of first use
	nameAt := map[string]string{} // name -> field of first use
	for i, k := range keys {
		field := indexField("auth.api_keys.keys", i)
		keyField, nameField := field+".key", field+".name"
		switch {
		case strings.TrimSpace(k.Key) == "":
			v.add(keyField, "key is empty (is its environment variable set to an empty value?)")
		case strings.TrimSpace(k.Key) != k.Key:
			v.add(keyField, "key has leading or trailing whitespace (a stray newline in the environment?)")
		case utf8.RuneCountInString(k.Key) < MinKeyLength:
			v.add(keyField, "key is too weak: shorter than %d characters (generate one with: openssl rand -hex 32)", MinKeyLength)
		}
		if strings.TrimSpace(k.Key) != "" {
			if first, dup := keyAt[k.Key]; dup {
				v.add(keyField, "same key as %s; every key must be unique", v.ref(first))
			} else {
				keyAt[k.Key] = keyField
			}
		}
		name := strings.TrimSpace(k.Name)
		if name == "" {
			v.add(nameField, "name is missing; every key needs a name for audit logs")
		} else if first, dup := nameAt[name]; dup {
			v.add(nameField, "same name as %s; every key needs its own name", v.ref(first))
		} else {
			nameAt[name] = nameField
		}
		if len(k.Roles) == 0 {
			v.add(field+".roles", "roles is empty; a key without roles matches no persona")
		}
		for j, r := range k.Roles {
			if strings.TrimSpace(r) == "" {
				v.add(indexField(field+".roles", j), "role is empty")
			}
		}
		v.scopes(field+".scopes", k.Scopes)
	}
}

func (v *validator) managedKeys(m ManagedKeys) {
	if m.Prefix != "" && !apikey.ValidPrefix(m.Prefix) {
		v.add("auth.managed_keys.prefix", "must be 2 to 16 characters of a-z, 0-9 and _, ending with _ (like sk_live_)")
	}
	if m.MaxLifetime < 0 {
		v.add("auth.managed_keys.max_lifetime", "cannot be negative")
	}
	if m.RotationGrace != nil && *m.RotationGrace < 0 {
		v.add("auth.managed_keys.rotation_grace", "cannot be negative")
	}
	if m.MaxRotationGrace < 0 {
		v.add("auth.managed_keys.max_rotation_grace", "cannot be negative")
	}
	if m.RotationGrace != nil && m.MaxRotationGrace > 0 && *m.RotationGrace > m.MaxRotationGrace {
		v.add("auth.managed_keys.rotation_grace", "is longer than auth.managed_keys.max_rotation_grace")
	}
}

// scopes checks a list of scopes as the auth package knows them.
func (v *validator) scopes(field string, scopes []string) {
	for i, s := range scopes {
		if !auth.ValidScope(s) {
			v.add(indexField(field, i), "unknown scope; scopes are %s, or a pattern such as keys:*", strings.Join(auth.KnownScopes(), ", "))
		}
	}
}
