package platform

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/runtime"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// The integration runtime is internal/platform/runtime's services (execution workers, the
// deliverer, the scheduler, the rescuer and the leader elector); this file wires them to the
// server: the engine (engine.go) runs executions, deliveries.go attempts deliveries,
// scheduler.go fires schedules.
//
// The queues live in the database, so nothing is held only in memory: a trigger, an event or a
// schedule slot commits its execution and delivery rows before it is acknowledged, and any
// replica's workers may take them. Within one process a nudge wakes the workers as soon as
// something is queued; other replicas notice within PollInterval.
//
// Recovery: a worker holds what it runs under a lease it renews while running. If the server
// dies, the lease expires and the leading replica's rescuer fails the execution visibly with
// "interrupted by a server restart" (its steps are not run again: an http or emit step may
// already have had its effect, and repeating it silently would be worse than saying so; the
// user can trigger it again). A delivery whose lease expired is simply attempted again: the
// webhook-id header stays the same, so receivers deduplicate it.

// Runtime defaults, see Config.
const (
	// defaultWorkers is one more than the four workers the runtime had before claims were
	// fair: one application alone still runs four executions at once, and one worker stays
	// free for the others.
	defaultWorkers = 5
	// defaultDeliveryWorkers is the same: one application's webhooks alone get the four
	// concurrent attempts they had, one more worker stays free for the others. (More workers
	// contend for SQLite's one writer without delivering more.)
	defaultDeliveryWorkers  = 5
	defaultPollInterval     = time.Second
	defaultLeaseDuration    = 30 * time.Second
	defaultShutdownTimeout  = 10 * time.Second
	defaultShutdownGrace    = time.Second
	defaultDeliveryTimeout  = 10 * time.Second
	defaultMonitoringWindow = time.Hour
	// maxHTTPStepTimeout is the contract's maximum timeout_ms; the shared client's dialer uses
	// it, each request is bounded by its own context.
	maxHTTPStepTimeout = 60 * time.Second
)

// DefaultDeliveryRetrySchedule is the wait before each retry of a failed delivery (Config.DeliveryRetrySchedule).
var DefaultDeliveryRetrySchedule = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour}

// runtimeState is the server's side of the runtime.
type runtimeState struct {
	// owner names this server in leases.
	owner    string
	client   *http.Client
	stats    *runtimeMetrics
	services *runtime.Runtime
	// deliveryWrites makes the Deliverer's writes (claims and the outcomes of attempts),
	// several to a transaction when they come together (store.Group), so that a delivery
	// costs the write lock less than two turns.
	deliveryWrites *store.Group
	stopOnce       sync.Once
	stopErr        error
}

func (s *Server) runtimeDefaults() {
	c := &s.cfg
	if c.Workers == 0 {
		c.Workers = defaultWorkers
	}
	if c.DeliveryWorkers == 0 {
		c.DeliveryWorkers = defaultDeliveryWorkers
	}
	if c.PollInterval <= 0 {
		c.PollInterval = defaultPollInterval
	}
	if c.LeaseDuration <= 0 {
		c.LeaseDuration = defaultLeaseDuration
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = defaultShutdownTimeout
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = defaultShutdownGrace
	}
	if c.DeliveryTimeout <= 0 {
		c.DeliveryTimeout = defaultDeliveryTimeout
	}
	if c.DeliveryRetrySchedule == nil {
		c.DeliveryRetrySchedule = DefaultDeliveryRetrySchedule
	}
	if c.MonitoringWindow <= 0 {
		c.MonitoringWindow = defaultMonitoringWindow
	}
}

// startRuntime builds the runtime's services and starts them. Every goroutine they start ends
// in StopRuntime.
func (s *Server) startRuntime(ctx context.Context) error {
	s.runtimeDefaults()
	s.runtime = &runtimeState{
		owner:          store.NewID("srv"),
		client:         s.callbackPolicy().HTTPClient(maxHTTPStepTimeout),
		stats:          newRuntimeMetrics(s),
		services:       &runtime.Runtime{},
		deliveryWrites: store.NewGroup(s.store),
	}
	if s.cfg.Workers < 0 {
		return nil // an API-only replica
	}
	svc, err := s.runtimeServices()
	if err != nil {
		return err
	}
	s.runtime.services = svc
	if s.cfg.TestSignals {
		svc.Elector.TestSignals.Init()
		svc.Rescuer.TestSignals.Init()
		svc.Scheduler.TestSignals.Init()
		svc.Executions.TestSignals.Init()
		if svc.Deliverer != nil {
			svc.Deliverer.TestSignals.Init()
		}
	}
	return svc.Start(ctx)
}

