package signing

import (
	"encoding/base64"
	"strings"
	"testing"
)

// The strength rule at its edges: the weakest secret accepted and the strongest refused.
func TestCheckStrength(t *testing.T) {
	whsec := func(n int) string {
		return SecretPrefix + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", n)))
	}
	cases := []struct {
		name    string
		secret  string
		wantErr string // "" when accepted
	}{
		{"whsec_ with a 16-byte key", whsec(MinKeyBytes), ""},
		{"whsec_ with a 15-byte key", whsec(MinKeyBytes - 1), "15 bytes, fewer than 16"},
		{"whsec_ without a key", SecretPrefix, "no key"},
		{"whsec_ with bad base64", SecretPrefix + "!!!", "not valid base64"},
		{"24 characters, 10 different", "abcdefghij" + strings.Repeat("a", 14), ""},
		{"23 characters", "abcdefghij" + strings.Repeat("a", 13), "23 characters, fewer than 24"},
		{"24 characters, 9 different", "abcdefghi" + strings.Repeat("a", 15), "only 9 different characters, fewer than 10"},
		{"characters, not bytes", "àbcdéfghîj" + strings.Repeat("à", 13), "23 characters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckStrength(tc.secret)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("CheckStrength refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("CheckStrength = %v, want an error containing %q", err, tc.wantErr)
			}
			if len(tc.secret) > len(SecretPrefix)+3 && strings.Contains(err.Error(), tc.secret) {
				t.Errorf("the error %q repeats the secret", err)
			}
		})
	}
}

func TestCheckPassphraseNamesWhat(t *testing.T) {
	if err := CheckPassphrase("bootstrap key", "short"); err == nil || !strings.HasPrefix(err.Error(), "bootstrap key has 5 characters") {
		t.Errorf("CheckPassphrase = %v", err)
	}
}
