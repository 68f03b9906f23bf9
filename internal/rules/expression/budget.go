package expression

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// Budget is what several evaluations share: every expression of one workflow step (a
// transform's fields, an http step's body, an emit step's data) is charged against the same
// Budget, so that a step's total is bounded as well as each expression's. Each evaluation is
// still bounded by MaxSteps and MaxMemory on its own. A Budget is safe for concurrent use.
type Budget struct {
	mu        sync.Mutex
	steps     int64 // used
	memory    int64 // used
	maxSteps  int64
	maxMemory int64
}

// NewStepBudget returns the budget of one workflow step: StepMaxSteps and StepMaxMemory.
func NewStepBudget() *Budget {
	return &Budget{maxSteps: StepMaxSteps, maxMemory: StepMaxMemory}
}

// Used returns the steps and bytes charged so far.
func (b *Budget) Used() (steps, memory int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.steps, b.memory
}

// limit is one limit as an evaluation sees it: what it may still use, and for messages, the
// limit's value, its scope and what earlier evaluations of the step used.
type limit struct {
	left, value, usedBefore int64
	scope                   string
}

// take hands an evaluation what it may use: the per-evaluation limits, lowered to what is left
// of the budget.
func (b *Budget) take() (steps, memory limit) {
	steps = limit{left: MaxSteps, value: MaxSteps, scope: perExpression}
	memory = limit{left: MaxMemory, value: MaxMemory, scope: perExpression}
	if b == nil {
		return steps, memory
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if left := b.maxSteps - b.steps; left < steps.left {
		steps = limit{left: left, value: b.maxSteps, usedBefore: b.steps, scope: perStep}
	}
	if left := b.maxMemory - b.memory; left < memory.left {
		memory = limit{left: left, value: b.maxMemory, usedBefore: b.memory, scope: perStep}
	}
	return steps, memory
}

// give back records what an evaluation used.
func (b *Budget) record(steps, memory int64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.steps += steps
	b.memory += memory
}

const (
	perExpression = "per expression"
	perStep       = "per step (all expressions of the step together)"
)

// guard holds one evaluation's budget. Its fields are unexported so an expression that
// reaches it through $env can do nothing with it.
type guard struct {
	ctx      context.Context
	done     <-chan struct{}
	deadline time.Time
	timeout  time.Duration
	prog     *Program

	steps, memory       int64
	stepLimit, memLimit limit
}

// String keeps the guard's contents (its context) out of string($env).
func (g *guard) String() string { return "<internal>" }

func newGuard(ctx context.Context, deadline time.Time, timeout time.Duration) *guard {
	return &guard{
		ctx: ctx, done: ctx.Done(), deadline: deadline, timeout: timeout,
		stepLimit: limit{left: MaxSteps, value: MaxSteps, scope: perExpression},
		memLimit:  limit{left: MaxMemory, value: MaxMemory, scope: perExpression},
	}
}

// charge is called BEFORE an operation does its work: steps is the work it will do (one per
// element or per 64 bytes it reads), bytes what it will allocate. It refuses when either would
// pass the evaluation's budget, and stops a cancelled or overdue evaluation. The operation
// runs only when charge returns nil, so no builtin can allocate or loop past the budget.
func (g *guard) charge(op string, steps, bytes int64) error {
	select {
	case <-g.done:
		return contextError(g.ctx.Err())
	default:
	}
	if time.Now().After(g.deadline) {
		return &limitError{msg: fmt.Sprintf("expression ran longer than %s", g.timeout)}
	}
	if m := g.memLimit; bytes > m.left-g.memory {
		if used := m.usedBefore + g.memory; used > 0 {
			return &limitError{msg: fmt.Sprintf("%s would allocate %d bytes; the limit is %d bytes %s and %d are already used",
				op, bytes, m.value, m.scope, used)}
		}
		return &limitError{msg: fmt.Sprintf("%s would allocate %d bytes; the limit is %d bytes %s", op, bytes, m.value, m.scope)}
	}
	if l := g.stepLimit; steps > l.left-g.steps {
		if steps > 1 {
			return &limitError{msg: fmt.Sprintf("%s would take %d steps, past the limit of %d steps %s (%d already used)",
				op, steps, l.value, l.scope, l.usedBefore+g.steps)}
		}
		return &limitError{msg: fmt.Sprintf("expression took more than %d steps %s (loop iterations and work of builtins)", l.value, l.scope)}
	}
	g.steps += steps
	g.memory += bytes
	return nil
}

// chargeAlloc charges an allocation of n bytes rounded up as Go's allocator hands them out;
// refused, it names the bytes the operation asked for.
func (g *guard) chargeAlloc(op string, steps, bytes int64) error {
	if bytes > g.memLimit.left-g.memory {
		return g.charge(op, steps, bytes)
	}
	return g.charge(op, steps, alloc(bytes))
}

// ErrLimitExceeded is wrapped by every error caused by an expression that exceeded one of the
// limits (or the context's deadline).
var ErrLimitExceeded = errors.New("expression exceeded an evaluation limit")

// limitError is an evaluation limit failure; it matches ErrLimitExceeded without repeating
// that sentence in its message.
type limitError struct {
	msg   string
	cause error
}

func (e *limitError) Error() string        { return e.msg }
func (e *limitError) Unwrap() error        { return e.cause }
func (e *limitError) Is(target error) bool { return target == ErrLimitExceeded }

// contextError explains why the context ended: a deadline is a time limit, anything else a
// cancellation by the caller.
func contextError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &limitError{msg: "expression evaluation ran past the deadline", cause: err}
	}
	return fmt.Errorf("expression evaluation canceled: %w", err)
}

// Saturating arithmetic for cost estimates: a hostile argument must not overflow a charge
// into a small or negative number.
const huge = math.MaxInt64 / 4

func add(a, b int64) int64 {
	// mutation: equivalent CONDITIONALS_BOUNDARY: at a == huge-b the sum is huge either way.
	if a >= huge-b {
		return huge
	}
	return a + b
}

func mul(a, b int64) int64 {
	// mutation: equivalent CONDITIONALS_BOUNDARY: a zero factor gives 0 through the product as well.
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > huge/b {
		return huge
	}
	return a * b
}

// alloc rounds a number of bytes up to what Go's allocator hands out for them: small
// objects by size classes (at most an eighth more), large ones by 8 KiB pages.
func alloc(n int64) int64 {
	if n > 32<<10 {
		return add(add(n, n/8), 8192)
	}
	return add(n, n/8)
}

// scan is the cost of reading n bytes: one step per 64 bytes, at least one.
func scan(n int) int64 { return int64(n)/64 + 1 }

// log2 is the number of comparison rounds of sorting n elements.
func log2(n int) int64 {
	r := int64(1)
	for n > 1 {
		n >>= 1
		r++
	}
	return r
}
