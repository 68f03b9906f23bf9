package platform

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/cronspec"
)

// maxMissedSlots bounds the walk over the slots a schedule missed while no server ran.
const maxMissedSlots = 100_000

// fireSchedules queues an execution of every enabled schedule-triggered workflow whose next
// slot has come. A workflow fires at most once per pass, for its latest due slot: slots missed
// while no server ran are not made up one by one. Each slot is claimed in schedule_fires
// together with its execution, so of several replicas only one fires it.
func (s *Server) fireSchedules(ctx context.Context) (int, error) {
	wfs, err := listAll(ctx, s.store.Read(), store.Workflows,
		[]store.Filter{store.Eq("enabled", true), store.Eq("trigger_type", string(api.TriggerTypeSchedule))})
	if err != nil {
		return 0, err
	}
	fired := 0
	for i := range wfs {
		ok, err := s.fireSchedule(ctx, &wfs[i])
		if err != nil {
			return fired, err
		}
		if ok {
			fired++
		}
	}
	if fired > 0 {
		s.nudge()
	}
	return fired, nil
}

func (s *Server) fireSchedule(ctx context.Context, wf *api.Workflow) (bool, error) {
	sched, err := cronspec.Parse(deref(wf.Trigger.Cron))
	if err != nil {
		s.log.Warn("runtime: a workflow's schedule does not parse", slog.String("workflow", wf.ID), slog.Any("error", err))
		return false, nil
	}
	last, err := s.store.Read().LastScheduleFire(ctx, wf.ID)
	if err != nil {
		return false, err
	}
	// The first slot is the first after the workflow was last saved (created, enabled or
	// rescheduled) or after the last slot fired, whichever is later.
	base := wf.LastModified
	if last != nil && last.After(base) {
		base = *last
	}
	slot := latestDue(sched, base, s.now())
	if slot.IsZero() {
		return false, nil
	}
	fired := false
	err = s.store.Tx(ctx, func(q *store.Q) error {
		cur, err := store.Workflows.Get(ctx, q, wf.ID)
		if err != nil || !cur.Enabled || cur.Trigger.Type != api.TriggerTypeSchedule {
			return ignoreNotFound(err)
		}
		won, err := q.ClaimScheduleFire(ctx, wf.ID, slot)
		if err != nil || !won {
			return ignoreNotFound(err)
		}
		exe := s.newExecution(cur, api.TriggerTypeSchedule, map[string]any{"scheduled_at": slot.Format(time.RFC3339)}, "")
		fired = true
		return q.InsertExecution(ctx, exe, 0)
	})
	return fired && err == nil, err
}

// latestDue is the latest slot of sched after base and at or before now; zero when none is due.
func latestDue(sched cronspec.Schedule, base, now time.Time) time.Time {
	slot := sched.Next(base)
	if slot.IsZero() || slot.After(now) {
		return time.Time{}
	}
	for range maxMissedSlots {
		next := sched.Next(slot)
		if next.IsZero() || next.After(now) {
			break
		}
		slot = next
	}
	return slot
}

// ignoreNotFound treats a missing object (deleted meanwhile) as nothing to do.
func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}
