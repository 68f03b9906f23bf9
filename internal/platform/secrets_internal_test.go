package platform

import (
	"bytes"
	"strings"
	"testing"
)

func TestSealer(t *testing.T) {
	t.Parallel()
	s, err := newSealer(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	a, b := s.seal(secret, "whk_1"), s.seal(secret, "whk_1")
	if a == b || !strings.HasPrefix(a, "v1:") || strings.Contains(a, secret) || strings.Contains(a, "MfKQ9r8G") {
		t.Fatalf("seal gave %q and %q: want distinct v1: values without the secret", a, b)
	}
	if got, err := s.open(a, "whk_1"); err != nil || got != secret {
		t.Fatalf("open: %q %v", got, err)
	}

	other, _ := newSealer(bytes.Repeat([]byte{2}, 32))
	tampered := a[:len(a)-2] + "AA"
	if tampered == a {
		tampered = a[:len(a)-2] + "BB"
	}
	cases := []struct {
		name, sealed, context string
		s                     *sealer
		says                  string
	}{
		{"another object", a, "whk_2", s, "does not open"},
		{"another key", a, "whk_1", other, "does not open"},
		{"tampered", tampered, "whk_1", s, "does not open"},
		{"unknown version", "v9:" + strings.TrimPrefix(a, "v1:"), "whk_1", s, "unknown format"},
		{"not base64", "v1:%%%", "whk_1", s, "corrupt"},
		{"too short", "v1:AAAA", "whk_1", s, "corrupt"},
	}
	for _, tc := range cases {
		if got, err := tc.s.open(tc.sealed, tc.context); err == nil || !strings.Contains(err.Error(), tc.says) || got != "" {
			t.Errorf("%s: open gave %q, %v; want an error saying %q", tc.name, got, err, tc.says)
		}
	}
	if _, err := newSealer(make([]byte, 16)); err == nil || !strings.Contains(err.Error(), "LOWCODE_SECRET_KEY") {
		t.Errorf("a 16-byte key: %v", err)
	}
}
