// Package expression compiles and evaluates workflow step expressions
// (validate conditions, transform values, http bodies, emit data) over a
// JSON document with github.com/expr-lang/expr.
//
// The document's top-level fields are the expression's variables; a field
// that is absent evaluates to nil. Expressions are compiled once when a
// workflow is saved, so syntax errors reach the user at save time, and the
// compiled Program is safe for concurrent use.
//
// Evaluation is bounded by the engine, before the work is done, because
// expressions are written by API users and run inside the server. We keep
// expr's language (saved workflows keep working) and make it provably
// bounded: source length and syntax tree size are limited at compile time;
// every builtin of expr is replaced by our version (builtins.go), which
// charges the steps it will take and the bytes it will allocate against the
// evaluation's budget and only then runs expr's implementation; the
// operators that loop or allocate (string +, .., in, ==, matches, contains,
// startsWith, endsWith) are replaced the same way; loops (map, filter,
// reduce, ...) are charged per iteration. Every charge checks the context
// and the deadline (at most DefaultTimeout), so a cancelled evaluation stops
// within the work of one charged operation. Between two charges only a
// bounded number of operations run (the syntax tree has at most MaxNodes
// nodes and none loops), each over values the budget already bounds. A
// Budget bounds the expressions of one workflow step together. Nothing in
// the language can reach outside the process: the environment holds only
// the document, and no functions besides the charged builtins exist.
package expression

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
	lru "github.com/hashicorp/golang-lru/v2"
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
	// MaxSteps bounds the work of one evaluation: one step per loop
	// iteration and guarded operation, plus the work a builtin or
	// operator does (one step per element or per 64 bytes it reads),
	// charged before it runs.
	MaxSteps = 1_000_000
	// MaxMemory bounds the bytes one evaluation may allocate in total,
	// charged before each allocation.
	MaxMemory = 4 << 20
	// StepMaxSteps and StepMaxMemory bound all the expressions of one
	// workflow step together (a transform sets up to 100 fields).
	StepMaxSteps  = 4_000_000
	StepMaxMemory = 16 << 20
	// MemoryBudget is expr's own allocation budget (in its units: array
	// elements), a second line behind MaxMemory.
	MemoryBudget = 1_000_000
	// MaxValueSize bounds an expression's result: string bytes plus one
	// unit per array element or object key, counted through nesting
	// (arrays that share elements count each time they appear).
	MaxValueSize = 1 << 20
)

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
	// patterns caches the compiled patterns of "matches" (at most maxCachedPatterns).
	patterns     sync.Map
	patternCount atomic.Int64
}

// The guard reaches the program through the environment, under a name that expressions may
// not use (a document field of that name is hidden); our functions have names with the same
// reserved prefix.
const (
	reservedPrefix = "__lowcode"
	guardVar       = "__lowcode_guard"
	guardFunc      = "__lowcode_check"
	elementFunc    = "__lowcode_element"
	keyFunc        = "__lowcode_key"
	argumentFunc   = "__lowcode_argument"
	sortFunc       = "__lowcode_sort"
	builtinPrefix  = "__lowcode_builtin_"
	operatorPrefix = "__lowcode_op_"
)

// operators maps the operators that loop or allocate to our charged versions.
var operators = map[string]func(g *guard, a, b any) (any, error){
	"+":          opAdd,
	"..":         opRange,
	"in":         opIn,
	"==":         opEqual,
	"matches":    opMatches,
	"contains":   opStrings("contains", strings.Contains),
	"startsWith": opStrings("startsWith", strings.HasPrefix),
	"endsWith":   opStrings("endsWith", strings.HasSuffix),
}

