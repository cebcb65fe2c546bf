package api

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// parseQuery returns the request's query parameters, refusing any not
// among allowed (a misspelt filter would otherwise silently match
// everything) and any given twice.
func parseQuery(r *http.Request, allowed ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, badRequest("The query string cannot be parsed", "Percent-encode the query parameters.")
	}
	for _, name := range slices.Sorted(maps.Keys(q)) {
		if !slices.Contains(allowed, name) {
			return nil, badRequest("Unknown query parameter "+quoteName(name), fmt.Sprintf("Parameters here are: %v.", allowed))
		}
		if len(q[name]) > 1 {
			return nil, badRequest("Query parameter "+quoteName(name)+" is given more than once", "Give it once.")
		}
	}
	return q, nil
}

// intParam returns the integer parameter name, or 0 when absent.
func intParam(q url.Values, name string) (int, error) {
	s := q.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, badRequest(fmt.Sprintf("Query parameter %s must be a whole number", name), "For example "+name+"=50.")
	}
	return n, nil
}

// timeParam returns the RFC 3339 time parameter name, or the zero time
// when absent.
func timeParam(q url.Values, name string) (time.Time, error) {
	s := q.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, badRequest(fmt.Sprintf("Query parameter %s must be an RFC 3339 time", name), "For example "+name+"=2026-01-02T15:04:05Z (encode + as %2B).")
	}
	return t, nil
}
