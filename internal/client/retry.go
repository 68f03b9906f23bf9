package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client/retrypolicy"
)

// retryingDoer is the api.HttpRequestDoer: go-retryablehttp's StandardClient, plus the
// per-call state the attempt logger reads.
type retryingDoer struct {
	std         *http.Client
	maxAttempts int
}

func newRetryingDoer(inner *http.Client, cfg Config, maxRetries int) api.HttpRequestDoer {
	rc := &retryablehttp.Client{
		HTTPClient:   inner,
		Logger:       nil, // attemptLogger reports instead, without headers
		RetryWaitMin: cfg.RetryWaitMin,
		RetryWaitMax: cfg.RetryWaitMax,
		RetryMax:     maxRetries,
		CheckRetry:   checkRetry,
		Backoff:      retrypolicy.Backoff,
		ErrorHandler: lastAttempt,
	}
	return &retryingDoer{std: rc.StandardClient(), maxAttempts: maxRetries + 1}
}

// Do runs one logical call: the generated client built req once, so its headers, among them
// the Idempotency-Key, are the same on every attempt.
func (d *retryingDoer) Do(req *http.Request) (*http.Response, error) {
	st := &callState{caller: req.Context(), maxAttempts: d.maxAttempts}
	resp, err := d.std.Do(req.WithContext(context.WithValue(req.Context(), callKey{}, st)))
	if err != nil && st.attempts > 1 {
		err = fmt.Errorf("%w (gave up after %d attempts)", err, st.attempts)
	}
	return resp, err
}

type callKey struct{}

// callState follows one logical call through its attempts. Attempts run one after another,
// so it needs no lock.
type callState struct {
	caller      context.Context
	attempts    int
	maxAttempts int
}

// lastAttempt is the retryablehttp.ErrorHandler once retrying stops: hand back the last
// response, so that a final 429 or 503 becomes an *APIError with the server's problem, or
// the last error alone (a RoundTripper must not return both).
func lastAttempt(resp *http.Response, err error, _ int) (*http.Response, error) {
	if err != nil {
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			_ = resp.Body.Close()
		}
		return nil, err
	}
	return resp, nil
}

// attemptLogger sits under the retries, so it sees and logs every attempt.
type attemptLogger struct {
	next http.RoundTripper
	log  Logger
}

func (t *attemptLogger) RoundTrip(req *http.Request) (*http.Response, error) {
	st, _ := req.Context().Value(callKey{}).(*callState)
	if st == nil {
		st = &callState{caller: req.Context(), maxAttempts: 1}
	}
	st.attempts++
	start := time.Now()
	resp, err := t.next.RoundTrip(req)

	// Only these fields: never headers (Authorization) or bodies (secrets, tokens).
	fields := map[string]any{
		"method":      req.Method,
		"path":        req.URL.Path,
		"attempt":     st.attempts,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if key := req.Header.Get("Idempotency-Key"); key != "" {
		fields["idempotency_key"] = key
	}
	if err != nil {
		fields["error"] = err.Error()
	} else {
		fields["status"] = resp.StatusCode
		if id := resp.Header.Get("X-Request-Id"); id != "" {
			fields["request_id"] = id
		}
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			fields["retry_after"] = ra
		}
	}
	switch {
	case retrypolicy.Retryable(resp, err) && st.attempts < st.maxAttempts && st.caller.Err() == nil:
		t.log.Warn(req.Context(), "platform API request failed, retrying", fields)
	case err != nil:
		t.log.Warn(req.Context(), "platform API request failed", fields)
	default:
		t.log.Debug(req.Context(), "platform API request", fields)
	}
	return resp, err
}
