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
