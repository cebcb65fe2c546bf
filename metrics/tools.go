package metrics

import "time"

// ToolCall counts an MCP tool call and observes how long it took. tool is
// counted by name if New was given it, else as "other"; persona is the
// caller's persona, whose names come from the configuration ("" counts as
// "none"); result is ResultOK, ResultError or ResultDenied (the persona or
// the credential's scopes refused it), anything else counting as
// ResultError.
func (m *Metrics) ToolCall(tool, persona, result string, d time.Duration) {
	tool = oneOf(tool, other, m.tools...)
	if persona == "" {
		persona = "none"
	}
	m.toolCalls.WithLabelValues(tool, persona,
		oneOf(result, ResultError, ResultOK, ResultError, ResultDenied)).Inc()
	m.toolDuration.WithLabelValues(tool).Observe(d.Seconds())
}

// QuotaRejected counts a script run refused because the caller's monthly
// execution quota is used up.
func (m *Metrics) QuotaRejected() {
	m.quotaRejections.Inc()
}
