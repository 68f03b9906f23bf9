package retrypolicy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{"120", 2 * time.Minute, true},
		{"0", 0, true},
		{"Sun, 01 Jun 2025 12:00:30 GMT", 30 * time.Second, true},
		{"Sunday, 01-Jun-25 12:00:30 GMT", 30 * time.Second, true}, // RFC 850
		{"Sun, 01 Jun 2025 11:00:00 GMT", 0, true},                 // in the past
		{"", 0, false},
		{"-5", 0, false},
		{"soon", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := RetryAfter(tc.in, now)
			if got != tc.want || ok != tc.ok {
				t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	withRetryAfter := func(status int, v string) *http.Response {
		return &http.Response{StatusCode: status, Header: http.Header{"Retry-After": {v}}}
	}
	minW, maxW := 100*time.Millisecond, time.Second
	cases := []struct {
		name     string
		attempt  int
		resp     *http.Response
		low, top time.Duration
	}{
		{"first retry", 0, nil, 50 * time.Millisecond, 100 * time.Millisecond},
		{"grows exponentially", 2, nil, 200 * time.Millisecond, 400 * time.Millisecond},
		{"capped at max", 10, nil, 500 * time.Millisecond, time.Second},
		{"no overflow", 200, nil, 500 * time.Millisecond, time.Second},
		{"429 Retry-After beats max", 0, withRetryAfter(429, "7"), 7 * time.Second, 7 * time.Second},
		{"503 Retry-After", 3, withRetryAfter(503, "2"), 2 * time.Second, 2 * time.Second},
		{"502 ignores Retry-After", 0, withRetryAfter(502, "7"), 50 * time.Millisecond, 100 * time.Millisecond},
		{"unparseable Retry-After", 0, withRetryAfter(429, "later"), 50 * time.Millisecond, 100 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 50 {
				got := Backoff(minW, maxW, tc.attempt, tc.resp)
				if got < tc.low || got > tc.top {
					t.Fatalf("backoff = %v, want within [%v, %v]", got, tc.low, tc.top)
				}
				seen[got] = true
			}
			if tc.low != tc.top && len(seen) < 2 {
				t.Errorf("no jitter: always %v", seen)
			}
		})
	}
}

