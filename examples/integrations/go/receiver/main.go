// Command receiver receives the low-code platform's webhook deliveries: it verifies each one's
// Standard Webhooks signature, refuses a tampered or replayed delivery, and handles
// order.created and customer.updated as the source document's handler does.
//
//	WEBHOOK_SECRET=whsec_... go run ./examples/integrations/go/receiver -listen 127.0.0.1:9090
//
// WEBHOOK_SECRET is the webhook's signing secret; during a rotation give the new and the old
// one, comma-separated. Deliveries are POSTed to /webhooks/lowcode.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// maxBody bounds a delivery; the platform's events are far smaller.
const maxBody = 1 << 20

func main() {
	listen := flag.String("listen", "127.0.0.1:9090", "address to listen on")
	flag.Parse()

	var verifiers []*standardwebhooks.Webhook
	for _, secret := range strings.Split(os.Getenv("WEBHOOK_SECRET"), ",") {
		if secret = strings.TrimSpace(secret); secret == "" {
			continue
		}
		v, err := newVerifier(secret)
		if err != nil {
			log.Fatalf("WEBHOOK_SECRET: %v", err)
		}
		verifiers = append(verifiers, v)
	}
	if len(verifiers) == 0 {
		log.Fatal("set WEBHOOK_SECRET to the webhook's signing secret")
	}

	r := &receiver{verifiers: verifiers, seen: newSeenIDs(10000)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/lowcode", r.handleLowcodeWebhook)
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	log.Fatal(srv.Serve(ln))
}

// newVerifier accepts the platform's generated secrets (whsec_ and base64) and secrets you
// chose yourself, which the platform uses as raw bytes.
func newVerifier(secret string) (*standardwebhooks.Webhook, error) {
	if strings.HasPrefix(secret, "whsec_") {
		return standardwebhooks.NewWebhook(secret)
	}
	return standardwebhooks.NewWebhookRaw([]byte(secret))
}

type receiver struct {
	verifiers []*standardwebhooks.Webhook
	seen      *seenIDs
}

// delivery is the body the platform sends: the Standard Webhooks envelope.
type delivery struct {
	Type      string         `json:"type"`
	Timestamp string         `json:"timestamp"`
	Data      map[string]any `json:"data"`
	EventID   string         `json:"event_id"`
}

func (r *receiver) handleLowcodeWebhook(w http.ResponseWriter, req *http.Request) {
	id := req.Header.Get("webhook-id")
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxBody))
	if err != nil {
		http.Error(w, "body too large or unreadable", http.StatusRequestEntityTooLarge)
		return
	}
	// The signature covers the id, the timestamp and the body, and the library refuses a
	// timestamp more than 5 minutes away: a changed body fails the signature, and a captured
	// delivery sent again later fails the timestamp.
	if err := r.verify(body, req.Header); err != nil {
		fmt.Printf("rejected delivery %s: %v\n", id, err)
		http.Error(w, "signature verification failed", http.StatusUnauthorized)
		return
	}
	// Within those 5 minutes, the id tells a replay (or the platform's retry of a delivery
	// whose answer it did not see) from a new delivery: handle each id once.
	if !r.seen.add(id) {
		fmt.Printf("duplicate delivery %s: already handled\n", id)
		writeJSON(w, map[string]string{"status": "duplicate"})
		return
	}
	var payload delivery
	if err := json.Unmarshal(body, &payload); err != nil {
		http.Error(w, "the body is not JSON", http.StatusBadRequest)
		return
	}
	switch payload.Type {
	case "order.created":
		handleNewOrder(id, payload.Data)
	case "customer.updated":
		handleCustomerUpdate(id, payload.Data)
	default:
		fmt.Printf("%s: not handled here (delivery %s)\n", payload.Type, id)
	}
	writeJSON(w, map[string]string{"status": "received"})
}

func (r *receiver) verify(body []byte, h http.Header) error {
	var errs []error
	for _, v := range r.verifiers {
		err := v.Verify(body, h)
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// handleNewOrder is where your order processing starts.
func handleNewOrder(deliveryID string, data map[string]any) {
	orderID, _ := data["order_id"].(string)
	fmt.Printf("order.created: order %s handed to order processing (delivery %s)\n", orderID, deliveryID)
}

// handleCustomerUpdate is where your CRM sync starts.
func handleCustomerUpdate(deliveryID string, data map[string]any) {
	customerID, _ := data["customer_id"].(string)
	fmt.Printf("customer.updated: customer %s synced to the CRM (delivery %s)\n", customerID, deliveryID)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// seenIDs remembers the last n delivery ids, oldest forgotten first.
type seenIDs struct {
	mu    sync.Mutex
	ids   map[string]struct{}
	order []string
	n     int
}

func newSeenIDs(n int) *seenIDs { return &seenIDs{ids: map[string]struct{}{}, n: n} }

// add records id and reports whether it was new.
func (s *seenIDs) add(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false
	}
	if len(s.order) == s.n {
		delete(s.ids, s.order[0])
		s.order = s.order[1:]
	}
	s.ids[id] = struct{}{}
	s.order = append(s.order, id)
	return true
}
