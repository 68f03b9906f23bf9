// Package runtime is the platform's integration runtime as services, after riverqueue/river's
// maintenance services: each has its own Config (defaults filled in, checked), Start and Stop,
// depends on the platform through a narrow interface, and fires test signals so that tests
// wait on events instead of polling.
//
//   - ExecutionWorkers claim queued workflow executions and run them through the platform's
//     engine; a cancelled execution's context ends at once.
//   - Deliverer attempts webhook deliveries on a pool of its own.
//   - Scheduler fires due schedules; Rescuer fails the executions whose server died. Both run
//     on the leading replica only (Elector).
//
// Fairness. Executions and deliveries are claimed fairly per application: a claim takes the
// oldest queued work of the application that has the fewest running (across all replicas,
// ties to the one waiting longest), among the applications that hold fewer than MaxPerGroup of
// this process's workers (default: all workers but one). So one application's flood, slow
// steps or slow receivers hold at most Workers-1 workers, and the next free worker goes to
// another application's work ahead of the flood's backlog. When only one application has work,
// it may use MaxPerGroup workers; the last one stays free for the others. A pool whose queue
// is a BatchQueue (the Deliverer's) claims for its idle workers too, in one transaction, each
// job as the next claim would choose it and none past a group's cap (Slots).
//
// Shutdown. Stop stops claiming at once, lets running work finish until its context's
// deadline (the shutdown timeout), then cancels it (cause ErrShutdown) and waits a short grace
// for it to record that. Work that ignores its context is left behind: its lease expires and
// the Rescuer (on any replica, or this one restarted) fails it visibly.
package runtime

import (
	"context"
	"errors"
	"sync"
)

// Service is one of the runtime's services.
type Service interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
}

// Runtime starts and stops the services in order. Nil services are skipped (an API-only
// replica has no workers).
type Runtime struct {
	Elector    *Elector
	Rescuer    *Rescuer
	Scheduler  *Scheduler
	Executions *ExecutionWorkers
	Deliverer  *Deliverer
}

// Start starts the elector, then the periodic services, then the workers.
func (r *Runtime) Start(ctx context.Context) error {
	for _, s := range r.services() {
		if err := s.Start(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (r *Runtime) services() []Service {
	var out []Service
	if r.Elector != nil {
		out = append(out, r.Elector)
	}
	if r.Rescuer != nil {
		out = append(out, r.Rescuer)
	}
	if r.Scheduler != nil {
		out = append(out, r.Scheduler)
	}
	if r.Executions != nil {
		out = append(out, r.Executions)
	}
	if r.Deliverer != nil {
		out = append(out, r.Deliverer)
	}
	return out
}

// Stop stops the scheduler and the rescuer, then the two pools together under ctx's deadline
// (see the package documentation), then gives leadership up. It returns within ctx's deadline
// plus the pools' grace, whatever runs.
func (r *Runtime) Stop(ctx context.Context) error {
	var errs []error
	var mu sync.Mutex
	add := func(err error) {
		if err != nil {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
	}
	if r.Scheduler != nil {
		add(r.Scheduler.Stop(ctx))
	}
	if r.Rescuer != nil {
		add(r.Rescuer.Stop(ctx))
	}
	var wg sync.WaitGroup
	if r.Executions != nil {
		wg.Go(func() { add(r.Executions.Stop(ctx)) })
	}
	if r.Deliverer != nil {
		wg.Go(func() { add(r.Deliverer.Stop(ctx)) })
	}
	wg.Wait()
	if r.Elector != nil {
		add(r.Elector.Stop(context.WithoutCancel(ctx)))
	}
	return errors.Join(errs...)
}
