package runtime

import "time"

// Signal is a test signal, as river's testsignal: a service fires it at a moment a test wants
// to wait for (a job claimed, a pass done, leadership won), so tests wait on events instead of
// polling. Its zero value ignores Signal; a test calls Init first. Production never inits one,
// so firing costs a nil check.
type Signal[T any] struct {
	ch chan T
}

// signalBuffer is how many values an initialized signal holds before it drops more (a test
// that stops reading must not block the service).
const signalBuffer = 1024

// Init makes the signal deliver; tests only.
func (s *Signal[T]) Init() { s.ch = make(chan T, signalBuffer) }

// Signal fires the signal; it never blocks.
func (s *Signal[T]) Signal(v T) {
	if s.ch == nil {
		return
	}
	select {
	case s.ch <- v:
	default:
	}
}

// C is the channel the values arrive on; nil (blocks for ever) when not initialized.
func (s *Signal[T]) C() <-chan T { return s.ch }

// WaitFor waits up to d for the next value; false when none came.
func (s *Signal[T]) WaitFor(d time.Duration) (T, bool) {
	var zero T
	if s.ch == nil {
		return zero, false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case v := <-s.ch:
		return v, true
	case <-t.C:
		return zero, false
	}
}
