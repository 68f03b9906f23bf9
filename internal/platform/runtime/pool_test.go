package runtime

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// fakeQueue hands out jobs in the order they were added, skipping the groups the pool says
// are full, as the store's claim does. Each job runs until released or its context ends.
type fakeQueue struct {
	mu      sync.Mutex
	waiting []*Job
	// fulls records the full list of every claim.
	fulls [][]string
}

func (q *fakeQueue) add(group string, ids ...string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, id := range ids {
		q.waiting = append(q.waiting, &Job{ID: id, Group: group})
	}
}

func (q *fakeQueue) Claim(_ context.Context, full []string) (*Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.fulls = append(q.fulls, slices.Clone(full))
	for i, j := range q.waiting {
		if !slices.Contains(full, j.Group) {
			q.waiting = slices.Delete(q.waiting, i, i+1)
			return j, nil
		}
	}
	return nil, nil
}

// blockingRun makes jobs wait for release or their context; it records each job's cause.
type blockingRun struct {
	release chan struct{}
	mu      sync.Mutex
	causes  map[string]error
}

func (b *blockingRun) wrap(q *fakeQueue) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, j := range q.waiting {
		id := j.ID
		j.Run = func(ctx context.Context) {
			select {
			case <-b.release:
			case <-ctx.Done():
				b.mu.Lock()
				b.causes[id] = context.Cause(ctx)
				b.mu.Unlock()
			}
		}
	}
}

func newPoolForTest(t *testing.T, cfg PoolConfig, q Queue) *pool {
	t.Helper()
	signals := &PoolTestSignals{}
	signals.Init()
	p, err := newPool("test pool", cfg, q, nil, signals)
	if err != nil {
		t.Fatal(err)
	}
	p.start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = p.Stop(ctx)
	})
	return p
}

func waitSignal(t *testing.T, s *Signal[string], what string) string {
	t.Helper()
	v, ok := s.WaitFor(5 * time.Second)
	if !ok {
		t.Fatalf("no %s signal within 5 s", what)
	}
	return v
}

// One group's backlog fills the workers up to its cap only; the next free claim goes to
// another group's job, queued after the whole backlog.
func TestPoolCapsEachGroup(t *testing.T) {
	t.Parallel()
	q := &fakeQueue{}
	q.add("noisy", "n1", "n2", "n3", "n4", "n5", "n6")
	run := &blockingRun{release: make(chan struct{}), causes: map[string]error{}}
	run.wrap(q)
	p := newPoolForTest(t, PoolConfig{Workers: 4, PollInterval: 10 * time.Millisecond}, q)
	var claimed []string
	for range 3 { // the default cap: all workers but one
		claimed = append(claimed, waitSignal(t, &p.signals.Claimed, "claimed"))
	}
	if !slices.Equal(claimed, []string{"n1", "n2", "n3"}) {
		t.Fatalf("claimed %v first, want n1..n3", claimed)
	}

	q.mu.Lock()
	q.waiting = append(q.waiting, &Job{ID: "q1", Group: "quiet", Run: func(context.Context) {}})
	q.mu.Unlock()
	p.Nudge()
	if got := waitSignal(t, &p.signals.Claimed, "claimed"); got != "q1" {
		t.Fatalf("the free worker claimed %s, want the quiet group's q1 ahead of the noisy backlog", got)
	}
	if got := waitSignal(t, &p.signals.Finished, "finished"); got != "q1" {
		t.Fatalf("%s finished first, want q1", got)
	}
	q.mu.Lock()
	noisyFull := slices.ContainsFunc(q.fulls, func(f []string) bool { return slices.Equal(f, []string{"noisy"}) })
	q.mu.Unlock()
	if !noisyFull {
		t.Error("no claim named the noisy group full")
	}
	close(run.release)
	for range 6 { // n1..n3 finish, n4..n6 are claimed and finish
		waitSignal(t, &p.signals.Finished, "finished")
	}
}

