// Package expression compiles and evaluates workflow step expressions
// (validate conditions, transform values, http bodies, emit data) over a
// JSON document with github.com/expr-lang/expr.
//
// The document's top-level fields are the expression's variables; a field
// that is absent evaluates to nil. Expressions are compiled once when a
// workflow is saved, so syntax errors reach the user at save time, and the
// compiled Program is safe for concurrent use.
//
// Evaluation is bounded, because expressions are written by API users and
// run inside the server: source length and syntax tree size are limited at
// compile time; at run time every loop iteration and every value an
// operator, function call or literal produces passes through a guard that
// counts iterations, watches the context and its deadline (at most
// DefaultTimeout), and refuses oversized values, on top of expr's own
// memory budget. Nothing in the language can reach outside the process: the
// environment holds only the document, and no functions besides expr's
// pure builtins are registered.
package expression

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
)

// Limits applied to every expression.
const (
	// MaxSourceLength is the longest accepted source in characters, as
	// in the API contract.
	MaxSourceLength = 4000
	// MaxNodes bounds the syntax tree. A readable expression has a few
	// dozen nodes; a thousand leaves room without allowing giant programs.
	MaxNodes = 1000
	// DefaultTimeout caps one evaluation when the context allows longer.
	DefaultTimeout = 100 * time.Millisecond
	// MaxSteps bounds loop iterations (predicate calls of all, map,
	// filter, reduce, ...) plus guarded operations in one evaluation.
	MaxSteps = 1_000_000
	// MemoryBudget is expr's own allocation budget (in its units: range
	// and array elements, string bytes for repeat).
	MemoryBudget = 1_000_000
	// MaxValueSize bounds any intermediate value: string bytes plus one
	// unit per array element or object key, counted through nesting.
	MaxValueSize = 1 << 20
)

// ErrLimitExceeded is wrapped by every error caused by an expression that
// exceeded one of the limits above (or the context's deadline).
var ErrLimitExceeded = errors.New("expression exceeded an evaluation limit")

// limitError is an evaluation limit failure; it matches ErrLimitExceeded
// without repeating that sentence in its message.
type limitError struct {
	msg   string
	cause error
}

func (e *limitError) Error() string        { return e.msg }
func (e *limitError) Unwrap() error        { return e.cause }
func (e *limitError) Is(target error) bool { return target == ErrLimitExceeded }

// Error is a compile or evaluation error with the position in the source
// when one is known (Line and Column start at 1; 0 means unknown).
type Error struct {
	Message string
	Line    int
	Column  int
	// Err is the underlying cause, such as ErrLimitExceeded or a context error.
	Err error
}

// Error returns the message and, when known, the position: "unexpected token Operator("<=") (1:11)".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s (%d:%d)", e.Message, e.Line, e.Column)
	}
	return e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Program is a compiled expression. It is safe for concurrent use.
type Program struct {
	source  string
	program *vm.Program
}

// The guard reaches the program through the environment, under a name that
// expressions may not use (a document field of that name is hidden).
const (
	guardVar  = "__lowcode_guard"
	guardFunc = "__lowcode_check"
)

// Compile parses and type-checks src. Any identifier may be used: the
// document's fields are unknown when a workflow is saved.
func Compile(src string) (*Program, error) {
	if strings.TrimSpace(src) == "" {
		return nil, &Error{Message: "expression is empty"}
	}
	if n := utf8.RuneCountInString(src); n > MaxSourceLength {
		return nil, &Error{
			Message: fmt.Sprintf("expression is too long: %d characters, the limit is %d", n, MaxSourceLength),
			Err:     ErrLimitExceeded,
		}
	}
	p := &patcher{source: file.NewSource(src)}
	program, err := expr.Compile(src,
		expr.Env(map[string]any{guardVar: (*guard)(nil)}),
		expr.AllowUndefinedVariables(),
		expr.MaxNodes(MaxNodes),
		expr.Timezone("UTC"),
		expr.Function(guardFunc, checkValue, new(func(*guard, any) any)),
		expr.Patch(p),
	)
	// The patcher's findings explain better what the checker then trips on.
	if p.err != nil {
		return nil, convertError(p.err)
	}
	if err != nil {
		return nil, convertError(err)
	}
	return &Program{source: src, program: program}, nil
}

