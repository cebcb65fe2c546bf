package metrics

import (
	"net/http"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric skillgate defines.
const namespace = "skillgate"

// Label values used when a value is not one of a label's known values, so
// that nothing a caller sends can create a new series.
const (
	other   = "other"
	unknown = "unknown"
)

// Results of a tool call or an authentication decision.
const (
	ResultOK     = "ok"
	ResultError  = "error"
	ResultDenied = "denied"
)

// Metrics holds skillgate's collectors and the registry they are
// registered on. Its methods are safe for concurrent use.
type Metrics struct {
	registry *prometheus.Registry
	// tools are the tool names counted by name; any other is "other".
	tools []string

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	authDecisions   *prometheus.CounterVec
	rateLimited     *prometheus.CounterVec
	quotaRejections prometheus.Counter
	toolCalls       *prometheus.CounterVec
	toolDuration    *prometheus.HistogramVec
}

// New returns Metrics on a registry of their own, with the Go runtime and
// process collectors registered. tools are the names of the MCP tools the
// server registers: tool calls are labelled by them, and any other name
// (an unknown tool a client asked for) by "other".
func New(tools ...string) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		tools:    slices.Clone(tools),
	}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "http_requests_total",
		Help: "HTTP requests answered, by route and status code.",
	}, []string{"route", "code"})
	m.requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by route. SSE streams count their whole life.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})
	m.authDecisions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "auth_decisions_total",
		Help: "Authentication decisions, by credential source and result (ok, denied, error).",
	}, []string{"source", "result"})
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "rate_limited_total",
		Help: "Requests refused with 429 because a credential's rate limit was spent, by route.",
	}, []string{"route"})
	m.quotaRejections = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Name: "quota_rejections_total",
		Help: "Script runs refused because a key's monthly execution quota was used up.",
	})
	m.toolCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "tool_calls_total",
		Help: "MCP tool calls, by tool, persona and result (ok, error, denied).",
	}, []string{"tool", "persona", "result"})
	m.toolDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "tool_call_duration_seconds",
		Help: "Time spent in MCP tool calls, by tool.",
		// Scripts may run for as long as skills.script_timeout allows,
		// which is often longer than DefBuckets' 10s.
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"tool"})

	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.requestDuration, m.authDecisions, m.rateLimited,
		m.quotaRejections, m.toolCalls, m.toolDuration,
	)
	return m
}

// Handler serves the metrics in the Prometheus text (or, when asked,
// OpenMetrics) format. It does no authentication: whoever mounts it
// decides who may scrape.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{
		Registry:          m.registry,
		EnableOpenMetrics: true,
	})
}

// oneOf returns v if it is one of known, else fallback.
func oneOf(v string, fallback string, known ...string) string {
	if slices.Contains(known, v) {
		return v
	}
	return fallback
}
