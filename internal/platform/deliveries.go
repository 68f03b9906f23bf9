package platform

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/netguard"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/runtime"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/signing"
)

// Webhook delivery, as Standard Webhooks describe it: a POST of the event's payload with
// webhook-id (the delivery's id, the same on every retry), webhook-timestamp and
// webhook-signature (signed with every secret valid now, so both during a rotation overlap).
// A 2xx answer delivers it; 410 Gone means the receiver wants no more and turns the webhook
// off; anything else is retried after the next wait of DeliveryRetrySchedule, with jitter,
// until the schedule runs out. Every attempt is recorded in the delivery.

// deliveryOutcome is what one attempt decided.
type deliveryOutcome string

const (
	deliveredOK      deliveryOutcome = "succeeded"
	deliveryRetry    deliveryOutcome = "retry"
	deliveryFailed   deliveryOutcome = "failed"
	deliveryDisabled deliveryOutcome = "disabled"
)

// deliveryQueue is the delivery side of the engine as the Deliverer sees it (runtime.Queue).
type deliveryQueue struct{ s *Server }

// Claim takes the next due delivery fairly (store.Q.NextDueDelivery) and leases it to this
// server for longer than an attempt lasts, and returns the job that attempts it. Claims are
// made one at a time (the pool's per-application cap needs that), so the claim holds only
// what choosing needs; the job reads the webhook and opens its secrets itself. A claim shares
// its transaction with the outcomes of attempts recorded meanwhile (deliveryWrites), queued
// ahead of it, so the leases those release count when it chooses. The Deliverer's pool
// claims through ClaimBatch, for its idle workers too.
func (d deliveryQueue) Claim(ctx context.Context, full []string) (*runtime.Job, error) {
	jobs, err := d.ClaimBatch(ctx, runtime.NewSlots(1, 1, fullGroups(full)))
	if len(jobs) == 0 {
		return nil, err
	}
	return jobs[0], err
}

// fullGroups is a Slots' held map for groups at a cap of 1.
func fullGroups(full []string) map[string]int {
	held := make(map[string]int, len(full))
	for _, g := range full {
		held[g] = 1
	}
	return held
}