// compileOptions are the same for every expression.
var compileOptions = func() []expr.Option {
	valueGuard := new(func(*guard, any) any)
	opts := []expr.Option{
		expr.Env(map[string]any{guardVar: (*guard)(nil)}),
		expr.AllowUndefinedVariables(),
		expr.MaxNodes(MaxNodes),
		// What runs is what the patcher saw: the optimizer would rewrite guarded nodes.
		expr.Optimize(false),
		expr.Timezone("UTC"),
		expr.Function(guardFunc, checkValue, valueGuard),
		expr.Function(elementFunc, checkElement, valueGuard),
		expr.Function(keyFunc, checkKey, valueGuard),
		expr.Function(argumentFunc, checkArgument, valueGuard),
		expr.Function(sortFunc, checkSortCollection, valueGuard),
	}
	for name, op := range operators {
		opts = append(opts, expr.Function(operatorPrefix+name, func(args ...any) (any, error) {
			g, err := guardOf(args)
			if err != nil || len(args) != 3 {
				return nil, errInternalGuard
			}
			return op(g, args[1], args[2])
		}, new(func(*guard, any, any) any)))
	}
	for _, o := range builtinOptions() {
		opts = append(opts, expr.Option(o))
	}
	return opts
}()

// The compiled programs of short sources are kept, so that a workflow's expressions are not
// parsed and checked again on every execution (that was 6% of the server's work running
// three-step workflows at saturation). A compiled program holds no state of an evaluation and
// runs concurrently; each Compile wraps it in a new Program, so the patterns "matches" caches
// stay per Program as before. The memory is bounded before anything is kept: at most
// maxCachedPrograms programs of sources of at most maxCachedSource bytes, the least recently
// used making way.
const (
	maxCachedPrograms = 1024
	maxCachedSource   = 256
)

var compiled = func() *lru.Cache[string, *vm.Program] {
	c, err := lru.New[string, *vm.Program](maxCachedPrograms)
	if err != nil { // only for a size below 1
		panic(err)
	}
	return c
}()

// Compile parses and type-checks src. Any identifier may be used: the
// document's fields are unknown when a workflow is saved.
func Compile(src string) (*Program, error) {
	cacheable := len(src) <= maxCachedSource
	if cacheable {
		if program, ok := compiled.Get(src); ok {
			return &Program{source: src, program: program}, nil
		}
	}
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
	opts := append(append([]expr.Option{}, compileOptions...), expr.Patch(p))
	program, err := expr.Compile(src, opts...)
	// The patcher's findings explain better what the checker then trips on.
	if p.err != nil {
		return nil, convertError(p.err)
	}
	if err != nil {
		return nil, convertError(err)
	}
	if cacheable {
		compiled.Add(src, program)
	}
	return &Program{source: src, program: program}, nil
}

// Source returns the expression as written.
func (p *Program) Source() string { return p.source }

// Eval evaluates the program over doc, which it never modifies. Evaluation
// stops at ctx's deadline or after DefaultTimeout, whichever comes first,
// and at MaxSteps and MaxMemory.
func (p *Program) Eval(ctx context.Context, doc map[string]any) (any, error) {
	return p.EvalIn(ctx, nil, doc)
}

// EvalIn is Eval charged against a budget the evaluations of one step share (nil: none).
func (p *Program) EvalIn(ctx context.Context, budget *Budget, doc map[string]any) (any, error) {
	if err := ctx.Err(); err != nil {
		err = contextError(err)
		return nil, &Error{Message: err.Error(), Err: err}
	}
	timeout := DefaultTimeout
	if d, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(d))
	}
	g := newGuard(ctx, time.Now().Add(timeout), timeout)
	g.prog = p
	g.stepLimit, g.memLimit = budget.take()
	defer func() { budget.record(g.steps, g.memory) }()

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
	if size(out, MaxValueSize+1) > MaxValueSize {
		return nil, &Error{
			Message: fmt.Sprintf("the expression's value is larger than %d (bytes of text plus array elements and object keys, counted through nesting); the limit is %d", MaxValueSize, MaxValueSize),
			Err:     ErrLimitExceeded,
		}
	}
	return out, nil
}

