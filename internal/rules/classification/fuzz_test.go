package classification

import (
	"strings"
	"testing"
)

// FuzzPattern checks that pattern validation and matching never panic, that matching stays
// fast for patterns full of wildcards, and that a valid wildcard-free pattern matches itself.
func FuzzPattern(f *testing.F) {
	for _, seed := range [][2]string{
		{"ssn", "customer.ssn"}, {"**.ssn", "a.b.ssn"}, {"customer.*", "customer.email"},
		{"**.**.**.**.x", "a.a.a.a.a.a.a.a.a.a.y"}, {"a..b", "a.b"}, {"***", "x"}, {"card_*", "card_number"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		valid := ValidatePattern(pattern) == nil
		_ = Match(pattern, path)
		if valid && !strings.Contains(pattern, "*") && !Match(pattern, pattern) {
			t.Fatalf("valid pattern %q does not match itself", pattern)
		}
	})
}
