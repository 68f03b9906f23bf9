// Package signing signs webhook deliveries as Standard Webhooks
// (https://www.standardwebhooks.com) do, so receivers can verify them with
// any Standard Webhooks library.
//
// A delivery carries three headers: webhook-id (the message id, the same
// on every retry so receivers can deduplicate), webhook-timestamp (Unix
// seconds) and webhook-signature, a space-separated list of "v1,<base64
// HMAC-SHA256>" over "<id>.<timestamp>.<body>". During secret rotation a
// delivery is signed with every current secret, and a receiver holding
// either one accepts it.
//
// Secrets. A secret starting with "whsec_" is decoded: the HMAC key is the
// base64 (standard encoding) text after the prefix, as every Standard
// Webhooks library does; GenerateSecret makes such secrets. Any other
// secret (the API accepts user-chosen secrets of 24 or more characters) is
// used as its raw bytes; receivers then verify with the raw-key
// constructor of their library (Go: standardwebhooks.NewWebhookRaw),
// because the plain constructors would try to base64-decode it.
//
// Only signing lives here: the platform never receives webhooks.
package signing

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Header names, as the specification spells them.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix marks a secret whose key is base64-encoded.
const SecretPrefix = "whsec_"

// SecretBytes is the key length of generated secrets.
const SecretBytes = 32

// GenerateSecret returns a new secret: "whsec_" and 32 random bytes in
// standard base64.
func GenerateSecret() string {
	key := make([]byte, SecretBytes)
	// crypto/rand.Read never fails since Go 1.24 (it crashes the program instead).
	_, _ = rand.Read(key)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// Key returns the HMAC key of a secret (see the package documentation).
func Key(secret string) ([]byte, error) {
	if secret == "" {
		return nil, errors.New("signing secret is empty")
	}
	encoded, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return []byte(secret), nil
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		// Never echo the secret.
		return nil, fmt.Errorf("signing secret starts with %q but the rest is not valid base64", SecretPrefix)
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("signing secret has no key after %q", SecretPrefix)
	}
	return key, nil
}

// The strength rule for secrets users choose. A whsec_ secret's key must have at least
// MinKeyBytes bytes; any other secret at least MinSecretChars characters, of which at least
// MinDistinctChars different, so that 24 × "a" or a short word repeated is refused.
const (
	MinKeyBytes      = 16
	MinSecretChars   = 24
	MinDistinctChars = 10
)

// StrengthRule states the rule, for messages.
const StrengthRule = "use whsec_ followed by at least 16 bytes in standard base64 (as Standard Webhooks libraries " +
	"generate), or any other text of at least 24 characters with at least 10 different ones; `openssl rand -base64 32` " +
	"makes a good one"

// CheckStrength refuses a user-chosen secret weaker than the strength rule. The error never
// repeats the secret.
func CheckStrength(secret string) error {
	key, err := Key(secret)
	if err != nil {
		return err
	}
	if strings.HasPrefix(secret, SecretPrefix) {
		if len(key) < MinKeyBytes {
			return fmt.Errorf("signing secret's key is %d bytes, fewer than %d", len(key), MinKeyBytes)
		}
		return nil
	}
	return CheckPassphrase("signing secret", secret)
}

// CheckPassphrase applies the character part of the strength rule to any secret text (such as
// a configured API key), naming it as what.
func CheckPassphrase(what, secret string) error {
	n := len([]rune(secret))
	if n < MinSecretChars {
		return fmt.Errorf("%s has %d characters, fewer than %d", what, n, MinSecretChars)
	}
	distinct := map[rune]bool{}
	for _, r := range secret {
		distinct[r] = true
	}
	if len(distinct) < MinDistinctChars {
		return fmt.Errorf("%s has only %d different characters, fewer than %d", what, len(distinct), MinDistinctChars)
	}
	return nil
}

// Sign returns the "v1,<base64 signature>" of one delivery.
func Sign(secret, msgID string, ts time.Time, body []byte) (string, error) {
	key, err := Key(secret)
	if err != nil {
		return "", err
	}
	if msgID == "" {
		return "", errors.New("message id is empty")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msgID))
	mac.Write([]byte{'.'})
	mac.Write([]byte(strconv.FormatInt(ts.Unix(), 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)), nil
}

// SignatureHeader returns the webhook-signature value: one signature per
// secret, space-separated, in the order given (during rotation: the new
// secret and the old one).
func SignatureHeader(secrets []string, msgID string, ts time.Time, body []byte) (string, error) {
	if len(secrets) == 0 {
		return "", errors.New("no signing secret")
	}
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		sig, err := Sign(s, msgID, ts, body)
		if err != nil {
			return "", fmt.Errorf("secret %d: %w", i+1, err)
		}
		sigs[i] = sig
	}
	return strings.Join(sigs, " "), nil
}

// Headers returns the three headers of a signed delivery. The caller adds
// them to the request, along with Content-Type.
func Headers(secrets []string, msgID string, ts time.Time, body []byte) (http.Header, error) {
	sig, err := SignatureHeader(secrets, msgID, ts, body)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	h.Set(HeaderID, msgID)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, sig)
	return h, nil
}