// EvalBoolIn is EvalBool charged against a shared budget (nil: none).
func (p *Program) EvalBoolIn(ctx context.Context, budget *Budget, doc map[string]any) (bool, error) {
	out, err := p.EvalIn(ctx, budget, doc)
	if err != nil {
		return false, err
	}
	b, ok := out.(bool)
	if !ok {
		return false, &Error{Message: fmt.Sprintf("expression must evaluate to a boolean, got %s", typeName(out))}
	}
	return b, nil
}

// EvalBool evaluates the program and requires a boolean result, as
// validate steps do.
func (p *Program) EvalBool(ctx context.Context, doc map[string]any) (bool, error) {
	return p.EvalBoolIn(ctx, nil, doc)
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
		// expr's own budget: its arrays, and repeat's count.
		e.Message = fmt.Sprintf("expression exceeded the memory limit of %d elements (array elements, or repeat's count)", MemoryBudget)
		e.Err = ErrLimitExceeded
	case strings.Contains(fe.Message, "exceeds maximum allowed nodes"):
		e.Message = fmt.Sprintf("expression is too complex: more than %d syntax nodes", MaxNodes)
		e.Err = ErrLimitExceeded
	}
	return e
}

// patcher rewrites the tree so that nothing runs uncharged: every builtin call becomes a call
// of our charged version of it, every operator that loops or allocates a call of a charged
// function, and every loop body (a predicate), literal and method call passes through a guard
// that counts a step. It also rejects the reserved names, builtins that are not available,
// and calls of functions that do not exist: with undefined variables allowed, expr would
// otherwise accept "launch(1)" and fail only at run time. expr's tree walk visits children
// first, so the nodes the patcher builds are not visited again.
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
		if strings.HasPrefix(n.Value, reservedPrefix) {
			p.fail(n, "%s is a reserved name", n.Value)
		}
	case *ast.VariableDeclaratorNode:
		if strings.HasPrefix(n.Name, reservedPrefix) {
			p.fail(n, "%s is a reserved name", n.Name)
		}
	case *ast.BinaryNode:
		p.patchOperator(node, n)
	case *ast.CallNode:
		// Builtins are BuiltinNodes; a call of a plain name is a call of
		// a document field, which JSON cannot hold. Method calls on values
		// (now().Year()) have a member callee and stay allowed; their
		// arguments are charged before the call.
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			p.fail(n, "unknown function %s", id.Value)
			return
		}
		for i, a := range n.Arguments {
			n.Arguments[i] = guardCall(argumentFunc, a)
		}
		ast.Patch(node, guardCall(guardFunc, n))
	case *ast.BuiltinNode:
		p.patchBuiltin(node, n)
	case *ast.ArrayNode, *ast.MapNode:
		ast.Patch(node, guardCall(guardFunc, n))
	}
}

// patchBuiltin replaces a builtin call by a call of our charged version, or guards the
// predicate of a loop builtin: each iteration runs the predicate once.
func (p *patcher) patchBuiltin(node *ast.Node, n *ast.BuiltinNode) {
	if reason, ok := disabledBuiltins[n.Name]; ok {
		p.fail(n, "the function %s is not available in workflow expressions: %s", n.Name, reason)
		return
	}
	if n.Name == "findLast" || n.Name == "findLastIndex" {
		p.rewriteFindLast(n)
	}
	if loopBuiltins[n.Name] {
		guard := guardFunc
		switch n.Name {
		case "map", "filter":
			guard = elementFunc
		case "sortBy", "groupBy":
			guard = keyFunc
		}
		for _, a := range n.Arguments {
			if pred, ok := a.(*ast.PredicateNode); ok {
				pred.Node = guardCall(guard, pred.Node)
			}
		}
		// sortBy sets aside room for every element and key before its loop.
		if n.Name == "sortBy" && len(n.Arguments) > 0 {
			n.Arguments[0] = guardCall(sortFunc, n.Arguments[0])
		}
		// count and sum without a predicate loop over the array too: give them one.
		if (n.Name == "count" || n.Name == "sum") && len(n.Arguments) == 1 {
			pred := &ast.PredicateNode{Node: guardCall(guardFunc, &ast.PointerNode{})}
			pred.SetLocation(n.Location())
			n.Arguments = append(n.Arguments, pred)
		}
		ast.Patch(node, guardCall(guardFunc, n))
		return
	}
	if _, ok := charges[n.Name]; !ok {
		p.fail(n, "the function %s is not available in workflow expressions", n.Name)
		return
	}
	call := &ast.CallNode{
		Callee:    &ast.IdentifierNode{Value: builtinPrefix + n.Name},
		Arguments: append([]ast.Node{&ast.IdentifierNode{Value: guardVar}}, n.Arguments...),
	}
	setLocation(call, n.Location())
	ast.Patch(node, call)
}

