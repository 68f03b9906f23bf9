package platform_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/signing"
)

// specReceiver follows the Standard Webhooks spec as a receiver should: it verifies every
// request with the reference library (signature and a timestamp within 5 minutes) and
// processes each webhook-id once, refusing replays.
type specReceiver struct {
	wh *standardwebhooks.Webhook

	mu        sync.Mutex
	seen      map[string]bool
	processed int
	first     *http.Request
	firstBody []byte
}

func (rc *specReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := rc.wh.Verify(body, r.Header); err != nil {
		http.Error(w, "verification failed: "+err.Error(), http.StatusUnauthorized)
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	id := r.Header.Get("webhook-id")
	if rc.seen[id] {
		http.Error(w, "replayed webhook-id "+id, http.StatusConflict)
		return
	}
	rc.seen[id] = true
	rc.processed++
	if rc.first == nil {
		rc.first, rc.firstBody = r.Clone(r.Context()), body
	}
	w.WriteHeader(http.StatusNoContent)
}

// TestSecurityWebhookReceiverRefusesReplayAndStale: a delivery of the platform verifies with
// the Standard Webhooks reference library under the webhook's secret (and not under another);
// a receiver that follows the spec refuses the same delivery sent again (same webhook-id) and
// one whose timestamp is more than 5 minutes old, whether the old timestamp is pasted onto a
// captured delivery or properly signed with the secret.
func TestSecurityWebhookReceiverRefusesReplayAndStale(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime())
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	secret := "whsec_" + base64.StdEncoding.EncodeToString(raw)
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	rc := &specReceiver{wh: wh, seen: map[string]bool{}}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	hook := createWebhook(t, inst.Client, api.WebhookInput{EventTypes: []string{"order.created"}, CallbackURL: srv.URL + "/hooks", Secret: &secret})
	ev := publish(t, inst.Client, api.EventInput{Type: "order.created", Data: &map[string]any{"order_id": "ord-1"}})
	if d := waitDelivery(t, inst.Client, hook.ID, ev.DeliveryIds[0]); d.Status != api.DeliveryStatusSucceeded {
		t.Fatalf("delivery: %s", mustJSON(t, d))
	}
	rc.mu.Lock()
	first, body := rc.first, rc.firstBody
	rc.mu.Unlock()
	if first == nil {
		t.Fatal("the receiver processed nothing")
	}

	// The reference library: the right secret verifies, another does not.
	if err := wh.Verify(body, first.Header); err != nil {
		t.Errorf("the reference library refuses the platform's delivery: %v", err)
	}
	other, _ := standardwebhooks.NewWebhook("whsec_" + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32)))
	if err := other.Verify(body, first.Header); err == nil {
		t.Error("the delivery verifies under another secret")
	}

	send := func(h http.Header, b []byte) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/hooks", bytes.NewReader(b))
		for _, k := range []string{"webhook-id", "webhook-timestamp", "webhook-signature", "Content-Type"} {
			req.Header.Set(k, h.Get(k))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(out)
	}

	// Replay of the captured delivery, byte for byte.
	if status, out := send(first.Header, body); status != http.StatusConflict {
		t.Errorf("replayed delivery: %d %s, want 409", status, out)
	}
	// The captured delivery with its timestamp moved 6 minutes back.
	stale := first.Header.Clone()
	old := time.Now().Add(-6 * time.Minute)
	stale.Set("webhook-timestamp", strconv.FormatInt(old.Unix(), 10))
	stale.Set("webhook-id", "msg_stale_pasted")
	if status, out := send(stale, body); status != http.StatusUnauthorized {
		t.Errorf("captured delivery with an old timestamp: %d %s, want 401", status, out)
	}
	// Properly signed with the secret, but 6 minutes old: the library refuses the timestamp.
	signed, err := signing.Headers([]string{secret}, "msg_stale_signed", old, body)
	if err != nil {
		t.Fatal(err)
	}
	signed.Set("Content-Type", "application/json")
	if err := wh.Verify(body, signed); err == nil {
		t.Error("the reference library accepts a correctly signed delivery 6 minutes old")
	}
	if status, out := send(signed, body); status != http.StatusUnauthorized {
		t.Errorf("signed delivery 6 minutes old: %d %s, want 401", status, out)
	}
	// The same, fresh, is accepted: the refusals above are about time and replay only.
	fresh, _ := signing.Headers([]string{secret}, "msg_fresh", time.Now(), body)
	fresh.Set("Content-Type", "application/json")
	if status, out := send(fresh, body); status != http.StatusNoContent {
		t.Errorf("fresh signed delivery: %d %s, want 204", status, out)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.processed != 2 {
		t.Errorf("the receiver processed %d deliveries, want 2 (the platform's and the fresh one)", rc.processed)
	}
}
