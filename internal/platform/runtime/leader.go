package runtime

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Locker takes the leadership lock of the database (PostgreSQL: a session-level advisory lock
// on a connection of its own).
type Locker interface {
	// TryLock takes the lock without waiting; a nil Lock means another replica holds it.
	TryLock(ctx context.Context) (Lock, error)
}

// Lock is a held leadership lock.
type Lock interface {
	// Check fails when the lock may have been lost (its connection broke).
	Check(ctx context.Context) error
	// Release gives the lock up.
	Release()
}

// ElectorConfig configures the Elector.
type ElectorConfig struct {
	// Interval is how often a follower tries to take the lock and a leader checks it still
	// holds it (default 5s). A leader that stops releases the lock at once; one that dies
	// loses it when the database notices its connection closed.
	Interval time.Duration
}

// ElectorTestSignals fire on leadership changes; tests only.
type ElectorTestSignals struct {
	Elected  Signal[struct{}]
	Resigned Signal[struct{}]
}

// Init initializes every signal.
func (ts *ElectorTestSignals) Init() {
	ts.Elected.Init()
	ts.Resigned.Init()
}

// Elector keeps this replica's leadership: at most one replica of a PostgreSQL database leads
// at a time, and only the leader runs the Scheduler and the Rescuer (the others would only scan
// the same rows every second to find them taken). Leadership saves work; it is not what keeps
// them correct: a schedule slot is claimed by a unique row and a rescue holds the row it
// settles, so two leaders for a moment do no harm.
type Elector struct {
	Config      ElectorConfig
	TestSignals ElectorTestSignals

	locker Locker
	log    *slog.Logger
	leader atomic.Bool

	mu       sync.Mutex
	lock     Lock
	cancel   context.CancelFunc
	done     chan struct{}
	stopOnce sync.Once
}

// NewElector returns the service, not started. A nil locker makes this replica the leader
// for good (SQLite: one process owns the database file).
func NewElector(cfg ElectorConfig, locker Locker, log *slog.Logger) (*Elector, error) {
	if cfg.Interval == 0 {
		cfg.Interval = 5 * time.Second
	}
	if cfg.Interval < 0 {
		return nil, errNegative("elector", "Interval")
	}
	if log == nil {
		log = slog.Default()
	}
	return &Elector{Config: cfg, locker: locker, log: log}, nil
}

// IsLeader tells whether this replica leads now.
func (e *Elector) IsLeader() bool { return e.leader.Load() }

// Start makes a first attempt at once (so a single replica leads from its first pass), then
// keeps trying or checking every Interval.
func (e *Elector) Start(ctx context.Context) error {
	if e.locker == nil {
		e.leader.Store(true)
		e.TestSignals.Elected.Signal(struct{}{})
		return nil
	}
	e.attempt(ctx)
	loopCtx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan struct{})
	go func() {
		defer close(e.done)
		ticker := time.NewTicker(e.Config.Interval)
		defer ticker.Stop()
		for {
			select {
			case <-loopCtx.Done():
				return
			case <-ticker.C:
			}
			e.attempt(loopCtx)
		}
	}()
	return nil
}

// attempt takes the lock when following, or checks it when leading.
func (e *Elector) attempt(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.lock != nil {
		if err := e.lock.Check(ctx); err != nil {
			if ctx.Err() == nil {
				e.log.Warn("runtime: lost the leadership lock", slog.Any("error", err))
			}
			e.resignLocked()
		}
		return
	}
	lock, err := e.locker.TryLock(ctx)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Error("runtime: taking the leadership lock", slog.Any("error", err))
		}
		return
	}
	if lock == nil {
		return
	}
	e.lock = lock
	e.leader.Store(true)
	e.log.Info("runtime: this replica leads: it fires schedules and rescues expired executions")
	e.TestSignals.Elected.Signal(struct{}{})
}

func (e *Elector) resignLocked() {
	e.leader.Store(false)
	if e.lock != nil {
		e.lock.Release()
		e.lock = nil
		e.TestSignals.Resigned.Signal(struct{}{})
	}
}

// Stop ends the loop and releases the lock, so another replica takes over at its next attempt.
func (e *Elector) Stop(ctx context.Context) error {
	e.stopOnce.Do(func() {
		if e.cancel != nil {
			e.cancel()
			select {
			case <-e.done:
			case <-ctx.Done():
			}
		}
		e.mu.Lock()
		e.resignLocked()
		e.mu.Unlock()
	})
	return nil
}
