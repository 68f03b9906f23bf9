package platform

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// The integration runtime: a small pool of workers that run queued workflow executions
// (executions.go) and attempt webhook deliveries (deliveries.go), and one maintenance loop
// that fires schedules (scheduler.go) and recovers the executions of servers that died.
//
// The queues live in the database, so nothing is held only in memory: a trigger, an event or a
// schedule slot commits its execution and delivery rows before it is acknowledged, and any
// replica's workers may take them. Within one process a channel nudge wakes the workers as
// soon as something is queued; other replicas notice within PollInterval.
//
// Recovery: a worker holds what it runs under a lease it renews while running. If the server
// dies, the lease expires and any replica's maintenance loop fails the execution visibly with
// "interrupted by a server restart" (its steps are not run again: an http or emit step may
// already have had its effect, and repeating it silently would be worse than saying so; the
// user can trigger it again). A delivery whose lease expired is simply attempted again: the
// webhook-id header stays the same, so receivers deduplicate it.

// Runtime defaults, see Config.
const (
	defaultWorkers          = 4
	defaultPollInterval     = time.Second
	defaultLeaseDuration    = 30 * time.Second
	defaultShutdownTimeout  = 10 * time.Second
	defaultDeliveryTimeout  = 10 * time.Second
	defaultMonitoringWindow = time.Hour
	// maxHTTPStepTimeout is the contract's maximum timeout_ms; the shared client's dialer uses
	// it, each request is bounded by its own context.
	maxHTTPStepTimeout = 60 * time.Second
)

// DefaultDeliveryRetrySchedule is the wait before each retry of a failed delivery (Config.DeliveryRetrySchedule).
var DefaultDeliveryRetrySchedule = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour}

type runtime struct {
	// owner names this server in leases.
	owner string
	// wake nudges idle workers; buffered so that a nudge is never lost nor blocks.
	wake chan struct{}
	// stop closes when Close begins: workers finish what they run and take nothing new.
	stop chan struct{}
	// ctx ends when the shutdown timeout passes: running steps are aborted.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	client *http.Client
	stats  *runtimeMetrics
}

func (s *Server) runtimeDefaults() {
	c := &s.cfg
	if c.Workers == 0 {
		c.Workers = defaultWorkers
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

// startRuntime starts the workers and the maintenance loop. Every goroutine it starts ends in
// stopRuntime.
func (s *Server) startRuntime() {
	s.runtimeDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	rt := &runtime{
		owner:  store.NewID("srv"),
		wake:   make(chan struct{}, max(s.cfg.Workers, 1)),
		stop:   make(chan struct{}),
		ctx:    ctx,
		cancel: cancel,
		client: s.callbackPolicy().HTTPClient(maxHTTPStepTimeout),
		stats:  newRuntimeMetrics(s),
	}
	s.runtime = rt
	if s.cfg.Workers < 0 {
		return
	}
	for range s.cfg.Workers {
		rt.wg.Add(1)
		go s.worker()
	}
	rt.wg.Add(1)
	go s.maintain()
}

// stopRuntime stops taking work, waits up to ShutdownTimeout for running work, then aborts
// what still runs (those executions fail visibly) and waits for the workers to record that.
func (s *Server) stopRuntime() {
	rt := s.runtime
	if rt == nil {
		return
	}
	close(rt.stop)
	done := make(chan struct{})
	go func() {
		rt.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(s.cfg.ShutdownTimeout):
		s.log.Warn("runtime: shutdown timeout passed; aborting running executions")
		rt.cancel()
		<-done
	}
	rt.cancel()
	rt.client.CloseIdleConnections()
}

// nudge wakes an idle worker (of this process) to look for work.
func (s *Server) nudge() {
	if s.runtime == nil {
		return
	}
	select {
	case s.runtime.wake <- struct{}{}:
	default: // enough nudges are pending already
	}
}

// stopping tells whether Close has begun.
func (rt *runtime) stopping() bool {
	select {
	case <-rt.stop:
		return true
	default:
		return false
	}
}

// worker takes executions and deliveries until the runtime stops; it sleeps when there are
// none, until nudged or PollInterval passes.
func (s *Server) worker() {
	rt := s.runtime
	defer rt.wg.Done()
	timer := time.NewTimer(s.cfg.PollInterval)
	defer timer.Stop()
	for !rt.stopping() {
		ranExecution, err := s.runNextExecution()
		if err != nil {
			s.logRuntimeError("running an execution", err)
		}
		delivered, derr := s.deliverNext()
		if derr != nil {
			s.logRuntimeError("delivering a webhook", derr)
		}
		if (ranExecution || delivered) && err == nil && derr == nil {
			s.nudge() // there may be more: let another worker help
			continue
		}
		// Since Go 1.23 Reset discards a pending expiry, so no drain is needed.
		timer.Reset(s.cfg.PollInterval)
		select {
		case <-rt.stop:
			return
		case <-rt.wake:
		case <-timer.C:
		}
	}
}

// maintain fires due schedules and recovers executions whose worker died, every
// PollInterval.
func (s *Server) maintain() {
	rt := s.runtime
	defer rt.wg.Done()
	ticker := time.NewTicker(s.cfg.PollInterval)
	defer ticker.Stop()
	for {
		if err := s.recoverExpired(); err != nil {
			s.logRuntimeError("recovering interrupted executions", err)
		}
		if err := s.fireSchedules(); err != nil {
			s.logRuntimeError("firing schedules", err)
		}
		select {
		case <-rt.stop:
			return
		case <-ticker.C:
		}
	}
}

func (s *Server) logRuntimeError(doing string, err error) {
	if errors.Is(err, context.Canceled) && s.runtime.stopping() {
		return
	}
	s.log.Error("runtime: "+doing, slog.Any("error", err))
}

// lease is a fresh lease for this server from now.
func (s *Server) lease() *store.Lease {
	return &store.Lease{Owner: s.runtime.owner, Until: s.now().Add(s.cfg.LeaseDuration)}
}

// writeCtx is a context for recording an outcome even after the runtime's context ended, so an
// aborted execution is still marked failed.
func (s *Server) writeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(s.runtime.ctx), 5*time.Second)
}