// Source returns the expression as written.
func (p *Program) Source() string { return p.source }

// Eval evaluates the program over doc, which it never modifies. Evaluation
// stops at ctx's deadline or after DefaultTimeout, whichever comes first.
func (p *Program) Eval(ctx context.Context, doc map[string]any) (any, error) {
	if err := ctx.Err(); err != nil {
		err = contextError(err)
		return nil, &Error{Message: err.Error(), Err: err}
	}
	timeout := DefaultTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d))
	}
	g := &guard{ctx: ctx, done: ctx.Done(), deadline: time.Now().Add(timeout), timeout: timeout}

	// mutation: equivalent ARITHMETIC_BASE: a capacity hint; the map grows as needed and a negative hint is taken as none.
	env := make(map[string]any, len(doc)+1)
	for k, v := range doc {
		env[k] = v
	}
	env[guardVar] = g

	machine := vm.VM{MemoryBudget: MemoryBudget}
	out, err := machine.Run(p.program, env)
	if err != nil {
		return nil, convertError(err)
	}
	return out, nil
}

// EvalBool evaluates the program and requires a boolean result, as
// validate steps do.
func (p *Program) EvalBool(ctx context.Context, doc map[string]any) (bool, error) {
	out, err := p.Eval(ctx, doc)
	if err != nil {
		return false, err
	}
	b, ok := out.(bool)
	if !ok {
		return false, &Error{Message: fmt.Sprintf("expression must evaluate to a boolean, got %s", typeName(out))}
	}
	return b, nil
}

// typeName names a value's type in JSON terms where possible.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "nil"
	case string:
		return "string"
	case bool:
		return "boolean"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return reflect.TypeOf(v).String()
}

// convertError turns expr's errors into *Error, keeping the position and
// recognising expr's own memory-budget failures as limit errors.
func convertError(err error) error {
	var fe *file.Error
	if !errors.As(err, &fe) {
		return &Error{Message: err.Error(), Err: err}
	}
	e := &Error{Message: fe.Message, Err: fe.Prev}
	if fe.Line > 0 {
		e.Line, e.Column = fe.Line, fe.Column+1
	}
	switch {
	case strings.Contains(fe.Message, "memory budget exceeded"):
		e.Message = "expression exceeded the memory limit"
		e.Err = ErrLimitExceeded
	case strings.Contains(fe.Message, "exceeds maximum allowed nodes"):
		e.Message = fmt.Sprintf("expression is too complex: more than %d syntax nodes", MaxNodes)
		e.Err = ErrLimitExceeded
	}
	return e
}

// patcher wraps every loop body and every node that can build a large value
// in a call to the guard function. It also rejects the reserved names and
// calls of functions that do not exist: with undefined variables allowed,
// expr would otherwise accept "launch(1)" and fail only at run time.
type patcher struct {
	source file.Source
	err    error
}

func (p *patcher) fail(n ast.Node, format string, args ...any) {
	if p.err == nil {
		p.err = (&file.Error{Location: n.Location(), Message: fmt.Sprintf(format, args...)}).Bind(p.source)
	}
}

func (p *patcher) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		if n.Value == guardVar || n.Value == guardFunc {
			p.fail(n, "%s is a reserved name", n.Value)
		}
	case *ast.VariableDeclaratorNode:
		if n.Name == guardVar || n.Name == guardFunc {
			p.fail(n, "%s is a reserved name", n.Name)
		}
	case *ast.PredicateNode:
		// Every iteration of a builtin loop runs the predicate once.
		if !isGuardCall(n.Node) {
			n.Node = guardCall(n.Node)
		}
	case *ast.BinaryNode:
		// "+" concatenates strings and arrays, ".." builds ranges.
		if n.Operator == "+" || n.Operator == ".." {
			ast.Patch(node, guardCall(n))
		}
	case *ast.CallNode:
		if isGuardCall(n) {
			return
		}
		// Builtins are BuiltinNodes; a call of a plain name is a call of
		// a document field, which JSON cannot hold. Method calls on values
		// (now().Year()) have a member callee and stay allowed.
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			p.fail(n, "unknown function %s", id.Value)
			return
		}
		ast.Patch(node, guardCall(n))
	case *ast.BuiltinNode, *ast.ArrayNode, *ast.MapNode:
		ast.Patch(node, guardCall(n))
	}
}