// rewriteFindLast turns findLast and findLastIndex into a reduce over the array that keeps
// the last element (or index) the predicate holds for: the same result. expr 1.17.8 compiles
// them into a backward loop that leaves a boolean on its stack per iteration, so that a call
// around them receives the wrong arguments (our guard among them).
func (p *patcher) rewriteFindLast(n *ast.BuiltinNode) {
	pred, ok := n.Arguments[1].(*ast.PredicateNode)
	if len(n.Arguments) != 2 || !ok {
		p.fail(n, "%s takes an array and a predicate", n.Name)
		return
	}
	found := &ast.PointerNode{}
	if n.Name == "findLastIndex" {
		found = &ast.PointerNode{Name: "index"}
	}
	cond := &ast.ConditionalNode{Cond: pred.Node, Exp1: found, Exp2: &ast.PointerNode{Name: "acc"}}
	cond.SetLocation(pred.Location())
	pred.Node = cond
	nilNode := &ast.NilNode{}
	nilNode.SetLocation(n.Location())
	n.Name = "reduce"
	n.Arguments = append(n.Arguments, nilNode)
}

// patchOperator replaces an operator that loops or allocates by our charged version.
func (p *patcher) patchOperator(node *ast.Node, n *ast.BinaryNode) {
	op := n.Operator
	negate := false
	if op == "!=" {
		op, negate = "==", true
	}
	if _, ok := operators[op]; !ok {
		return
	}
	if op == "matches" {
		// A constant pattern is checked when the workflow is saved, as expr did.
		if s, ok := n.Right.(*ast.StringNode); ok {
			if len(s.Value) > MaxPatternLength {
				p.fail(n, "the pattern of matches is %d bytes long; the limit is %d bytes", len(s.Value), MaxPatternLength)
				return
			}
			if _, err := compilePattern(s.Value); err != nil {
				p.fail(n, "%v", err)
				return
			}
		}
	}
	call := &ast.CallNode{
		Callee:    &ast.IdentifierNode{Value: operatorPrefix + op},
		Arguments: []ast.Node{&ast.IdentifierNode{Value: guardVar}, n.Left, n.Right},
	}
	setLocation(call, n.Location())
	var out ast.Node = call
	if negate {
		out = &ast.UnaryNode{Operator: "!", Node: call}
		out.SetLocation(n.Location())
	}
	ast.Patch(node, out)
}

func guardCall(fn string, n ast.Node) *ast.CallNode {
	c := &ast.CallNode{
		Callee:    &ast.IdentifierNode{Value: fn},
		Arguments: []ast.Node{&ast.IdentifierNode{Value: guardVar}, n},
	}
	// Runtime errors inside the guard point at the guarded expression.
	setLocation(c, n.Location())
	return c
}

func setLocation(c *ast.CallNode, loc file.Location) {
	c.SetLocation(loc)
	c.Callee.SetLocation(loc)
	c.Arguments[0].SetLocation(loc)
}

func isGuardCall(n ast.Node) bool {
	c, ok := n.(*ast.CallNode)
	if !ok {
		return false
	}
	id, ok := c.Callee.(*ast.IdentifierNode)
	return ok && strings.HasPrefix(id.Value, reservedPrefix)
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
