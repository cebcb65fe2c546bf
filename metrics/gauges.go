package metrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/skillgate/skillgate/audit"
)

// SessionCounter reports the MCP sessions open now; *mcpserver.Server is
// one. It MUST be safe for concurrent use: it is called on every scrape.
type SessionCounter interface {
	SessionCounts() (streamable, sse int)
}

// AuditStats reports the audit log's counters; *audit.Log is one. It MUST
// be safe for concurrent use: it is called on every scrape.
type AuditStats interface {
	Stats() audit.Stats
}

// WatchSessions exports skillgate_active_sessions{transport} ("streamable"
// or "sse"), read from s on each scrape. It fails if sessions are already
// watched.
func (m *Metrics) WatchSessions(s SessionCounter) error {
	if err := m.registry.Register(sessionCollector{s}); err != nil {
		return fmt.Errorf("register session metrics: %w", err)
	}
	return nil
}

// WatchAudit exports skillgate_audit_queue_depth and the counters
// skillgate_audit_events_dropped_total and
// skillgate_audit_events_written_total, read from l on each scrape. It
// fails if an audit log is already watched.
func (m *Metrics) WatchAudit(l AuditStats) error {
	if err := m.registry.Register(auditCollector{l}); err != nil {
		return fmt.Errorf("register audit metrics: %w", err)
	}
	return nil
}

var activeSessionsDesc = prometheus.NewDesc(namespace+"_active_sessions",
	"MCP sessions open now, by transport (streamable, sse).", []string{"transport"}, nil)

// sessionCollector reads both counts in one call, so a scrape sees one
// consistent snapshot.
type sessionCollector struct{ s SessionCounter }

func (c sessionCollector) Describe(ch chan<- *prometheus.Desc) { ch <- activeSessionsDesc }

func (c sessionCollector) Collect(ch chan<- prometheus.Metric) {
	streamable, sse := c.s.SessionCounts()
	ch <- prometheus.MustNewConstMetric(activeSessionsDesc, prometheus.GaugeValue, float64(streamable), "streamable")
	ch <- prometheus.MustNewConstMetric(activeSessionsDesc, prometheus.GaugeValue, float64(sse), "sse")
}

var (
	auditQueueDesc = prometheus.NewDesc(namespace+"_audit_queue_depth",
		"Audit events waiting to be written.", nil, nil)
	auditDroppedDesc = prometheus.NewDesc(namespace+"_audit_events_dropped_total",
		"Audit events that will never be written: refused by a full queue or lost to failed writes.", nil, nil)
	auditWrittenDesc = prometheus.NewDesc(namespace+"_audit_events_written_total",
		"Audit events written to storage.", nil, nil)
)

// auditCollector reads the audit log's counters in one Stats call per
// scrape.
type auditCollector struct{ l AuditStats }

func (c auditCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- auditQueueDesc
	ch <- auditDroppedDesc
	ch <- auditWrittenDesc
}

func (c auditCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.l.Stats()
	ch <- prometheus.MustNewConstMetric(auditQueueDesc, prometheus.GaugeValue, float64(st.Queued))
	ch <- prometheus.MustNewConstMetric(auditDroppedDesc, prometheus.CounterValue, float64(st.Dropped))
	ch <- prometheus.MustNewConstMetric(auditWrittenDesc, prometheus.CounterValue, float64(st.Written))
}
