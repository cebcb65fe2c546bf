package auth

// Limits on what a client may send as a credential. They are generous for
// every real credential (a 43-character API key, a JWT of a few KiB, or more with many groups) and
// small enough that parsing a hostile header costs nothing.
const (
	// MaxTokenLength is the longest credential accepted, in bytes: room
	// for identity-provider tokens that carry a user's groups (Entra ID
	// lists up to 200 before it switches to an overage claim).
	MaxTokenLength = 16 << 10
	// maxSchemeEcho is how much of an unexpected auth scheme an error repeats.
	maxSchemeEcho = 20
)
