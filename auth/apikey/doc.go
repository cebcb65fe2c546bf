// Package apikey verifies API keys: static keys written in platform.yaml and
// managed keys stored, as SHA-256 hashes only, in the database. It also
// generates new keys and their public ids, and creates the first admin key
// of a fresh installation. Both verifiers implement auth.Verifier.
package apikey
