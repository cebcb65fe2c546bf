package api

// Limits on what a client may send and ask for, together so that they can
// be reviewed in one place.
const (
	// maxBodyBytes caps a JSON request body; the largest real one (a key
	// with every list full) is a few KiB.
	maxBodyBytes = 64 << 10
	// defaultAuditPage and maxAuditPage bound a page of the audit log.
	defaultAuditPage = 50
	maxAuditPage     = 200
	// maxEcho is the longest client-supplied name (a field, a query
	// parameter, a key id) that an error message repeats. Every API key is
	// longer (at least 50 characters), so a key pasted in the wrong place
	// is never echoed back.
	maxEcho = 40
	// maxClientIDBytes bounds an OAuth client id in a path: generated ids
	// are 46 bytes, configured ones are names chosen by an operator.
	maxClientIDBytes = 1024
)
