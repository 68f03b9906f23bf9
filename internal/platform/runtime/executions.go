package runtime

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// ExecutionQueue is what ExecutionWorkers needs of the platform's engine: claims that run an
// execution, and the two cheap questions it asks while executions run.
type ExecutionQueue interface {
	Queue
	// Canceled returns the ids of the executions this server holds that were canceled
	// meanwhile, by a request to any replica.
	Canceled(ctx context.Context) ([]string, error)
	// RenewLeases extends the leases of the executions this server holds.
	RenewLeases(ctx context.Context) error
}

// ExecutionWorkersConfig configures ExecutionWorkers.
type ExecutionWorkersConfig struct {
	PoolConfig
	// CancelCheckInterval is how often, while executions run here, the workers ask the
	// database whether one of them was canceled through another replica (default 500ms). A
	// cancel sent to this replica reaches the execution at once (Cancel).
	CancelCheckInterval time.Duration
	// RenewInterval is how often the leases of running executions are renewed (default 10s,
	// a third of the default lease).
	RenewInterval time.Duration
}

// ExecutionWorkers defaults, see ExecutionWorkersConfig.
const (
	DefaultCancelCheckInterval = 500 * time.Millisecond
	DefaultRenewInterval       = 10 * time.Second
)

// ExecutionWorkersTestSignals fire as executions move; tests only.
type ExecutionWorkersTestSignals struct {
	PoolTestSignals
	// LeasesRenewed fires after each renewal of the running executions' leases.
	LeasesRenewed Signal[struct{}]
}

// Init initializes every signal.
func (ts *ExecutionWorkersTestSignals) Init() {
	ts.PoolTestSignals.Init()
	ts.LeasesRenewed.Init()
}

// ExecutionWorkers claim queued executions fairly per application and run them. A running
// execution's context ends when it is canceled (directly through Cancel, or within
// CancelCheckInterval when another replica recorded the cancellation) or when Stop's deadline
// passes.
type ExecutionWorkers struct {
	Config      ExecutionWorkersConfig
	TestSignals ExecutionWorkersTestSignals

	queue ExecutionQueue
	log   *slog.Logger
	pool  *pool

	watchStop chan struct{}
	watchDone chan struct{}
	stopOnce  sync.Once
}

// NewExecutionWorkers checks the config, fills in its defaults and returns the service,
// not started.
func NewExecutionWorkers(cfg ExecutionWorkersConfig, queue ExecutionQueue, log *slog.Logger) (*ExecutionWorkers, error) {
	if cfg.CancelCheckInterval == 0 {
		cfg.CancelCheckInterval = DefaultCancelCheckInterval
	}
	if cfg.RenewInterval == 0 {
		cfg.RenewInterval = DefaultRenewInterval
	}
	w := &ExecutionWorkers{queue: queue, log: log}
	p, err := newPool("execution workers", cfg.PoolConfig, queue, log, &w.TestSignals.PoolTestSignals)
	if err != nil {
		return nil, err
	}
	if cfg.CancelCheckInterval < 0 || cfg.RenewInterval < 0 {
		return nil, errNegative("execution workers", "CancelCheckInterval and RenewInterval")
	}
	cfg.PoolConfig = p.cfg
	w.Config, w.pool, w.log = cfg, p, p.log
	return w, nil
}

// Start starts the workers and the watcher that renews leases and notices cancellations.
func (w *ExecutionWorkers) Start(context.Context) error {
	w.watchStop, w.watchDone = make(chan struct{}), make(chan struct{})
	w.pool.start()
	go w.watch()
	return nil
}

// Stop stops claiming, waits for running executions until ctx ends, then cancels them and
// waits the pool's Grace; see pool.Stop. Leases are renewed until then, and no longer.
func (w *ExecutionWorkers) Stop(ctx context.Context) error {
	err := w.pool.Stop(ctx)
	w.stopOnce.Do(func() {
		if w.watchStop != nil {
			close(w.watchStop)
			<-w.watchDone
		}
	})
	return err
}

// Nudge wakes an idle worker: an execution was queued by this process.
func (w *ExecutionWorkers) Nudge() { w.pool.Nudge() }

// Cancel stops an execution this process runs, now; false when it does not run here.
func (w *ExecutionWorkers) Cancel(id string) bool { return w.pool.Cancel(id) }

// Running lists the ids of the executions this process runs.
func (w *ExecutionWorkers) Running() []string { return w.pool.Running() }

// watch, while executions run here, asks every CancelCheckInterval which of them were
// canceled elsewhere, and renews their leases every RenewInterval.
func (w *ExecutionWorkers) watch() {
	defer close(w.watchDone)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-w.watchStop:
			cancel()
		case <-ctx.Done():
		}
	}()
	// Ticks often enough for both duties, whichever is the shorter.
	ticker := time.NewTicker(min(w.Config.CancelCheckInterval, w.Config.RenewInterval))
	defer ticker.Stop()
	lastRenew := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if len(w.pool.Running()) == 0 {
			lastRenew = time.Now()
			continue
		}
		ids, err := w.queue.Canceled(ctx)
		if err != nil && ctx.Err() == nil {
			w.log.Error("runtime: execution workers: looking for canceled executions", slog.Any("error", err))
		}
		for _, id := range ids {
			w.pool.Cancel(id)
		}
		if time.Since(lastRenew) >= w.Config.RenewInterval {
			if err := w.queue.RenewLeases(ctx); err != nil && ctx.Err() == nil {
				w.log.Error("runtime: execution workers: renewing leases", slog.Any("error", err))
			}
			lastRenew = time.Now()
			w.TestSignals.LeasesRenewed.Signal(struct{}{})
		}
	}
}
