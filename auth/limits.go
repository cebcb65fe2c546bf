package auth

// Limits on what a client may send as a credential. They are generous for
// every real credential (a 43-character API key, a JWT of a few KiB) and
// small enough that parsing a hostile header costs nothing.
const (
	// MaxTokenLength is the longest credential accepted, in bytes.
	MaxTokenLength = 8 << 10
	// maxSchemeEcho is how much of an unexpected auth scheme an error repeats.
	maxSchemeEcho = 20
)
