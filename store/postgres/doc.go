// Package postgres is the PostgreSQL backend of store.Store, for several
// skillgate replicas that share one database. It speaks to PostgreSQL
// through pgx, applies its embedded migrations at Open under an advisory
// lock so that replicas starting together migrate once, and keeps every
// rule of the store interface across processes: quota spends and code
// redemptions are single conditional statements, read-modify-write
// transactions lock the rows they decide on, and the keys version that
// caches of verified credentials check is pushed to every replica with
// LISTEN/NOTIFY and confirmed by polling, so that no replica serves a
// revoked key for longer than a configured bound (one second by default).
// The package also provides a rate limiter whose state lives in the
// database, so that a per-minute limit holds for the sum of the replicas.
package postgres
