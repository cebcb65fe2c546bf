package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/internal/apierror"
	"github.com/skillgate/skillgate/store"
)

var errNoPrincipal = errors.New("api: request reached a handler without a principal")

// writeJSON sends v as the JSON body of a response with status. It returns
// an error, having written nothing, when v cannot be encoded.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	// A failed write means the client went away; there is no one to tell.
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// fail answers a server failure: the error is logged, the client gets a
// generic 500 that reveals nothing internal.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "API request failed", "method", r.Method, "path", auth.LogPath(r.URL.Path), "err", err)
	if errors.Is(err, store.ErrUnavailable) {
		apierror.Write(w, apierror.New(http.StatusServiceUnavailable, apierror.CodeUnavailable,
			"The database is unavailable", "Retry in a few seconds."))
		return
	}
	apierror.Write(w, internalError())
}

func internalError() *apierror.Error {
	return apierror.New(http.StatusInternalServerError, apierror.CodeInternal,
		"Internal server error", "Retry later; if it persists, the server's log has the details.")
}

// writeError answers a handler's error: a structured error as it is, a
// refused key or client operation with the status of its kind (and the
// hint it carries, else one for the route's resource), anything else as a
// server failure.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, a apikey.Actor, err error) {
	if e, ok := errors.AsType[*apierror.Error](err); ok {
		apierror.Write(w, e)
		return
	}
	e, ok := errors.AsType[*apikey.Error](err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	notFoundHint, conflictHint := "List the keys you can see with GET /v1/api-keys.", "Check the key's state with GET /v1/api-keys/{id}."
	if strings.HasPrefix(r.URL.Path, "/v1/oauth-clients") {
		notFoundHint, conflictHint = clientsHint, clientsHint
	}
	var status int
	var code, hint string
	switch e.Kind {
	case apikey.KindForbidden:
		auth.WriteInsufficientScope(w, a.Scopes, e.Scope, e.Message)
		return
	case apikey.KindInvalid:
		status, code, hint = http.StatusBadRequest, apierror.CodeInvalidRequest, "Correct the request as the message says and send it again."
	case apikey.KindNotFound:
		status, code, hint = http.StatusNotFound, apierror.CodeNotFound, notFoundHint
	case apikey.KindConflict:
		status, code, hint = http.StatusConflict, apierror.CodeConflict, conflictHint
	default:
		h.fail(w, r, err)
		return
	}
	if e.Hint != "" {
		hint = e.Hint
	}
	apierror.Write(w, apierror.New(status, code, e.Message, hint))
}
