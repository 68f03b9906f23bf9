package retrypolicy

import (
	"net/http"
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
