package runtime

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeLocker is one lock shared by several electors, as the database's advisory lock is.
type fakeLocker struct {
	mu     sync.Mutex
	holder *fakeLock
}

type fakeLock struct {
	l    *fakeLocker
	lost atomic.Bool
}

func (l *fakeLocker) TryLock(context.Context) (Lock, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holder != nil {
		return nil, nil
	}
	l.holder = &fakeLock{l: l}
	return l.holder, nil
}

func (k *fakeLock) Check(context.Context) error {
	if k.lost.Load() {
		return errors.New("connection lost")
	}
	return nil
}

func (k *fakeLock) Release() {
	k.l.mu.Lock()
	defer k.l.mu.Unlock()
	if k.l.holder == k {
		k.l.holder = nil
	}
}

func newElectorForTest(t *testing.T, locker Locker) *Elector {
	t.Helper()
	e, err := NewElector(ElectorConfig{Interval: 10 * time.Millisecond}, locker, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.TestSignals.Init()
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Stop(context.Background()) })
	return e
}

func waitEvent(t *testing.T, s *Signal[struct{}], what string) {
	t.Helper()
	if _, ok := s.WaitFor(5 * time.Second); !ok {
		t.Fatalf("%s: no signal within 5 s", what)
	}
}

// One of two electors leads; the other takes over when it stops, and a leader whose lock was
// lost resigns.
func TestElectorOneLeaderAndTakeover(t *testing.T) {
	t.Parallel()
	locker := &fakeLocker{}
	a := newElectorForTest(t, locker)
	waitEvent(t, &a.TestSignals.Elected, "a elected")
	b := newElectorForTest(t, locker)
	if !a.IsLeader() || b.IsLeader() {
		t.Fatalf("leaders: a %v, b %v; want a only", a.IsLeader(), b.IsLeader())
	}
	if err := a.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, &b.TestSignals.Elected, "b elected after a stopped")
	if a.IsLeader() {
		t.Error("a still leads after Stop")
	}

	locker.mu.Lock()
	held := locker.holder
	locker.mu.Unlock()
	held.lost.Store(true)
	waitEvent(t, &b.TestSignals.Resigned, "b resigned after losing its lock")
	waitEvent(t, &b.TestSignals.Elected, "b elected again once the lock is free")
}

type countingPass struct{ n atomic.Int32 }

func (c *countingPass) FireSchedules(context.Context) (int, error) { return int(c.n.Add(1)), nil }

type fixedLeader bool

func (l fixedLeader) IsLeader() bool { return bool(l) }

// A periodic service runs its pass only while this replica leads.
func TestSchedulerRunsOnlyOnTheLeader(t *testing.T) {
	t.Parallel()
	for _, leads := range []bool{true, false} {
		pass := &countingPass{}
		s, err := NewScheduler(SchedulerConfig{Interval: 10 * time.Millisecond}, pass, fixedLeader(leads), nil)
		if err != nil {
			t.Fatal(err)
		}
		s.TestSignals.Init()
		if err := s.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		if leads {
			for range 3 {
				if _, ok := s.TestSignals.Ran.WaitFor(5 * time.Second); !ok {
					t.Fatal("the leader's scheduler did not run")
				}
			}
		} else {
			for range 3 {
				waitEvent(t, &s.TestSignals.Skipped, "follower skipped")
			}
		}
		if err := s.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		if ran := pass.n.Load() > 0; ran != leads {
			t.Errorf("leads %v: the pass ran %d times", leads, pass.n.Load())
		}
	}
}

// executionQueueFake reports some executions as canceled elsewhere and counts renewals.
type executionQueueFake struct {
	fakeQueue
	canceled atomic.Value // []string
	renewals atomic.Int32
}

func (q *executionQueueFake) Canceled(context.Context) ([]string, error) {
	ids, _ := q.canceled.Load().([]string)
	return ids, nil
}

func (q *executionQueueFake) RenewLeases(context.Context) error {
	q.renewals.Add(1)
	return nil
}

// An execution canceled through another replica stops within CancelCheckInterval; leases are
// renewed while executions run.
func TestExecutionWorkersNoticeCancellationsElsewhere(t *testing.T) {
	t.Parallel()
	q := &executionQueueFake{}
	q.canceled.Store([]string{})
	var cause atomic.Value
	q.waiting = []*Job{{ID: "e1", Group: "a", Run: func(ctx context.Context) {
		<-ctx.Done()
		cause.Store(context.Cause(ctx))
	}}}
	const interval = 50 * time.Millisecond
	w, err := NewExecutionWorkers(ExecutionWorkersConfig{PoolConfig: PoolConfig{Workers: 2, PollInterval: 10 * time.Millisecond},
		CancelCheckInterval: interval, RenewInterval: interval}, q, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.TestSignals.Init()
	if err := w.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = w.Stop(context.Background()) })
	waitSignal(t, &w.TestSignals.Claimed, "claimed")
	waitEvent(t, &w.TestSignals.LeasesRenewed, "leases renewed")

	q.canceled.Store([]string{"e1"})
	start := time.Now()
	waitSignal(t, &w.TestSignals.Finished, "finished")
	if took := time.Since(start); took > interval+time.Second {
		t.Errorf("the cancellation took %s to reach the execution, want about %s", took, interval)
	}
	if c, _ := cause.Load().(error); !errors.Is(c, ErrCanceled) {
		t.Errorf("cause %v, want ErrCanceled", c)
	}
}
