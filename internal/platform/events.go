package platform

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// maxEmitDepth bounds chains of workflows triggered by events that workflows emitted: a
// workflow that emits the event it listens to would otherwise run for ever.
const maxEmitDepth = 8

// storedEvent is an event as the events table keeps it: the API object and its data.
type storedEvent struct {
	api.Event
	Data map[string]any `json:"data"`
}

// deliveryPayload is the body of every delivery of an event (Standard Webhooks' type,
// timestamp and data, plus the event's id and application).
type deliveryPayload struct {
	Type          string         `json:"type"`
	Timestamp     string         `json:"timestamp"`
	Data          map[string]any `json:"data"`
	EventID       string         `json:"event_id"`
	ApplicationID *string        `json:"application_id"`
}

// PublishEvent publishes an event: in one transaction it is stored, an execution of every
// matching event-triggered workflow is queued and a delivery to every subscribed webhook is
// scheduled. An application's event needs the editor role on it; a platform-wide one (no
// application_id) the editor role on the platform.
func (s *Server) PublishEvent(w http.ResponseWriter, r *http.Request, params api.PublishEventParams) {
	var in api.EventInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := errors.Join(invalid(checkEventType("type", in.Type)...), s.checkRequestDocument("data", in.Data)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		appID := deref(in.ApplicationID)
		if err := s.checkScopeRef(ctx, q, r, appID, api.Editor, "events"); err != nil {
			return 0, nil, err
		}
		ev, err := s.publish(ctx, q, in.Type, appID, deref(in.Data), origin{})
		if de := (*documentError)(nil); errors.As(err, &de) {
			return 0, nil, invalid(FieldError("data", "%s", de.Error()))
		}
		if err != nil {
			return 0, nil, err
		}
		return http.StatusAccepted, ev, s.audit(ctx, q, r, "publish", "event", ev.ID, "", "")
	})
	s.nudge()
}

// publish stores an event and fans it out inside the caller's transaction: an execution of
// every enabled workflow triggered by its type (of its application; a platform-wide event
// reaches every application's), and a delivery to every active webhook subscribed to the type
// or to "*" (the application's and platform-wide ones; a platform-wide event reaches all).
// from says where the executions it starts come from (bounds.go): the fan-out and document
// bounds are checked before anything is stored.
func (s *Server) publish(ctx context.Context, q *store.Q, eventType, appID string, data map[string]any, from origin) (api.Event, error) {
	depth := from.lineage.Depth
	if data == nil {
		data = map[string]any{}
	}
	ev := api.Event{ID: store.NewID("evt"), Type: eventType, ApplicationID: appID, PublishedAt: s.now(),
		ExecutionIds: []string{}, DeliveryIds: []string{}}
	if err := s.documentLimits().Check(data); err != nil {
		return ev, &documentError{fmt.Errorf("the event's data: %w", err)}
	}
	if depth > maxEmitDepth {
		return ev, fmt.Errorf("%s was emitted by a chain of %d workflows, each triggered by the last one's event; "+
			"refusing to go on (do workflows trigger each other in a loop?)", eventType, depth)
	}
	filters := []store.Filter{store.Eq("enabled", true), store.Eq("trigger_type", string(api.TriggerTypeEvent)), store.Eq("event_type", eventType)}
	if appID != "" {
		filters = append(filters, store.Eq("application_id", appID))
	}
	wfs, err := listAll(ctx, q, store.Workflows, filters)
	if err != nil {
		return ev, err
	}
	if err := s.checkFanOut(ctx, q, eventType, from, wfs); err != nil {
		return ev, err
	}
	lineage := store.Lineage{Depth: depth, Root: cmp.Or(from.lineage.Root, ev.ID), Chain: from.lineage.Chain}
	for i := range wfs {
		exe := s.newExecution(&wfs[i], api.TriggerTypeEvent, data, ev.ID)
		if err := q.InsertExecutionFrom(ctx, exe, lineage); err != nil {
			return ev, err
		}
		ev.ExecutionIds = append(ev.ExecutionIds, exe.ID)
	}

	hooks, err := q.WebhooksForEvent(ctx, eventType, appID)
	if err != nil {
		return ev, err
	}
	payload, err := json.Marshal(deliveryPayload{Type: eventType, Timestamp: ev.PublishedAt.Format("2006-01-02T15:04:05.000Z07:00"),
		Data: data, EventID: ev.ID, ApplicationID: nonEmpty(appID)})
	if err != nil {
		return ev, err
	}
	if len(payload) > int(s.cfg.MaxDocumentBytes) {
		return ev, &documentError{fmt.Errorf("the webhook payload of %s would be %d bytes; the limit is %d bytes (--max-document-bytes)",
			eventType, len(payload), s.cfg.MaxDocumentBytes)}
	}
	for _, wh := range hooks {
		now := ev.PublishedAt
		d := api.Delivery{ID: store.NewID("dlv"), WebhookID: wh.ID, EventID: ev.ID, EventType: eventType,
			Status: api.DeliveryStatusPending, Attempts: []api.DeliveryAttempt{}, CreatedAt: now, NextAttemptAt: &now}
		if err := q.InsertDelivery(ctx, d, string(payload), &now); err != nil {
			return ev, err
		}
		ev.DeliveryIds = append(ev.DeliveryIds, d.ID)
	}
	return ev, q.InsertEventFrom(ctx, ev, storedEvent{Event: ev, Data: data}, from.lineage.Root)
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ListEventTypes lists the event types named by workflow triggers, emit steps, webhook
// subscriptions and published events, among the objects the caller may read, with where each
// was seen.
func (s *Server) ListEventTypes(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := s.store.Read()
	all, apps, _ := readable(principal(r))
	var wfFilters, appFilters []store.Filter
	if f, ok := readableWorkflows(principal(r)); ok {
		wfFilters = append(wfFilters, f)
	}
	if !all {
		appFilters = append(appFilters, store.In("application_id", apps))
	}
	sources := map[string][]api.EventTypeSources{}
	add := func(source api.EventTypeSources, names []string) {
		for _, n := range names {
			if !slices.Contains(sources[n], source) {
				sources[n] = append(sources[n], source)
			}
		}
	}
	for _, src := range []struct {
		from    store.EventTypeSource
		source  api.EventTypeSources
		filters []store.Filter
	}{
		{store.SourceTriggers, api.EventTypeSourcesWorkflowTrigger, wfFilters},
		{store.SourceWebhooks, api.EventTypeSourcesWebhook, appFilters},
		{store.SourcePublished, api.EventTypeSourcesPublished, appFilters},
	} {
		names, err := q.EventTypes(ctx, src.from, src.filters)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		add(src.source, names)
	}
	// Emit steps are inside the workflow documents; only workflows that have one are read.
	emitting := append(slices.Clone(wfFilters), store.EmittingWorkflows())
	wfs, err := listAll(ctx, q, store.Workflows, emitting)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, wf := range wfs {
		for _, st := range wf.Steps {
			if st.Emit != nil {
				add(api.EventTypeSourcesEmitStep, []string{st.Emit.EventType})
			}
		}
	}
	items := make([]api.EventType, 0, len(sources))
	for name, srcs := range sources {
		sort.Slice(srcs, func(i, j int) bool { return sourceOrder(srcs[i]) < sourceOrder(srcs[j]) })
		items = append(items, api.EventType{Name: name, Sources: srcs})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	writeJSON(w, http.StatusOK, api.EventTypeList{Items: items})
}

// sourceOrder lists sources in the contract's order.
func sourceOrder(s api.EventTypeSources) int {
	return strings.Index("workflow_trigger emit_step webhook published", string(s))
}