func TestPoolConfig(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		cfg     PoolConfig
		want    PoolConfig
		wantErr string
	}{
		{name: "defaults", want: PoolConfig{Workers: 4, MaxPerGroup: 3, PollInterval: time.Second, Grace: time.Second}},
		{name: "one worker", cfg: PoolConfig{Workers: 1}, want: PoolConfig{Workers: 1, MaxPerGroup: 1, PollInterval: time.Second, Grace: time.Second}},
		{name: "cap above workers", cfg: PoolConfig{Workers: 2, MaxPerGroup: 3}, wantErr: "test pool: MaxPerGroup is 3; give 1 to Workers (2)"},
		{name: "negative workers", cfg: PoolConfig{Workers: -1}, wantErr: "test pool: Workers is -1; give at least 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := newPool("test pool", tc.cfg, &fakeQueue{}, nil, &PoolTestSignals{})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || p.cfg != tc.want {
				t.Fatalf("config %+v (%v), want %+v", p.cfg, err, tc.want)
			}
		})
	}
}

// Cancel ends the running job's context with ErrCanceled at once, and only that job's.
func TestPoolCancelEndsTheJobsContext(t *testing.T) {
	t.Parallel()
	q := &fakeQueue{}
	q.add("a", "a1")
	q.add("b", "b1")
	run := &blockingRun{release: make(chan struct{}), causes: map[string]error{}}
	run.wrap(q)
	p := newPoolForTest(t, PoolConfig{Workers: 2, PollInterval: 10 * time.Millisecond}, q)
	waitSignal(t, &p.signals.Claimed, "claimed")
	waitSignal(t, &p.signals.Claimed, "claimed")
	if p.Cancel("missing") {
		t.Error("Cancel found a job that does not run")
	}
	if !p.Cancel("a1") {
		t.Fatal("Cancel did not find a1")
	}
	if got := waitSignal(t, &p.signals.Finished, "finished"); got != "a1" {
		t.Fatalf("%s finished, want a1", got)
	}
	run.mu.Lock()
	cause := run.causes["a1"]
	run.mu.Unlock()
	if !errors.Is(cause, ErrCanceled) {
		t.Errorf("a1's cause %v, want ErrCanceled", cause)
	}
	if got := p.Running(); !slices.Equal(got, []string{"b1"}) {
		t.Errorf("running %v, want [b1]", got)
	}
	close(run.release)
}

// Stop lets jobs finish until its deadline, then cancels them with ErrShutdown; a job that
// returns is recorded, and one that ignores its context is abandoned after the grace: Stop
// returns within deadline + grace, naming it.
func TestPoolStopAbandonsAJobThatIgnoresItsContext(t *testing.T) {
	t.Parallel()
	q := &fakeQueue{}
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	var politeCause error
	politeDone := make(chan struct{})
	q.mu.Lock()
	q.waiting = append(q.waiting,
		&Job{ID: "polite", Group: "a", Run: func(ctx context.Context) {
			<-ctx.Done()
			politeCause = context.Cause(ctx)
			close(politeDone)
		}},
		&Job{ID: "stubborn", Group: "b", Run: func(context.Context) { <-stuck }})
	q.mu.Unlock()
	const deadline, grace = 200 * time.Millisecond, 300 * time.Millisecond
	p := newPoolForTest(t, PoolConfig{Workers: 2, PollInterval: 10 * time.Millisecond, Grace: grace}, q)
	waitSignal(t, &p.signals.Claimed, "claimed")
	waitSignal(t, &p.signals.Claimed, "claimed")

	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	err := p.Stop(ctx)
	took := time.Since(start)
	if err == nil || !slices.Contains(p.Running(), "stubborn") {
		t.Fatalf("Stop returned %v with %v running, want an error naming the stubborn job", err, p.Running())
	}
	if took < deadline || took > deadline+grace+time.Second {
		t.Errorf("Stop took %s, want between %s and %s (+1 s for a loaded machine)", took, deadline, deadline+grace)
	}
	<-politeDone
	if !errors.Is(politeCause, ErrShutdown) {
		t.Errorf("the polite job's cause %v, want ErrShutdown", politeCause)
	}
	if got := waitSignal(t, &p.signals.Abandoned, "abandoned"); got != "stubborn" {
		t.Errorf("abandoned %s, want stubborn", got)
	}
}

