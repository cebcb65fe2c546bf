package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/skillgate/skillgate/internal/apierror"
)

// readBody reads a request's body: at most maxBodyBytes, and, when there
// is one, of type application/json. It returns nil for an empty body.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, apierror.New(http.StatusRequestEntityTooLarge, apierror.CodeInvalidRequest,
			fmt.Sprintf("The request body is larger than %d KiB", maxBodyBytes>>10), "Send a smaller body.")
	}
	if err != nil {
		return nil, badRequest("The request body could not be read", "Send the request again.")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, nil
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return nil, apierror.New(http.StatusUnsupportedMediaType, apierror.CodeUnsupportedMedia,
			"The request body must be JSON", `Send it with "Content-Type: application/json".`)
	}
	return body, nil
}

// decodeObject decodes body, which must hold exactly one JSON object, into
// v strictly: an unknown field, a value of the wrong type or malformed
// JSON is a 400 naming what is wrong. Messages never repeat a value sent,
// which may be a secret.
func decodeObject(body []byte, v any) error {
	if trimmed := bytes.TrimSpace(body); len(trimmed) == 0 || trimmed[0] != '{' {
		return badRequest("The request body must be a JSON object", "Send an object such as {\"name\": \"...\"}.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError("", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("The request body holds more than one JSON value", "Send a single JSON object.")
	}
	return nil
}

// decodeField decodes the value of one field of a patch into v.
func decodeField(field string, raw json.RawMessage, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return decodeError(field, err)
	}
	return nil
}

// decodeError turns an encoding/json error into a 400 that names the
// field concerned. field is the field decoded, or "" for a whole body.
func decodeError(field string, err error) error {
	const hint = "Check the request body against the API reference."
	if e, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		name := strings.Trim(field+"."+e.Field, ".")
		return badRequest(fmt.Sprintf("Field %s must be %s, not %s", quoteName(name), describeType(e.Type), valueKind(e.Value)), hint)
	}
	if e, ok := errors.AsType[*json.SyntaxError](err); ok {
		return badRequest(fmt.Sprintf("The request body is not valid JSON (syntax error at byte %d)", e.Offset), hint)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return badRequest("The request body is not valid JSON: it ends too early", hint)
	}
	// encoding/json has no typed error for unknown fields.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unq, err := strconv.Unquote(name); err == nil {
			name = unq
		}
		return unknownField(name)
	}
	var invalid *json.InvalidUnmarshalError
	if errors.As(err, &invalid) {
		return fmt.Errorf("decode request: %w", err)
	}
	return badRequest("The request body could not be decoded", hint)
}

func unknownField(name string) error {
	return badRequest("Unknown field "+quoteName(name), "Remove the field; check its spelling against the API reference.")
}

// quoteName quotes a client-supplied name for a message, unless it is too
// long or odd to be a field name; it could be anything, a key included.
func quoteName(name string) string {
	if name == "" || len(name) > maxEcho {
		return "(unnamed)"
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return "(unnamed)"
		}
	}
	return strconv.Quote(name)
}

// describeType names a Go type as a JSON type.
func describeType(t reflect.Type) string {
	if t == nil {
		return "a value of another type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array of " + strings.TrimPrefix(strings.TrimPrefix(describeType(t.Elem()), "a "), "an ") + "s"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return describeType(t.Elem())
	}
	return "a value of another type"
}

// valueKind keeps the JSON kind of what was sent ("string", "number")
// and drops the value encoding/json may append to a number.
func valueKind(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	if kind == "" {
		return "that"
	}
	return kind
}

// isNull reports whether a raw JSON value is null.
func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

func badRequest(message, hint string) *apierror.Error {
	return apierror.New(http.StatusBadRequest, apierror.CodeInvalidRequest, message, hint)
}
