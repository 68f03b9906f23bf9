package client

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/uuid"
)

// A create whose answer is lost (the connection dropped after the server committed, a proxy's
// 502, a timeout) may or may not have made the object. Retries within one call reuse the
// Idempotency-Key, so they find it; but once the retries run out, the caller must not create
// again blindly. So every create chooses the new object's id before sending (the `id` query
// parameter, as Google's AIP-133 allows) and, when the outcome is unknown, returns an
// *OutcomeUnknownError carrying that id: the caller can look the object up by id later (the
// provider keeps it in state, tainted) instead of making a second one.
//
// The alternative, keeping the Idempotency-Key across calls, would tie the caller to the
// server's 24-hour replay window and to resending the identical body; an id does neither.

// OutcomeUnknownError is a create that failed without a definite answer: the object with ID
// may exist. Unwrap gives the cause.
type OutcomeUnknownError struct {
	ID  string
	Err error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("%v; the platform may have created %s before the answer was lost", e.Err, e.ID)
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// newObjectID chooses the id of an object about to be created, in the platform's own shape:
// the kind's prefix and a time-ordered UUID as 32 hexadecimal digits.
func newObjectID(prefix string) string {
	u := uuid.Must(uuid.NewV7())
	return prefix + "_" + hex.EncodeToString(u[:])
}

// created finishes a create of the object with the chosen id: the object, or an error that is
// an *OutcomeUnknownError unless the server definitely refused.
func created[T any](id string, resp *http.Response, err error) (*T, error) {
	out, err := decode[T](resp, err)
	if err != nil {
		return nil, UnknownOutcome(id, err)
	}
	return out, nil
}

// UnknownOutcome is err from a create of the object with id: an *OutcomeUnknownError unless
// the server definitely refused (any 4xx answer), or nil for nil. Creates whose id the caller
// knows beforehand (a monitoring target's is its workflow's) use it directly.
func UnknownOutcome(id string, err error) error {
	var apiErr *APIError
	if err == nil || errors.As(err, &apiErr) && apiErr.StatusCode < http.StatusInternalServerError {
		return err
	}
	return &OutcomeUnknownError{ID: id, Err: err}
}
