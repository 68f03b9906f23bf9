package runtime

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Leader tells whether this replica is the one that runs the Scheduler and the Rescuer now.
type Leader interface {
	IsLeader() bool
}

// PeriodicTestSignals fire as a periodic service works; tests only.
type PeriodicTestSignals struct {
	// Ran fires after each pass this replica made as leader, with how many objects it acted
	// on (schedules fired, executions rescued).
	Ran Signal[int]
	// Skipped fires for each pass skipped because another replica leads.
	Skipped Signal[struct{}]
}

// Init initializes every signal.
func (ts *PeriodicTestSignals) Init() {
	ts.Ran.Init()
	ts.Skipped.Init()
}

// periodic runs a pass every interval while this replica leads.
type periodic struct {
	name     string
	interval time.Duration
	leader   Leader
	pass     func(ctx context.Context) (int, error)
	log      *slog.Logger
	signals  *PeriodicTestSignals

	cancel   context.CancelFunc
	done     chan struct{}
	stopOnce sync.Once
}

func (p *periodic) start() {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan struct{})
	go func() {
		defer close(p.done)
		ticker := time.NewTicker(p.interval)
		defer ticker.Stop()
		for {
			if p.leader != nil && !p.leader.IsLeader() {
				p.signals.Skipped.Signal(struct{}{})
			} else {
				n, err := p.pass(ctx)
				if err != nil && ctx.Err() == nil {
					p.log.Error("runtime: "+p.name, slog.Any("error", err))
				}
				p.signals.Ran.Signal(n)
			}
			select {
			case <-ctx.Done():
				return
			case <-ticker.C:
			}
		}
	}()
}

// stop cancels the pass in progress (its database calls end with their context) and waits for
// it, or for ctx.
func (p *periodic) stop(ctx context.Context) error {
	if p.cancel == nil {
		return nil
	}
	p.stopOnce.Do(p.cancel)
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%s: still stopping: %w", p.name, ctx.Err())
	}
}

func errNegative(service, fields string) error {
	return fmt.Errorf("%s: %s must not be negative", service, fields)
}

// SchedulerConfig configures the Scheduler.
type SchedulerConfig struct {
	// Interval is how often due schedules are looked for (default 1s).
	Interval time.Duration
}

// Firer fires the schedules that are due, each slot once across replicas; it returns how many
// it fired.
type Firer interface {
	FireSchedules(ctx context.Context) (int, error)
}

// Scheduler queues an execution of each schedule-triggered workflow whose slot came, on the
// leading replica only.
type Scheduler struct {
	Config      SchedulerConfig
	TestSignals PeriodicTestSignals
	periodic
}

// NewScheduler checks the config, fills in its defaults and returns the service, not started.
// A nil leader means this replica always leads (SQLite: one process owns the file).
func NewScheduler(cfg SchedulerConfig, firer Firer, leader Leader, log *slog.Logger) (*Scheduler, error) {
	s := &Scheduler{Config: cfg}
	if err := s.init("scheduler", "firing schedules", &s.Config.Interval, firer.FireSchedules, leader, log, &s.TestSignals); err != nil {
		return nil, err
	}
	return s, nil
}

// Start starts the scheduler's loop.
func (s *Scheduler) Start(context.Context) error { s.start(); return nil }

// Stop ends the loop, cancelling a pass in progress.
func (s *Scheduler) Stop(ctx context.Context) error { return s.stop(ctx) }

// RescuerConfig configures the Rescuer.
type RescuerConfig struct {
	// Interval is how often expired leases are looked for (default 1s).
	Interval time.Duration
}

// Rescue settles the work whose lease expired (its server died): executions fail visibly.
// It returns how many it settled. Deliveries need no pass: a delivery whose lease expired is
// due again, and the Deliverer claims it as any other.
type Rescue interface {
	RescueExpired(ctx context.Context) (int, error)
}

// Rescuer fails, visibly, the executions whose server died, on the leading replica only.
type Rescuer struct {
	Config      RescuerConfig
	TestSignals PeriodicTestSignals
	periodic
}

// NewRescuer checks the config, fills in its defaults and returns the service, not started.
// A nil leader means this replica always leads.
func NewRescuer(cfg RescuerConfig, rescue Rescue, leader Leader, log *slog.Logger) (*Rescuer, error) {
	r := &Rescuer{Config: cfg}
	if err := r.init("rescuer", "rescuing expired executions", &r.Config.Interval, rescue.RescueExpired, leader, log, &r.TestSignals); err != nil {
		return nil, err
	}
	return r, nil
}

// Start starts the rescuer's loop.
func (r *Rescuer) Start(context.Context) error { r.start(); return nil }

// Stop ends the loop, cancelling a pass in progress.
func (r *Rescuer) Stop(ctx context.Context) error { return r.stop(ctx) }

// init sets up a periodic service with its defaults (an interval of 1s, written back into the
// service's config; the default logger), after checking them.
func (p *periodic) init(service, doing string, interval *time.Duration, pass func(context.Context) (int, error), leader Leader,
	log *slog.Logger, signals *PeriodicTestSignals) error {
	if *interval == 0 {
		*interval = time.Second
	}
	if *interval < 0 {
		return errNegative(service, "Interval")
	}
	if log == nil {
		log = slog.Default()
	}
	p.name, p.interval, p.leader, p.pass, p.log, p.signals = doing, *interval, leader, pass, log, signals
	return nil
}
