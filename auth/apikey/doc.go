// Package apikey is everything about API keys: their format (a prefix, 256
// random bits and a checksum), verifying static keys from platform.yaml and
// managed keys stored as SHA-256 hashes (with a cache that a revocation in
// any process invalidates at once), and the lifecycle of managed keys —
// creation, child keys, updates, rotation with a grace period, revocation,
// monthly quotas — with the rules of who may do what, enforced once here
// for the REST API, the CLI and the dashboard alike. The first admin key of
// a fresh installation is made here too.
package apikey