func (s *Server) runtimeServices() (*runtime.Runtime, error) {
	c, log := s.cfg, s.log
	var locker runtime.Locker
	if s.store.Dialect() == store.Postgres {
		locker = leaderLocker{s.store}
	}
	elector, err := runtime.NewElector(runtime.ElectorConfig{Interval: c.LeaderInterval}, locker, log)
	if err != nil {
		return nil, err
	}
	rescuer, err := runtime.NewRescuer(runtime.RescuerConfig{Interval: c.PollInterval}, rescueFunc(s.recoverExpired), elector, log)
	if err != nil {
		return nil, err
	}
	scheduler, err := runtime.NewScheduler(runtime.SchedulerConfig{Interval: c.PollInterval}, fireFunc(s.fireSchedules), elector, log)
	if err != nil {
		return nil, err
	}
	executions, err := runtime.NewExecutionWorkers(runtime.ExecutionWorkersConfig{
		PoolConfig: runtime.PoolConfig{Workers: c.Workers, MaxPerGroup: c.MaxWorkersPerApplication, PollInterval: c.PollInterval, Grace: c.ShutdownGrace},
		// A third of the lease: two renewals may fail before it runs out.
		RenewInterval:       c.LeaseDuration / 3,
		CancelCheckInterval: c.CancelCheckInterval,
	}, executionQueue{s}, log)
	if err != nil {
		return nil, err
	}
	r := &runtime.Runtime{Elector: elector, Rescuer: rescuer, Scheduler: scheduler, Executions: executions}
	if c.DeliveryWorkers > 0 {
		if r.Deliverer, err = runtime.NewDeliverer(runtime.DelivererConfig{PoolConfig: runtime.PoolConfig{Workers: c.DeliveryWorkers,
			MaxPerGroup: c.MaxDeliveriesPerApplication, PollInterval: c.PollInterval, Grace: c.ShutdownGrace}}, deliveryQueue{s}, log); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// StopRuntime stops taking work, waits until ctx ends for running work, then aborts what
// still runs (those executions fail visibly) and waits ShutdownGrace for it to record that, no
// longer. Only the first call stops; later ones return its outcome at once.
func (s *Server) StopRuntime(ctx context.Context) error {
	if s.runtime == nil {
		return nil
	}
	s.runtime.stopOnce.Do(func() {
		s.runtime.stopErr = s.runtime.services.Stop(ctx)
		if s.runtime.stopErr != nil {
			s.log.Warn("runtime: stopped with work still running", slog.Any("error", s.runtime.stopErr))
		}
		s.runtime.client.CloseIdleConnections()
	})
	return s.runtime.stopErr
}

// Runtime exposes the runtime's services to tests (their TestSignals, with Config.TestSignals).
func (s *Server) Runtime() *runtime.Runtime { return s.runtime.services }

// nudge wakes idle workers (of this process) to look for executions and deliveries.
func (s *Server) nudge() { s.nudgeFor(true, true) }

// nudgeEvent wakes only the pools an event queued work for: a claim costs a transaction, so
// an event that fanned out to webhooks alone does not send the execution workers looking.
func (s *Server) nudgeEvent(ev api.Event) {
	s.nudgeFor(len(ev.ExecutionIds) > 0, len(ev.DeliveryIds) > 0)
}

func (s *Server) nudgeFor(executions, deliveries bool) {
	if s.runtime == nil {
		return
	}
	if w := s.runtime.services.Executions; w != nil && executions {
		w.Nudge()
	}
	if d := s.runtime.services.Deliverer; d != nil && deliveries {
		d.Nudge()
	}
}

func (s *Server) logRuntimeError(doing string, err error) {
	if errors.Is(err, context.Canceled) {
		return // stopping
	}
	s.log.Error("runtime: "+doing, slog.Any("error", err))
}

// lease is a fresh lease for this server from now.
func (s *Server) lease() *store.Lease {
	return &store.Lease{Owner: s.runtime.owner, Until: s.now().Add(s.cfg.LeaseDuration)}
}

// writeCtx is a context for recording an outcome even after ctx ended (canceled, or the
// shutdown timeout passed), so an aborted execution is still recorded.
func writeCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
}

// leaderLocker takes the PostgreSQL leader lock for the Elector.
type leaderLocker struct{ st *store.Store }

func (l leaderLocker) TryLock(ctx context.Context) (runtime.Lock, error) {
	lock, err := l.st.TryLeaderLock(ctx)
	if lock == nil {
		return nil, err // never a typed nil
	}
	return lock, err
}

type rescueFunc func(ctx context.Context) (int, error)

func (f rescueFunc) RescueExpired(ctx context.Context) (int, error) { return f(ctx) }

type fireFunc func(ctx context.Context) (int, error)

func (f fireFunc) FireSchedules(ctx context.Context) (int, error) { return f(ctx) }
