// Package sqlite implements store.Store on a single SQLite database file
// through modernc.org/sqlite, a pure-Go driver, so skillgate builds without
// cgo. It opens two connection pools on the file: one writer connection whose
// transactions begin IMMEDIATE, so writers queue on SQLite's write lock
// rather than failing half-way, and a pool of query-only readers that WAL
// mode lets run alongside it. A third, pinned read connection answers
// KeysVersion from PRAGMA data_version, re-reading the version row only
// when some connection committed since it last looked. Several processes may share one file. The
// schema is created and upgraded by embedded, numbered migrations when the
// database is opened, and a database written by a newer skillgate is refused
// with store.ErrSchemaTooNew.
package sqlite
