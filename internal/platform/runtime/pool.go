package runtime

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ErrCanceled is the cause of a job's context when its work was canceled (a user cancelled the
// execution): the job stops what it runs and records the cancellation.
var ErrCanceled = errors.New("canceled")

// ErrShutdown is the cause of a job's context when the server's shutdown timeout passed while
// the job still ran: the job stops and records that the server stopped it.
var ErrShutdown = errors.New("the server shut down")

// Job is one unit of work a pool claimed: an execution or a delivery attempt.
type Job struct {
	// ID names the work (the execution's or delivery's id).
	ID string
	// Group is the application the work belongs to: the unit of fairness.
	Group string
	// Run does the work. Its context ends, with ErrCanceled or ErrShutdown as its cause, when
	// the work is canceled or the shutdown timeout passes; Run must then return promptly.
	Run func(ctx context.Context)
}

// Queue is where a pool claims work from: the database's queue behind the platform's engine.
type Queue interface {
	// Claim takes the next job, fairly across groups (see the package documentation), of a
	// group not listed in full; nil when there is none. The job is leased to this server.
	Claim(ctx context.Context, full []string) (*Job, error)
}

// BatchQueue is a Queue that can claim several jobs at once, in one transaction: a worker that
// claims takes work for the idle workers too, so that n jobs cost one turn at the database's
// write lock instead of n turns one after another (claims are made one at a time).
type BatchQueue interface {
	Queue
	// ClaimBatch takes up to slots.Left() jobs, as that many Claims one after another would:
	// each of a group not in slots.Full(), counted with slots.Take. Nil when there is none.
	ClaimBatch(ctx context.Context, slots *Slots) ([]*Job, error)
}

// Slots is what one batch claim may take: a number of jobs, and for each group the jobs it
// may still hold before it reaches the pool's MaxPerGroup.
type Slots struct {
	left, max int
	held      map[string]int
}

// NewSlots returns room for n jobs, of groups that hold held[g] of at most max each; held is
// copied.
func NewSlots(n, max int, held map[string]int) *Slots {
	s := &Slots{left: n, max: max, held: make(map[string]int, len(held))}
	for g, k := range held {
		s.held[g] = k
	}
	return s
}

// Left is how many jobs may still be taken.
func (s *Slots) Left() int { return s.left }

// Full lists the groups at their cap, sorted.
func (s *Slots) Full() []string {
	var full []string
	for g, n := range s.held {
		if n >= s.max {
			full = append(full, g)
		}
	}
	slices.Sort(full)
	return full
}

// Take counts a job of group as taken.
func (s *Slots) Take(group string) {
	s.left--
	s.held[group]++
}

// Clone returns a copy, for a claim that may be made again.
func (s *Slots) Clone() *Slots { return NewSlots(s.left, s.max, s.held) }

// PoolConfig sizes a pool of workers.
type PoolConfig struct {
	// Workers run jobs at once (default 4).
	Workers int
	// MaxPerGroup bounds how many of the workers one group (application) may hold at once
	// (default Workers-1, at least 1): while one application's work fills the workers, one
	// is always free to claim another application's.
	MaxPerGroup int
	// PollInterval is how often idle workers look for work that other replicas queued
	// (default 1s); work queued by this process wakes them at once (Nudge).
	PollInterval time.Duration
	// Grace is how long Stop waits, after cancelling the jobs that still run at its
	// deadline, for them to record that (default 1s). A job that ignores its context is then
	// left behind: its lease expires and the rescuer recovers it.
	Grace time.Duration
}

// Pool defaults, see PoolConfig.
const (
	DefaultWorkers      = 4
	DefaultPollInterval = time.Second
	DefaultGrace        = time.Second
)

