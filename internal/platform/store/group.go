package store

import (
	"context"
	"sync"
)

// maxGroup bounds how many writes one shared transaction carries.
const maxGroup = 64

// Group commits small writes together: each Tx call runs its fn in a transaction it may share
// with the other Tx calls of the same Group made meanwhile (group commit). While one shared
// transaction waits for the write lock or commits, the calls that arrive queue up, and the
// next transaction carries them all (at most 64), so n writes that arrive together cost one
// turn at the write lock instead of n. No call waits for others to arrive: a call that finds
// no transaction under way starts one at once.
//
// A fn must only write through q and set its caller's variables: it may run more than once.
// When a shared transaction fails, each of its writes is made again alone, so one write's
// error fails only that write.
type Group struct {
	st *Store

	mu      sync.Mutex
	pending []*groupWrite
	leading bool // a call is running a shared transaction
}

type groupWrite struct {
	ctx context.Context
	fn  func(q *Q) error
	// turn receives once: lead (this call runs the next shared transaction) or the result.
	turn chan groupTurn
}

type groupTurn struct {
	lead bool
	err  error
}

// NewGroup returns a Group whose transactions run on st.
func NewGroup(st *Store) *Group { return &Group{st: st} }

// Tx runs fn in a transaction, possibly shared with other calls (see Group), and returns its
// error or the transaction's. ctx bounds this write: a write whose ctx ended before its turn
// is not made.
func (g *Group) Tx(ctx context.Context, fn func(q *Q) error) error {
	w := &groupWrite{ctx: ctx, fn: fn, turn: make(chan groupTurn, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, w)
	if g.leading {
		g.mu.Unlock()
		// The write is made by the leading call, or this call is asked to lead the next
		// shared transaction. It does not leave on ctx: a call asked to lead must lead. The
		// wait is bounded by the transactions ahead of it, each bounded by its writes' ctx.
		t := <-w.turn
		if !t.lead {
			return t.err
		}
		g.mu.Lock()
	}
	g.leading = true
	batch := g.pending[:min(len(g.pending), maxGroup)]
	g.pending = g.pending[len(batch):]
	g.mu.Unlock()

	err := g.commit(w, batch)

	g.mu.Lock()
	if len(g.pending) > 0 {
		// Hand the lead on, so that no caller stays to serve everyone else's writes.
		g.pending[0].turn <- groupTurn{lead: true}
	} else {
		g.leading = false
	}
	g.mu.Unlock()
	return err
}

// commit makes the writes of batch, which holds self, answers the others and returns self's
// error.
func (g *Group) commit(self *groupWrite, batch []*groupWrite) error {
	live := batch[:0:0]
	var selfErr error
	answer := func(w *groupWrite, err error) {
		if w == self {
			selfErr = err
			return
		}
		w.turn <- groupTurn{err: err}
	}
	for _, w := range batch {
		if err := w.ctx.Err(); err != nil {
			answer(w, err)
			continue
		}
		live = append(live, w)
	}
	switch len(live) {
	case 0:
	case 1:
		answer(live[0], g.st.Tx(live[0].ctx, live[0].fn))
	default:
		// The shared transaction is bounded by the first write's ctx (they arrived within
		// one transaction of each other); on any failure each write is made again alone,
		// under its own ctx.
		err := g.st.Tx(live[0].ctx, func(q *Q) error {
			for _, w := range live {
				if err := w.fn(q); err != nil {
					return err
				}
			}
			return nil
		})
		for _, w := range live {
			if err != nil {
				answer(w, g.st.Tx(w.ctx, w.fn))
				continue
			}
			answer(w, nil)
		}
	}
	return selfErr
}