func guardCall(n ast.Node) *ast.CallNode {
	c := &ast.CallNode{
		Callee:    &ast.IdentifierNode{Value: guardFunc},
		Arguments: []ast.Node{&ast.IdentifierNode{Value: guardVar}, n},
	}
	// Runtime errors inside the guard point at the guarded expression.
	c.SetLocation(n.Location())
	c.Callee.SetLocation(n.Location())
	c.Arguments[0].SetLocation(n.Location())
	return c
}

func isGuardCall(n ast.Node) bool {
	c, ok := n.(*ast.CallNode)
	if !ok {
		return false
	}
	id, ok := c.Callee.(*ast.IdentifierNode)
	return ok && id.Value == guardFunc
}

// guard holds one evaluation's budget. Its fields are unexported so an
// expression that reaches it through $env can do nothing with it.
type guard struct {
	ctx      context.Context
	done     <-chan struct{}
	deadline time.Time
	timeout  time.Duration
	steps    int
}

// checkValue is the guard function: it counts a step, checks cancellation
// and time, and measures the value, passing it through unchanged.
func checkValue(args ...any) (any, error) {
	g, ok := args[0].(*guard)
	if !ok || g == nil {
		return nil, errors.New("internal error: expression guard missing")
	}
	v := args[1]
	g.steps++
	if g.steps > MaxSteps {
		return nil, &limitError{msg: fmt.Sprintf("expression took more than %d steps (loop iterations)", MaxSteps)}
	}
	select {
	case <-g.done:
		return nil, contextError(g.ctx.Err())
	default:
	}
	// Reading the clock every step would dominate cheap loops.
	if g.steps%64 == 1 && time.Now().After(g.deadline) {
		return nil, &limitError{msg: fmt.Sprintf("expression ran longer than %s", g.timeout)}
	}
	if size(v, MaxValueSize+1) > MaxValueSize {
		return nil, &limitError{msg: fmt.Sprintf("expression built a value larger than %d (bytes of text plus array elements and object keys)", MaxValueSize)}
	}
	return v, nil
}

// contextError explains why the context ended: a deadline is a time limit,
// anything else a cancellation by the caller.
func contextError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &limitError{msg: "expression evaluation ran past the deadline", cause: err}
	}
	return fmt.Errorf("expression evaluation canceled: %w", err)
}

// size measures v, counting string bytes plus one per element or key,
// and stops as soon as it reaches limit, so that values sharing structure
// (an array holding the same array twice, many levels deep) cannot make
// the measurement itself expensive.
func size(v any, limit int) int {
	switch x := v.(type) {
	case nil, bool, int, int64, float64:
		return 1
	case string:
		return len(x)
	case []any:
		n := len(x)
		for _, e := range x {
			if n >= limit {
				return n
			}
			n += size(e, limit-n)
		}
		return n
	case map[string]any:
		n := len(x)
		for k, e := range x {
			if n >= limit {
				return n
			}
			n += len(k) + size(e, limit-n)
		}
		return n
	case []int:
		return len(x)
	case []float64:
		return len(x)
	case []string:
		n := len(x)
		for _, s := range x {
			n += len(s)
		}
		return n
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		n := rv.Len()
		for i := 0; i < rv.Len() && n < limit; i++ {
			n += size(rv.Index(i).Interface(), limit-n)
		}
		return n
	case reflect.Map:
		n := rv.Len()
		it := rv.MapRange()
		for it.Next() && n < limit {
			n += size(it.Key().Interface(), limit-n) + size(it.Value().Interface(), limit-n)
		}
		return n
	}
	return 1
}