// Stop returns as soon as running jobs finish, before its deadline; no job is claimed after
// Stop began.
func TestPoolStopWaitsForRunningJobsOnly(t *testing.T) {
	t.Parallel()
	q := &fakeQueue{}
	q.add("a", "a1")
	run := &blockingRun{release: make(chan struct{}), causes: map[string]error{}}
	run.wrap(q)
	p := newPoolForTest(t, PoolConfig{Workers: 2, PollInterval: 10 * time.Millisecond}, q)
	waitSignal(t, &p.signals.Claimed, "claimed")
	done := make(chan error, 1)
	go func() { done <- p.Stop(context.Background()) }()
	time.Sleep(50 * time.Millisecond) // Stop has begun: nothing more is claimed
	q.add("a", "a2")
	run.wrap(q)
	p.Nudge()
	close(run.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	p.signals.Claimed.Signal("none")
	if got := waitSignal(t, &p.signals.Claimed, "claimed"); got != "none" {
		t.Errorf("%s was claimed after Stop began", got)
	}
}

// batchQueue is a fakeQueue that claims in batches, as the Deliverer's queue does.
type batchQueue struct {
	fakeQueue
	batches []int // the size of every batch that found work
}

func (q *batchQueue) ClaimBatch(_ context.Context, slots *Slots) ([]*Job, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.fulls = append(q.fulls, slots.Full())
	var jobs []*Job
	for i := 0; i < len(q.waiting) && slots.Left() > 0; {
		j := q.waiting[i]
		if slices.Contains(slots.Full(), j.Group) {
			i++
			continue
		}
		q.waiting = slices.Delete(q.waiting, i, i+1)
		slots.Take(j.Group)
		jobs = append(jobs, j)
	}
	if len(jobs) > 0 {
		q.batches = append(q.batches, len(jobs))
	}
	return jobs, nil
}

// A pool on a BatchQueue claims for its idle workers too: one claim fills them, each job runs
// once on a worker of its own, and the per-group cap holds across the batch.
func TestPoolClaimsForIdleWorkersInOneBatch(t *testing.T) {
	t.Parallel()
	q := &batchQueue{}
	p := newPoolForTest(t, PoolConfig{Workers: 4, PollInterval: time.Hour}, q)
	// Let every worker go idle before there is work, then wake one.
	deadline := time.Now().Add(5 * time.Second)
	for p.idle.Load() < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("%d workers idle, want 4", p.idle.Load())
		}
		time.Sleep(time.Millisecond)
	}
	q.add("noisy", "n1", "n2", "n3", "n4", "n5")
	q.add("quiet", "q1")
	run := &blockingRun{release: make(chan struct{}), causes: map[string]error{}}
	run.wrap(&q.fakeQueue)
	p.Nudge()
	if n, ok := p.signals.Batch.WaitFor(5 * time.Second); !ok || n != 4 {
		t.Fatalf("the first batch took %d jobs (signal %v), want 4: one for each worker", n, ok)
	}
	var claimed []string
	for range 4 {
		claimed = append(claimed, waitSignal(t, &p.signals.Claimed, "claimed"))
	}
	slices.Sort(claimed)
	if !slices.Equal(claimed, []string{"n1", "n2", "n3", "q1"}) {
		t.Fatalf("claimed %v, want n1..n3 (the noisy group's cap) and q1", claimed)
	}
	deadline = time.Now().Add(5 * time.Second)
	for len(p.Running()) < 4 || p.idle.Load() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("running %v with %d workers idle; want the four jobs on the four workers", p.Running(), p.idle.Load())
		}
		time.Sleep(time.Millisecond)
	}
	close(run.release)
	for range 6 {
		waitSignal(t, &p.signals.Finished, "finished")
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiting) != 0 {
		t.Errorf("left waiting: %d jobs", len(q.waiting))
	}
}
