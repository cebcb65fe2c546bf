package store

import "encoding/json"

// identityJSON is the stored form of an OAuthIdentity, the same in every
// backend. Its field names are part of the schema: renaming a Go field must
// not change them.
type identityJSON struct {
	Source       string   `json:"source,omitempty"`
	CredentialID string   `json:"credential_id,omitempty"`
	SecretID     string   `json:"secret_id,omitempty"`
	Subject      string   `json:"subject,omitempty"`
	Issuer       string   `json:"issuer,omitempty"`
	User         string   `json:"user,omitempty"`
	Org          string   `json:"org,omitempty"`
	Teams        []string `json:"teams,omitempty"`
	Roles        []string `json:"roles,omitempty"`
}

// EncodeIdentity returns the stored form of id, a JSON object.
func EncodeIdentity(id OAuthIdentity) ([]byte, error) {
	return json.Marshal(identityJSON(id))
}

// DecodeIdentity reads an identity in its stored form, returning empty
// lists as nil.
func DecodeIdentity(b []byte) (OAuthIdentity, error) {
	var j identityJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return OAuthIdentity{}, err
	}
	if len(j.Teams) == 0 {
		j.Teams = nil
	}
	if len(j.Roles) == 0 {
		j.Roles = nil
	}
	return OAuthIdentity(j), nil
}