func TestRetryable(t *testing.T) {
	cases := []struct {
		status int
		err    error
		want   bool
	}{
		{0, errors.New("connection reset by peer"), true},
		{http.StatusTooManyRequests, nil, true},
		{http.StatusBadGateway, nil, true},
		{http.StatusServiceUnavailable, nil, true},
		{http.StatusGatewayTimeout, nil, true},
		{http.StatusOK, nil, false},
		{http.StatusBadRequest, nil, false},
		{http.StatusNotFound, nil, false},
		{http.StatusConflict, nil, false},
		{http.StatusPreconditionFailed, nil, false},
		{http.StatusInternalServerError, nil, false},
		{http.StatusNotImplemented, nil, false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status, tc.err), func(t *testing.T) {
			var resp *http.Response
			if tc.err == nil {
				resp = &http.Response{StatusCode: tc.status}
			}
			if got := Retryable(resp, tc.err); got != tc.want {
				t.Errorf("Retryable = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	answer := func(status int, retryAfter string) *http.Response {
		r := &http.Response{StatusCode: status, Header: http.Header{}}
		if retryAfter != "" {
			r.Header.Set("Retry-After", retryAfter)
		}
		return r
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	untrusted := &url.Error{Op: "Get", URL: "https://x", Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}
	cases := []struct {
		name    string
		ctx     context.Context
		resp    *http.Response
		err     error
		want    bool
		wantErr error
	}{
		{name: "503 without Retry-After", resp: answer(503, ""), want: true},
		{name: "429 waiting the longest allowed", resp: answer(429, "120"), want: true},
		{name: "429 waiting a second longer: report it now", resp: answer(429, "121"), want: false},
		{name: "503 until a date within the cap", resp: answer(503, "Sun, 01 Jun 2025 12:02:00 GMT"), want: true},
		{name: "503 until a date past the cap", resp: answer(503, "Sun, 01 Jun 2025 12:02:01 GMT"), want: false},
		{name: "500 is final", resp: answer(500, ""), want: false},
		{name: "409 is final", resp: answer(409, "1"), want: false},
		{name: "a dropped connection", err: errors.New("EOF"), want: true},
		{name: "an untrusted certificate is hopeless", err: untrusted, want: false},
		{name: "the caller gave up", ctx: canceled, resp: answer(503, ""), want: false, wantErr: context.Canceled},
		{name: "the caller gave up during a dropped connection", ctx: canceled, err: errors.New("EOF"), want: false, wantErr: context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			got, err := check(ctx, tc.resp, tc.err, now)
			if got != tc.want || !errors.Is(err, tc.wantErr) || (tc.wantErr == nil) != (err == nil) {
				t.Errorf("check = %v, %v; want %v, %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
	t.Run("Check is check now", func(t *testing.T) {
		if ok, err := Check(context.Background(), answer(503, ""), nil); !ok || err != nil {
			t.Errorf("Check = %v, %v", ok, err)
		}
	})
}

// TestBackoffBounds fixes the jitter at both ends of its range, so the bounds are exact.
func TestBackoffBounds(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	low := func(time.Duration) time.Duration { return 0 }
	high := func(n time.Duration) time.Duration { return n - 1 }
	cases := []struct {
		name              string
		minWait, maxWait  time.Duration
		attempt           int
		resp              *http.Response
		wantLow, wantHigh time.Duration
	}{
		{"first retry", 100 * time.Millisecond, time.Second, 0, nil, 50 * time.Millisecond, 100 * time.Millisecond},
		{"third retry", 100 * time.Millisecond, time.Second, 3, nil, 400 * time.Millisecond, 800 * time.Millisecond},
		{"capped", 100 * time.Millisecond, time.Second, 4, nil, 500 * time.Millisecond, time.Second},
		{"exactly at the cap", 100, 800, 3, nil, 400, 800},
		{"just under the cap", 106, 850, 3, nil, 424, 848},
		{"just over the cap", 107, 850, 3, nil, 425, 850},
		{"late attempts", 100 * time.Millisecond, time.Second, 63, nil, 500 * time.Millisecond, time.Second},
		{"beyond the width of a shift", 100 * time.Millisecond, time.Second, 200, nil, 500 * time.Millisecond, time.Second},
		// (2^32+1)ns << 32 wraps to 2^32ns (4.3s) in 64 bits: the cap must still win.
		{"a large minimum does not wrap around", 1<<32 + 1, 10 * time.Second, 32, nil, 5 * time.Second, 10 * time.Second},
		{"a large minimum, earlier", 1<<33 + 1, 10 * time.Second, 31, nil, 5 * time.Second, 10 * time.Second},
		{"429 Retry-After, no jitter", 100 * time.Millisecond, time.Second, 0,
			&http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"7"}}}, 7 * time.Second, 7 * time.Second},
		{"503 Retry-After as a date", 100 * time.Millisecond, time.Second, 0,
			&http.Response{StatusCode: 503, Header: http.Header{"Retry-After": {"Sun, 01 Jun 2025 12:00:30 GMT"}}}, 30 * time.Second, 30 * time.Second},
		{"504 Retry-After is not waited for", 100 * time.Millisecond, time.Second, 0,
			&http.Response{StatusCode: 504, Header: http.Header{"Retry-After": {"7"}}}, 50 * time.Millisecond, 100 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := backoff(tc.minWait, tc.maxWait, tc.attempt, tc.resp, now, low); got != tc.wantLow {
				t.Errorf("lowest backoff = %v, want %v", got, tc.wantLow)
			}
			if got := backoff(tc.minWait, tc.maxWait, tc.attempt, tc.resp, now, high); got != tc.wantHigh {
				t.Errorf("highest backoff = %v, want %v", got, tc.wantHigh)
			}
		})
	}
}
