package signing

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

const msgID = "msg_p5jXN8AQM9LWM0D4loKWxJek"

func TestGenerateSecret(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		s := GenerateSecret()
		if !strings.HasPrefix(s, "whsec_") {
			t.Fatalf("secret %q lacks the whsec_ prefix", s)
		}
		key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
		if err != nil || len(key) != 32 {
			t.Fatalf("secret %q: key of %d bytes, err %v; want 32 bytes", s, len(key), err)
		}
		if seen[s] {
			t.Fatalf("secret %q generated twice", s)
		}
		seen[s] = true
		// The reference library accepts it as it is.
		if _, err := standardwebhooks.NewWebhook(s); err != nil {
			t.Fatalf("reference library rejects %q: %v", s, err)
		}
	}
}

func TestKey(t *testing.T) {
	cases := []struct {
		name    string
		secret  string
		want    string
		wantErr string
	}{
		{name: "whsec is decoded", secret: "whsec_aGVsbG8td29ybGQ=", want: "hello-world"},
		{name: "other secrets are raw bytes", secret: "a-user-chosen-secret-of-24+chars", want: "a-user-chosen-secret-of-24+chars"},
		{name: "base64 without prefix is still raw", secret: "aGVsbG8td29ybGQ=", want: "aGVsbG8td29ybGQ="},
		{name: "empty", secret: "", wantErr: "empty"},
		{name: "bad base64", secret: "whsec_not base64!", wantErr: "not valid base64"},
		{name: "prefix only", secret: "whsec_", wantErr: "no key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key, err := Key(tc.secret)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Key error = %v, want it to contain %q", err, tc.wantErr)
				}
				if len(tc.secret) > len(SecretPrefix) && strings.Contains(err.Error(), tc.secret[len(SecretPrefix):]) {
					t.Errorf("error %q echoes the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(key) != tc.want {
				t.Errorf("key = %q, want %q", key, tc.want)
			}
		})
	}
}

// The test vector of the reference library and the specification.
func TestSignKnownVector(t *testing.T) {
	got, err := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", msgID, time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}

func TestSignErrors(t *testing.T) {
	cases := []struct {
		name    string
		secrets []string
		id      string
		wantErr string
	}{
		{name: "no secrets", secrets: nil, id: msgID, wantErr: "no signing secret"},
		{name: "empty message id", secrets: []string{GenerateSecret()}, id: "", wantErr: "message id is empty"},
		{name: "second secret bad", secrets: []string{GenerateSecret(), "whsec_%%%"}, id: msgID, wantErr: "secret 2: "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Headers(tc.secrets, tc.id, time.Now(), []byte("{}"))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Headers error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

// Every delivery must verify with the Standard Webhooks reference library,
// and the library must reject stale, tampered and wrongly keyed ones.
func TestInteroperatesWithReferenceLibrary(t *testing.T) {
	newSecret := GenerateSecret()
	oldSecret := GenerateSecret()
	rawSecret := "my-own-secret-at-least-24-chars"
	body := []byte(`{"type":"order.created","data":{"order_id":"o-1001","amount":500}}`)
	now := time.Now()

	byPrefix := func(s string) func() (*standardwebhooks.Webhook, error) {
		return func() (*standardwebhooks.Webhook, error) { return standardwebhooks.NewWebhook(s) }
	}
	byRaw := func(s string) func() (*standardwebhooks.Webhook, error) {
		return func() (*standardwebhooks.Webhook, error) { return standardwebhooks.NewWebhookRaw([]byte(s)) }
	}

	cases := []struct {
		name     string
		secrets  []string                                  // what the platform signs with
		verifier func() (*standardwebhooks.Webhook, error) // what the receiver holds
		ts       time.Time
		tamper   func(body []byte, h http.Header) []byte
		wantErr  error // nil: must verify
	}{
		{name: "generated secret", secrets: []string{newSecret}, verifier: byPrefix(newSecret), ts: now},
		{name: "raw secret", secrets: []string{rawSecret}, verifier: byRaw(rawSecret), ts: now},
		{name: "rotation: receiver has the new secret", secrets: []string{newSecret, oldSecret}, verifier: byPrefix(newSecret), ts: now},
		{name: "rotation: receiver still has the old secret", secrets: []string{newSecret, oldSecret}, verifier: byPrefix(oldSecret), ts: now},
		{name: "a secret not signed with", secrets: []string{newSecret, oldSecret}, verifier: byPrefix(GenerateSecret()), ts: now,
			wantErr: standardwebhooks.ErrNoMatchingSignature},
		{name: "stale timestamp", secrets: []string{newSecret}, verifier: byPrefix(newSecret), ts: now.Add(-10 * time.Minute),
			wantErr: standardwebhooks.ErrMessageTooOld},
		{name: "timestamp from the future", secrets: []string{newSecret}, verifier: byPrefix(newSecret), ts: now.Add(10 * time.Minute),
			wantErr: standardwebhooks.ErrMessageTooNew},
		{name: "tampered body", secrets: []string{newSecret}, verifier: byPrefix(newSecret), ts: now,
			tamper:  func(b []byte, _ http.Header) []byte { return []byte(strings.Replace(string(b), "500", "50000", 1)) },
			wantErr: standardwebhooks.ErrNoMatchingSignature},
		{name: "replayed under another id", secrets: []string{newSecret}, verifier: byPrefix(newSecret), ts: now,
			tamper:  func(b []byte, h http.Header) []byte { h.Set(HeaderID, "msg_other"); return b },
			wantErr: standardwebhooks.ErrNoMatchingSignature},
		{name: "timestamp moved within the tolerance", secrets: []string{newSecret}, verifier: byPrefix(newSecret), ts: now,
			tamper: func(b []byte, h http.Header) []byte {
				h.Set(HeaderTimestamp, strconv.FormatInt(now.Add(-time.Minute).Unix(), 10))
				return b
			},
			wantErr: standardwebhooks.ErrNoMatchingSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := Headers(tc.secrets, msgID, tc.ts, body)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(strings.Fields(h.Get(HeaderSignature))); got != len(tc.secrets) {
				t.Errorf("%d signatures in %q, want %d", got, h.Get(HeaderSignature), len(tc.secrets))
			}
			received := body
			if tc.tamper != nil {
				received = tc.tamper(append([]byte(nil), body...), h)
			}
			wh, err := tc.verifier()
			if err != nil {
				t.Fatal(err)
			}
			err = wh.Verify(received, h)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("reference Verify: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("reference Verify error = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestSignMatchesReferenceSign(t *testing.T) {
	secret := GenerateSecret()
	ts := time.Unix(1700000000, 0)
	body := []byte(`{"a":1}`)
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	want, err := wh.Sign(msgID, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Sign(secret, msgID, ts, body)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Sign = %q, reference Sign = %q", got, want)
	}
}

func TestHeaders(t *testing.T) {
	h, err := Headers([]string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}, msgID, time.Unix(1614265330, 0), []byte(`{"test": 2432232314}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, want string }{
		{HeaderID, msgID},
		{HeaderTimestamp, "1614265330"},
		{HeaderSignature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.Get(tc.name); got != tc.want {
				t.Errorf("%s = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
	if len(h) != 3 {
		t.Errorf("%d headers, want 3: %v", len(h), h)
	}
}
