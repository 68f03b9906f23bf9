package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

const problemBase = "https://lowcode.dev/problems/"

// Problem is an RFC 9457 problem that a handler returns as an error.
type Problem struct {
	Status        int
	Type          string // the last segment of the type URI, such as "validation"
	Title         string
	Detail        string
	Errors        []api.FieldError
	ConflictingID string
	// Refusal marks an authorization decision (403, and the 404s and 400s that hide what the
	// caller may not read): a replayed write that the caller would now be refused gets it
	// instead of the stored response.
	Refusal bool
}

func (p *Problem) Error() string {
	msg := p.Title
	if p.Detail != "" {
		msg += ": " + p.Detail
	}
	for _, fe := range p.Errors {
		msg += "; " + fe.Field + ": " + fe.Message
	}
	return msg
}

// FieldError is a shorthand for one field-level validation error.
func FieldError(field, format string, args ...any) api.FieldError {
	return api.FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// invalid is a 400 with field-level errors; nil when there are none, so that validators can
// collect errors and return invalid(errs...) unconditionally.
func invalid(errs ...api.FieldError) error {
	if len(errs) == 0 {
		return nil
	}
	return &Problem{Status: http.StatusBadRequest, Type: "validation", Title: "The request is not valid",
		Detail: "fix the fields listed in errors and send it again", Errors: errs}
}

func badRequest(detail string) error {
	return &Problem{Status: http.StatusBadRequest, Type: "bad-request", Title: "Bad request", Detail: detail}
}

// notFound says that an object does not exist.
func notFound(kind, id string) error {
	return &Problem{Status: http.StatusNotFound, Type: "not-found", Title: "Not found",
		Detail: fmt.Sprintf("there is no %s with id %q", kind, id)}
}

// forbiddenScope refuses an object that exists but lies outside what the caller may read (see
// authz.go): never a 404, so that a client does not take it for deleted.
func forbiddenScope(kind, id, needs string) error {
	return &Problem{Status: http.StatusForbidden, Type: "forbidden-scope", Title: "Outside the API key's scope",
		Detail: fmt.Sprintf("%s %s exists, but this API key may not read it: that needs %s", kind, id, needs), Refusal: true}
}

func forbidden(detail string) error {
	return &Problem{Status: http.StatusForbidden, Type: "forbidden", Title: "Forbidden", Detail: detail, Refusal: true}
}

// hidden is notFound for an object that exists but that the caller may not read: the same
// answer, marked as a refusal. Only other users' API tokens are hidden so (they never enter
// state); every other object outside the caller's scope is forbiddenScope.
func hidden(kind, id string) error {
	return asRefusal(notFound(kind, id))
}

// unreadableParent is the field error for a parent that is missing or that the caller may not
// read, marked as a refusal: the answer does not tell the two apart.
func unreadableParent(field, format string, args ...any) error {
	return asRefusal(invalid(FieldError(field, format, args...)))
}

// asRefusal marks a problem as an authorization decision.
func asRefusal(err error) error {
	var p *Problem
	if errors.As(err, &p) {
		p.Refusal = true
	}
	return err
}

// isRefusal tells whether err is an authorization decision.
func isRefusal(err error) bool {
	var p *Problem
	return errors.As(err, &p) && p.Refusal
}

func conflict(detail, conflictingID string) error {
	return &Problem{Status: http.StatusConflict, Type: "conflict", Title: "Conflict", Detail: detail, ConflictingID: conflictingID}
}

func unprocessable(detail string) error {
	return &Problem{Status: http.StatusUnprocessableEntity, Type: "unprocessable", Title: "Unprocessable request", Detail: detail}
}

func unauthorized(detail string) error {
	return &Problem{Status: http.StatusUnauthorized, Type: "unauthorized", Title: "Unauthorized", Detail: detail}
}

// problemFor maps any handler error to the problem the client sees.
func problemFor(err error) *Problem {
	var p *Problem
	var ce *store.ConflictError
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &ce):
		return &Problem{Status: http.StatusConflict, Type: "conflict", Title: "Conflict", Detail: ce.Message, ConflictingID: ce.ExistingID}
	case errors.Is(err, store.ErrPreconditionFailed):
		return &Problem{Status: http.StatusPreconditionFailed, Type: "precondition-failed", Title: "Precondition failed",
			Detail: "the object changed since the etag in If-Match was read; read it again and reapply the change"}
	case errors.Is(err, store.ErrNotFound):
		return &Problem{Status: http.StatusNotFound, Type: "not-found", Title: "Not found", Detail: "the object does not exist"}
	case errors.Is(err, store.ErrBadPageToken):
		return &Problem{Status: http.StatusBadRequest, Type: "validation", Title: "The request is not valid",
			Errors: []api.FieldError{{Field: "page_token", Message: err.Error()}}}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &Problem{Status: http.StatusServiceUnavailable, Type: "unavailable", Title: "Service unavailable",
			Detail: "the request was cancelled or timed out before it finished; retry it"}
	}
	return &Problem{Status: http.StatusInternalServerError, Type: "internal", Title: "Internal server error",
		Detail: "the server failed to handle the request; the error is in the server's log"}
}

// fail writes err as problem+json, logging what the client does not see.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	if p.Status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	writeProblem(w, r, p)
}

func writeProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	body := api.Problem{Type: problemBase + p.Type, Title: p.Title, Status: p.Status, Instance: ptr(r.URL.Path)}
	if p.Detail != "" {
		body.Detail = ptr(p.Detail)
	}
	if len(p.Errors) > 0 {
		body.Errors = &p.Errors
	}
	if p.ConflictingID != "" {
		body.ConflictingID = ptr(p.ConflictingID)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(body)
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
