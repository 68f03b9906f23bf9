package client

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
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
		Backoff:      backoff,
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

// retryable says whether an attempt's outcome is worth another attempt: rate limiting, a
// gateway or an overloaded server, or a failed connection, including one dropped after the
// request was sent (safe because every mutating call carries an Idempotency-Key).
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		return true
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// checkRetry is the retryablehttp.CheckRetry: stop at once when the caller's context ends,
// defer to retryablehttp on which transport errors are hopeless (bad scheme, TLS trust), and
// otherwise retry what retryable allows. Other 4xx and 5xx answers are final.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		if tlsFailure(err) {
			return false, nil // a certificate does not get better by asking again
		}
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	if wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok && wait > maxRetryAfter {
		// Waiting that long would stall a plan with no word to the user: report the answer
		// (429 or 503, with the platform's detail) now instead.
		return false, nil
	}
	return retryable(resp, nil), nil
}

// maxRetryAfter is the longest Retry-After the client waits for; a longer one ends the
// retries and the call fails with the server's answer.
const maxRetryAfter = 2 * time.Minute

// backoff is the retryablehttp.Backoff: the server's Retry-After on 429 and 503, otherwise
// exponential from min, capped at max, with jitter over the upper half so that clients
// throttled together do not come back together.
func backoff(minWait, maxWait time.Duration, attemptNum int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return wait
		}
	}
	wait := maxWait
	if attemptNum < 32 {
		wait = min(minWait<<attemptNum, maxWait)
		if wait <= 0 { // overflow
			wait = maxWait
		}
	}
	half := wait / 2
	return half + rand.N(wait-half+1)
}

// retryAfter parses a Retry-After value: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
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
	case retryable(resp, err) && st.attempts < st.maxAttempts && st.caller.Err() == nil:
		t.log.Warn(req.Context(), "platform API request failed, retrying", fields)
	case err != nil:
		t.log.Warn(req.Context(), "platform API request failed", fields)
	default:
		t.log.Debug(req.Context(), "platform API request", fields)
	}
	return resp, err
}