func (c PoolConfig) withDefaults() PoolConfig {
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.MaxPerGroup == 0 {
		c.MaxPerGroup = max(1, c.Workers-1)
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.Grace == 0 {
		c.Grace = DefaultGrace
	}
	return c
}

func (c PoolConfig) validate(name string) error {
	switch {
	case c.Workers < 1:
		return fmt.Errorf("%s: Workers is %d; give at least 1", name, c.Workers)
	case c.MaxPerGroup < 1 || c.MaxPerGroup > c.Workers:
		return fmt.Errorf("%s: MaxPerGroup is %d; give 1 to Workers (%d)", name, c.MaxPerGroup, c.Workers)
	case c.PollInterval < 0 || c.Grace < 0:
		return fmt.Errorf("%s: PollInterval and Grace must not be negative", name)
	}
	return nil
}

// PoolTestSignals fire as a pool's jobs move; tests only.
type PoolTestSignals struct {
	// Claimed fires with a job's id once it is claimed, before it runs.
	Claimed Signal[string]
	// Batch fires with the number of jobs of each batch claim that found work (BatchQueue).
	Batch Signal[int]
	// Finished fires with a job's id when its Run returned.
	Finished Signal[string]
	// Canceled fires with a job's id when Cancel reached it.
	Canceled Signal[string]
	// Abandoned fires with a job's id when Stop's grace passed and it still ran.
	Abandoned Signal[string]
}

// Init initializes every signal.
func (ts *PoolTestSignals) Init() {
	ts.Claimed.Init()
	ts.Batch.Init()
	ts.Finished.Init()
	ts.Canceled.Init()
	ts.Abandoned.Init()
}

// pool runs Workers loops that claim jobs from a queue and run them, keeping a registry of
// what runs so that a job can be cancelled directly and so that no group holds more than
// MaxPerGroup of the workers.
type pool struct {
	name    string
	cfg     PoolConfig
	queue   Queue
	log     *slog.Logger
	signals *PoolTestSignals

	// wake nudges idle workers; buffered so that a nudge is never lost nor blocks.
	wake chan struct{}
	// handoff holds the jobs a batch claim took for idle workers (at most Workers-1); every
	// worker runs what it holds before it claims, waits or stops, so none is left behind.
	handoff chan claimed
	// idle counts the workers waiting for work: a batch claim takes one job for each.
	idle atomic.Int32
	// claimMu makes this process's claims one at a time, so the groups at their cap are
	// known exactly when a claim chooses.
	claimMu sync.Mutex

	mu      sync.Mutex
	running map[string]*active
	groups  map[string]int

	stop     chan struct{}
	stopOnce sync.Once
	// base is every job's parent context; abort ends it with ErrShutdown.
	base  context.Context
	abort context.CancelCauseFunc
	loops sync.WaitGroup
	done  chan struct{}
}

// claimed is a job registered as running, with its context.
type claimed struct {
	job *Job
	ctx context.Context
}

type active struct {
	group  string
	cancel context.CancelCauseFunc
}

func newPool(name string, cfg PoolConfig, queue Queue, log *slog.Logger, signals *PoolTestSignals) (*pool, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(name); err != nil {
		return nil, err
	}
	if queue == nil {
		return nil, fmt.Errorf("%s: no queue", name)
	}
	if log == nil {
		log = slog.Default()
	}
	return &pool{name: name, cfg: cfg, queue: queue, log: log, signals: signals,
		wake: make(chan struct{}, cfg.Workers), handoff: make(chan claimed, cfg.Workers), running: map[string]*active{}, groups: map[string]int{},
		stop: make(chan struct{}), done: make(chan struct{})}, nil
}

// start starts the workers; every goroutine it starts ends in stop.
func (p *pool) start() {
	p.base, p.abort = context.WithCancelCause(context.Background())
	for range p.cfg.Workers {
		p.loops.Add(1)
		go p.loop()
	}
	go func() {
		p.loops.Wait()
		close(p.done)
	}()
}

// Nudge wakes an idle worker to look for work.
func (p *pool) Nudge() {
	select {
	case p.wake <- struct{}{}:
	default: // enough nudges are pending already
	}
}

func (p *pool) stopping() bool {
	select {
	case <-p.stop:
		return true
	default:
		return false
	}
}

func (p *pool) loop() {
	defer p.loops.Done()
	timer := time.NewTimer(p.cfg.PollInterval)
	defer timer.Stop()
	for {
		select {
		case c := <-p.handoff:
			p.run(c.job, c.ctx)
			continue
		default:
		}
		if p.stopping() {
			return
		}
		job, ctx, err := p.claim()
		if err != nil && !p.stopping() {
			p.log.Error("runtime: "+p.name+": claiming work", slog.Any("error", err))
		}
		if job != nil {
			p.Nudge() // there may be more: let another worker look
			p.run(job, ctx)
			continue
		}
		// Since Go 1.23 Reset discards a pending expiry, so no drain is needed.
		timer.Reset(p.cfg.PollInterval)
		p.idle.Add(1)
		select {
		case <-p.stop:
		case <-p.wake:
		case <-timer.C:
		case c := <-p.handoff:
			p.idle.Add(-1)
			p.run(c.job, c.ctx)
			continue
		}
		p.idle.Add(-1)
	}
}

// claim claims the next job of a group below its cap, or with a BatchQueue one for this
// worker and one for each idle worker, registers them as running, hands the idle workers'
// jobs off and returns this worker's. It claims nothing while jobs handed off wait for a
// worker, so a batch never counts an idle worker twice.
func (p *pool) claim() (*Job, context.Context, error) {
	p.claimMu.Lock()
	defer p.claimMu.Unlock()
	if p.stopping() || len(p.handoff) > 0 {
		return nil, nil, nil
	}
	p.mu.Lock()
	slots := NewSlots(1+int(p.idle.Load()), p.cfg.MaxPerGroup, p.groups)
	p.mu.Unlock()
	var jobs []*Job
	if bq, ok := p.queue.(BatchQueue); ok && slots.Left() > 1 {
		var err error
		if jobs, err = bq.ClaimBatch(p.base, slots); err != nil {
			return nil, nil, err
		}
		if len(jobs) > 0 {
			p.signals.Batch.Signal(len(jobs))
		}
	} else {
		job, err := p.queue.Claim(p.base, slots.Full())
		if err != nil || job == nil {
			return nil, nil, err
		}
		jobs = []*Job{job}
	}
	if len(jobs) == 0 {
		return nil, nil, nil
	}
	out := make([]claimed, 0, len(jobs))
	for _, job := range jobs {
		ctx, cancel := context.WithCancelCause(p.base)
		p.mu.Lock()
		p.running[job.ID] = &active{group: job.Group, cancel: cancel}
		p.groups[job.Group]++
		p.mu.Unlock()
		p.signals.Claimed.Signal(job.ID)
		out = append(out, claimed{job: job, ctx: ctx})
	}
	for _, c := range out[1:] {
		p.handoff <- c // never blocks: at most Workers-1, and claims wait while any are here
	}
	return out[0].job, out[0].ctx, nil
}

func (p *pool) run(job *Job, ctx context.Context) {
	defer func() {
		p.mu.Lock()
		if a, ok := p.running[job.ID]; ok {
			a.cancel(nil)
			delete(p.running, job.ID)
			if p.groups[a.group]--; p.groups[a.group] <= 0 {
				delete(p.groups, a.group)
			}
		}
		p.mu.Unlock()
		p.signals.Finished.Signal(job.ID)
	}()
	job.Run(ctx)
}

// Cancel ends the context of a job this process runs, with ErrCanceled; false when no such
// job runs here.
func (p *pool) Cancel(id string) bool {
	p.mu.Lock()
	a, ok := p.running[id]
	p.mu.Unlock()
	if ok {
		a.cancel(ErrCanceled)
		p.signals.Canceled.Signal(id)
	}
	return ok
}

// Running lists the ids of the jobs this process runs.
func (p *pool) Running() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]string, 0, len(p.running))
	for id := range p.running {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Stop stops claiming at once, lets running jobs finish until ctx ends, then cancels them
// (cause ErrShutdown) and waits Grace for them to return. It never waits longer: a job still
// running after that is abandoned (its lease expires and the rescuer recovers it), and Stop
// says so in its error.
func (p *pool) Stop(ctx context.Context) error {
	p.stopOnce.Do(func() { close(p.stop) })
	if p.base == nil { // never started
		return nil
	}
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
	}
	p.abort(ErrShutdown)
	grace := time.NewTimer(p.cfg.Grace)
	defer grace.Stop()
	select {
	case <-p.done:
		return nil
	case <-grace.C:
	}
	left := p.Running()
	for _, id := range left {
		p.signals.Abandoned.Signal(id)
	}
	return fmt.Errorf("%s: %d %s still running after the shutdown timeout and %s of grace, left to their lease's expiry: %v",
		p.name, len(left), plural(len(left), "job", "jobs"), p.cfg.Grace, left)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
