package config

import (
	"strings"
	"unicode/utf8"
)

func (v *validator) auth(a Auth) {
	if a.QueryKeys != nil {
		for i, name := range *a.QueryKeys {
			if strings.TrimSpace(name) == "" {
				v.add(indexField("auth.query_keys", i), "parameter name is empty")
			}
		}
	}
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
	}
}
