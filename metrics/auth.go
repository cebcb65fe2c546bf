package metrics

// Credential sources of an authentication decision. The first four are the
// values of auth.Source; a refused request has no principal, so it counts
// as SourceNone (no credential sent) or SourceUnknown.
const (
	SourceNone    = "none"
	SourceUnknown = unknown
)

var knownSources = []string{"static_key", "managed_key", "oidc", "oauth", SourceNone, SourceUnknown}

// AuthDecision counts an authentication decision: result is ResultOK,
// ResultDenied (the credential was refused: 401) or ResultError (it could
// not be checked: 503). An unexpected source or result counts as
// "unknown" or ResultError, so the label sets stay fixed.
func (m *Metrics) AuthDecision(source, result string) {
	m.authDecisions.WithLabelValues(
		oneOf(source, SourceUnknown, knownSources...),
		oneOf(result, ResultError, ResultOK, ResultDenied, ResultError),
	).Inc()
}
