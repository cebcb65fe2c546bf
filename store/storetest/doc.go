// Package storetest is the conformance suite for store.Store backends, in
// the manner of testing/fstest.TestFS: every backend's tests call Run with a
// constructor for a fresh, empty store, and so every backend is held to the
// same contract (round-trips, sentinel errors, atomic bootstrap, safety under
// concurrent use). Behaviour that only one backend can show, such as data
// surviving a reopen, is tested by that backend itself.
package storetest
