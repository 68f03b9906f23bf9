// Package retrypolicy is the client's decision on retries: which outcomes are worth another
// attempt, how long to wait before it, and when the server's Retry-After is too long to wait
// for. It plugs into go-retryablehttp (Check is its CheckRetry, Backoff its Backoff) and is
// kept apart from the client so that its bounds can be checked, and mutation-tested, alone.
package retrypolicy

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// MaxRetryAfter is the longest Retry-After the client waits for; a longer one ends the
// retries and the call fails with the server's answer.
const MaxRetryAfter = 2 * time.Minute

// Retryable says whether an attempt's outcome is worth another attempt: rate limiting, a
// gateway or an overloaded server, or a failed connection, including one dropped after the
// request was sent (safe because every mutating call carries an Idempotency-Key).
func Retryable(resp *http.Response, err error) bool {
	if err != nil {
		return true
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// Check is the retryablehttp.CheckRetry: stop at once when the caller's context ends, defer to
// retryablehttp on which transport errors are hopeless (bad scheme, TLS trust), and otherwise
// retry what Retryable allows. Other 4xx and 5xx answers are final.
func Check(ctx context.Context, resp *http.Response, err error) (bool, error) {
	return check(ctx, resp, err, time.Now())
}

func check(ctx context.Context, resp *http.Response, err error, now time.Time) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	if wait, ok := RetryAfter(resp.Header.Get("Retry-After"), now); ok && wait > MaxRetryAfter {
		// Waiting that long would stall a plan with no word to the user: report the answer
		// (429 or 503, with the platform's detail) now instead.
		return false, nil
	}
	return Retryable(resp, nil), nil
}

// Backoff is the retryablehttp.Backoff: the server's Retry-After on 429 and 503, otherwise
// exponential from minWait, capped at maxWait, with jitter over the upper half so that clients
// throttled together do not come back together.
func Backoff(minWait, maxWait time.Duration, attemptNum int, resp *http.Response) time.Duration {
	return backoff(minWait, maxWait, attemptNum, resp, time.Now(), rand.N[time.Duration])
}

// backoff is Backoff at now, with jitter(n) drawing from [0, n).
func backoff(minWait, maxWait time.Duration, attemptNum int, resp *http.Response, now time.Time, jitter func(time.Duration) time.Duration) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if wait, ok := RetryAfter(resp.Header.Get("Retry-After"), now); ok {
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
	return half + jitter(wait-half+1)
}

// RetryAfter parses a Retry-After value: delay seconds or an HTTP date, which is a wait from
// now (none when it is past). ok is false when there is no usable value.
func RetryAfter(v string, now time.Time) (wait time.Duration, ok bool) {
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
