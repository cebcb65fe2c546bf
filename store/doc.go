// Package store is skillgate's persistence contract: the domain types it
// keeps (managed API keys now; OAuth clients and grants and the audit log
// later), one small interface per aggregate (Keys, ...), the Store that a
// backend provides by embedding them, and the sentinel errors every backend
// returns so callers can match them with errors.Is. Backends live in
// subpackages named after their dependency (store/sqlite, later
// store/postgres) and all pass the conformance suite in store/storetest.
package store
