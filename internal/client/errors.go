package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// Sentinels for the answers callers act on. Match them with errors.Is; an *APIError matches
// the one for its status.
var (
	ErrValidation   = errors.New("invalid request") // 400, 422
	ErrUnauthorized = errors.New("unauthorized")    // 401
	ErrForbidden    = errors.New("forbidden")       // 403
	// ErrOutOfScope is a 403 whose problem type is forbidden-scope: the object exists, but the
	// API key may not read it. It also matches ErrForbidden. Never take it for ErrNotFound: the
	// object is still there.
	ErrOutOfScope         = errors.New("outside the API key's scope")
	ErrNotFound           = errors.New("not found")            // 404
	ErrConflict           = errors.New("conflict")             // 409
	ErrPreconditionFailed = errors.New("precondition failed")  // 412: the etag is stale
	ErrUnreachable        = errors.New("endpoint unreachable") // from Verify: no HTTP answer
)

var sentinels = map[int]error{
	http.StatusBadRequest:          ErrValidation,
	http.StatusUnprocessableEntity: ErrValidation,
	http.StatusUnauthorized:        ErrUnauthorized,
	http.StatusForbidden:           ErrForbidden,
	http.StatusNotFound:            ErrNotFound,
	http.StatusConflict:            ErrConflict,
	http.StatusPreconditionFailed:  ErrPreconditionFailed,
}

// APIError is an answer outside 2xx. Problem holds the server's RFC 9457 problem; when the
// body was something else (a proxy's HTML page, say), Problem has only Status and Title and
// Body holds a short plain-text excerpt of what came back.
type APIError struct {
	StatusCode int
	Problem    api.Problem
	Body       string
	Method     string
	Path       string
}

// Error reads like `HTTP 409 Conflict: an application named "x" already exists in
// production (conflicting id app_123)`, with each field error as `field: message`.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	var parts []string
	switch {
	case e.Problem.Detail != nil && *e.Problem.Detail != "":
		parts = append(parts, *e.Problem.Detail)
	case e.Problem.Title != "" && e.Problem.Title != http.StatusText(e.StatusCode):
		parts = append(parts, e.Problem.Title)
	case e.Body != "":
		parts = append(parts, e.Body)
	}
	if e.Problem.Errors != nil {
		for _, fe := range *e.Problem.Errors {
			parts = append(parts, fe.Field+": "+fe.Message)
		}
	}
	if len(parts) > 0 {
		b.WriteString(": " + strings.Join(parts, "; "))
	}
	if e.Problem.ConflictingID != nil && *e.Problem.ConflictingID != "" {
		fmt.Fprintf(&b, " (conflicting id %s)", *e.Problem.ConflictingID)
	}
	return b.String()
}

// problemForbiddenScope is the problem type of a 403 for an object outside the key's scope.
const problemForbiddenScope = "/problems/forbidden-scope"

// Is matches the sentinel of the status, so errors.Is(err, ErrNotFound) works, and
// ErrOutOfScope for a 403 of the problem type forbidden-scope.
func (e *APIError) Is(target error) bool {
	if target == ErrOutOfScope {
		return e.StatusCode == http.StatusForbidden && strings.HasSuffix(e.Problem.Type, problemForbiddenScope)
	}
	s, ok := sentinels[e.StatusCode]
	return ok && s == target
}

// maxBody bounds what is read of any response; the API's largest answers are pages of at most
// 1000 items.
const maxBody = 32 << 20

// receive finishes a generated call: the body of a 2xx answer, or the error.
func receive(resp *http.Response, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("reading the answer to %s %s: %w", resp.Request.Method, resp.Request.URL.Path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newAPIError(resp, body)
	}
	return body, nil
}

// decode finishes a generated call whose 2xx answer is a T. It takes the generated method's
// two results as they are: decode[api.Application](c.api.GetApplication(ctx, id)).
func decode[T any](resp *http.Response, err error) (*T, error) {
	body, err := receive(resp, err)
	if err != nil {
		return nil, err
	}
	out := new(T)
	if err := json.Unmarshal(body, out); err != nil {
		return nil, &decodeError{status: resp.StatusCode, method: resp.Request.Method, path: resp.Request.URL.Path, err: err}
	}
	return out, nil
}

// decodeError is a 2xx answer that is not the JSON the contract promises, which usually means
// the endpoint is not the platform.
type decodeError struct {
	status       int
	method, path string
	err          error
}

func (e *decodeError) Error() string {
	return fmt.Sprintf("HTTP %d from %s %s: the answer is not the expected JSON: %v", e.status, e.method, e.path, e.err)
}

func (e *decodeError) Unwrap() error { return e.err }

// discard finishes a generated call whose 2xx answer has no body worth reading.
func discard(resp *http.Response, err error) error {
	_, err = receive(resp, err)
	return err
}

func newAPIError(resp *http.Response, body []byte) *APIError {
	e := &APIError{StatusCode: resp.StatusCode, Method: resp.Request.Method, Path: resp.Request.URL.Path}
	media, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if media == "application/problem+json" || media == "application/json" {
		if json.Unmarshal(body, &e.Problem) == nil && (e.Problem.Title != "" || e.Problem.Detail != nil) {
			e.Problem.Status = resp.StatusCode
			return e
		}
		e.Problem = api.Problem{}
	}
	e.Problem.Status = resp.StatusCode
	e.Problem.Title = http.StatusText(resp.StatusCode)
	e.Body = excerpt(body, media)
	return e
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// excerpt makes a one-line, bounded text of a body that is not a problem, so that an error
// from a proxy or a wrong endpoint still says something readable.
func excerpt(body []byte, media string) string {
	text := string(body)
	if media == "text/html" || strings.HasPrefix(strings.TrimSpace(text), "<") {
		if m := htmlTitle.FindStringSubmatch(text); m != nil {
			text = m[1]
		} else {
			text = htmlTag.ReplaceAllString(text, " ")
		}
	}
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > 200 {
		text = string(r[:200]) + "…"
	}
	if text != "" && media != "" && media != "text/plain" {
		text += " (" + media + ", not an API problem; is a proxy in the way?)"
	}
	return text
}
