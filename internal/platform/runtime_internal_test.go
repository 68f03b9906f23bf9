package platform

import (
	"testing"
	"time"
)

// Retry waits vary by up to 20% either way, so deliveries that failed together spread out.
func TestJitter(t *testing.T) {
	const d = time.Second
	lowest, highest := d, d
	for range 2000 {
		j := jitter(d)
		if j < d*8/10 || j > d*12/10 {
			t.Fatalf("jitter(%v) = %v, outside ±20%%", d, j)
		}
		lowest, highest = min(lowest, j), max(highest, j)
	}
	if lowest > d*9/10 || highest < d*11/10 {
		t.Errorf("2000 waits spread only from %v to %v: the jitter does not spread them", lowest, highest)
	}
}

func TestWindowString(t *testing.T) {
	cases := []struct {
		in   time.Duration
		want string
	}{
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{24 * time.Hour, "24h"},
		{15 * time.Minute, "15m"},
		{45 * time.Second, "45s"},
		{time.Hour + 30*time.Second, "1h0m30s"},
	}
	for _, tc := range cases {
		if got := windowString(tc.in); got != tc.want {
			t.Errorf("windowString(%v) = %q, want %q", tc.in, got, tc.want)
		}
		if _, d, err := parseMetricsWindow(&tc.want); err != nil && tc.in >= minMetricsWindow || err == nil && d != tc.in {
			t.Errorf("the metrics API reads %q as %v, %v; want %v", tc.want, d, err, tc.in)
		}
	}
}