// ClaimBatch claims up to slots.Left() due deliveries in one transaction, as that many
// Claims one after another would: each the next due delivery, fairly, of an application
// below its cap (runtime.BatchQueue).
func (d deliveryQueue) ClaimBatch(ctx context.Context, slots *runtime.Slots) ([]*runtime.Job, error) {
	s := d.s
	if full := slots.Full(); len(full) > 0 && !hasWork(s.store.Read().HasDueDelivery(ctx, s.now(), full)) {
		return nil, nil
	}
	var rows []*store.DeliveryRow
	err := s.runtime.deliveryWrites.Tx(ctx, func(q *store.Q) error {
		rows = nil // the write may be made again
		left := slots.Clone()
		for left.Left() > 0 {
			r, err := q.NextDueDelivery(ctx, s.now(), left.Full())
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			// The lease outlasts the attempt, so no other worker takes it meanwhile.
			lease := store.Lease{Owner: s.runtime.owner, Until: s.now().Add(s.cfg.DeliveryTimeout + s.cfg.LeaseDuration)}
			if err := q.LeaseDelivery(ctx, r.Delivery.ID, lease); err != nil {
				return err
			}
			rows = append(rows, r)
			left.Take(r.ApplicationID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	jobs := make([]*runtime.Job, len(rows))
	for i, row := range rows {
		jobs[i] = &runtime.Job{ID: row.Delivery.ID, Group: row.ApplicationID, Run: func(ctx context.Context) {
			if err := s.deliver(ctx, row); err != nil {
				s.logRuntimeError("recording delivery "+row.Delivery.ID, err)
			}
		}}
	}
	return jobs, nil
}

// deliver reads the delivery's webhook and its secrets, then makes the attempt. A webhook
// deleted since the claim took its deliveries with it: there is nothing to attempt.
func (s *Server) deliver(ctx context.Context, row *store.DeliveryRow) error {
	// Plain reads, outside a transaction: on SQLite a transaction takes the write lock.
	q := s.store.Read()
	wh, err := store.Webhooks.Get(ctx, q, row.Delivery.WebhookID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var secrets []string
	var secretsErr error
	if wh.Active {
		// A secret that does not open fails the delivery visibly rather than the worker.
		secrets, secretsErr = s.webhookSecrets(ctx, q, wh.ID)
	}
	return s.attemptDelivery(ctx, row, wh, secrets, secretsErr)
}

// attemptDelivery makes one attempt and records it.
func (s *Server) attemptDelivery(ctx context.Context, row *store.DeliveryRow, wh *api.Webhook, secrets []string, secretsErr error) error {
	d := row.Delivery
	start := s.now()
	attempt := api.DeliveryAttempt{Number: len(d.Attempts) + 1, At: start}
	var outcome deliveryOutcome
	switch {
	case !wh.Active:
		attempt.Error = ptr("not sent: the webhook is not active")
		outcome = deliveryFailed
	case secretsErr != nil:
		s.logRuntimeError("signing a delivery", secretsErr)
		attempt.Error = ptr("not sent: the signing secret could not be read; see the server's log")
		outcome = deliveryFailed
	default:
		status, err := s.send(ctx, wh.CallbackURL, d.ID, secrets, []byte(row.Payload))
		attempt.DurationMs = ptr(s.now().Sub(start).Milliseconds())
		if status != 0 {
			attempt.ResponseStatus = ptr(status)
		}
		if err != nil {
			attempt.Error = ptr(err.Error())
		}
		outcome = classifyAttempt(status, err)
	}
	d.Attempts = append(d.Attempts, attempt)
	d.NextAttemptAt = nil
	switch {
	case outcome == deliveredOK:
		d.Status, d.DeliveredAt = api.DeliveryStatusSucceeded, ptr(s.now())
	case outcome == deliveryRetry && attempt.Number <= len(s.cfg.DeliveryRetrySchedule):
		d.Status, d.NextAttemptAt = api.DeliveryStatusPending, ptr(s.now().Add(jitter(s.cfg.DeliveryRetrySchedule[attempt.Number-1])))
	case outcome == deliveryRetry:
		d.Status, outcome = api.DeliveryStatusFailed, deliveryFailed
	default:
		d.Status = api.DeliveryStatusFailed
	}

	if ctx.Err() != nil && outcome == deliveryRetry {
		// Stopped by the server's shutdown: the attempt is recorded and retried as any other.
		attempt.Error = ptr("interrupted: the server shut down during the attempt")
		d.Attempts[len(d.Attempts)-1] = attempt
	}
	ctx, cancel := writeCtx(ctx)
	defer cancel()
	err := s.runtime.deliveryWrites.Tx(ctx, func(q *store.Q) error {
		held, err := q.UpdateDelivery(ctx, d, s.runtime.owner)
		if err != nil || !held || outcome != deliveryDisabled {
			return err
		}
		return s.disableWebhook(ctx, q, wh.ID, d.ID, s.now())
	})
	if err == nil {
		s.runtime.stats.delivered(outcome)
	}
	return err
}

// classifyAttempt decides what an answer (or its absence) means.
func classifyAttempt(status int, err error) deliveryOutcome {
	switch {
	case status == http.StatusGone:
		return deliveryDisabled
	case err == nil && status >= 200 && status <= 299:
		return deliveredOK
	case err != nil:
		if _, refused := netguard.IsRefused(err); refused {
			return deliveryFailed // the policy will refuse every retry as well
		}
	}
	return deliveryRetry
}

// send POSTs a signed payload and returns the answer's status (0 without one).
func (s *Server) send(ctx context.Context, url, msgID string, secrets []string, payload []byte) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.DeliveryTimeout)
	defer cancel()
	headers, err := signing.Headers(secrets, msgID, s.now(), payload)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		return 0, err
	}
	for k, vs := range headers {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := s.runtime.client.Do(req)
	if err != nil {
		return 0, callError(api.POST, url, err, s.cfg.DeliveryTimeout)
	}
	defer resp.Body.Close()
	// Read a little of the body so the connection can be reused; the content is not kept.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the receiver answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return resp.StatusCode, nil
}

// jitter spreads a retry wait by ±20%, so that deliveries that failed together do not all
// retry at the same instant.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// disableWebhook turns a webhook off because its receiver answered 410 Gone, audited as the
// system.
func (s *Server) disableWebhook(ctx context.Context, q *store.Q, id, deliveryID string, now time.Time) error {
	wh, err := store.Webhooks.Get(ctx, q, id)
	if err != nil || !wh.Active {
		return err
	}
	before := wh.Etag
	wh.Active = false
	wh.DisabledReason = ptr(fmt.Sprintf("the receiver answered 410 Gone to delivery %s at %s; "+
		"set active to true again when it accepts deliveries", deliveryID, now.Format(time.RFC3339)))
	wh.Etag, wh.UpdatedAt = store.NewETag(), now
	if err := store.Webhooks.Update(ctx, q, wh, before); err != nil {
		return err
	}
	return q.Audit(ctx, api.AuditEvent{ID: store.NewID("aud"), At: now, ActorID: systemActor, Action: "disable",
		ObjectType: "webhook", ObjectID: id, EtagBefore: &before, EtagAfter: &wh.Etag})
}

// systemActor is the audit actor of changes the server makes on its own.
const systemActor = "system"
