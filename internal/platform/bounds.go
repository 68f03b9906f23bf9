package platform

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/document"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/expression"
)

// Bounds on what one workflow can make the platform hold, send or run.
//
// Documents: every JSON document a workflow holds or sends (execution input, the document
// after each step, step outputs, the execution output, event data, webhook payloads and http
// step bodies) is measured before it is stored or sent, against Config.MaxDocumentBytes and
// MaxDocumentDepth; a step that would pass them fails, naming the limit.
//
// Fan-out: every execution and event carries its root, the event or trigger that began its
// chain. maxEmitDepth bounds how deep a chain of emits goes; Config.MaxExecutionsPerEvent
// bounds how many executions one root leads to in all, however the chain branches. A workflow
// that emits the event type that triggers it is refused when saved; a loop through several
// workflows is stopped when it closes, by the emit step that would close it.

// Defaults of the bounds (Config).
const defaultMaxExecutionsPerEvent = 100

func (s *Server) boundsDefaults() {
	c := &s.cfg
	if c.MaxDocumentBytes <= 0 {
		c.MaxDocumentBytes = document.DefaultMaxBytes
	}
	if c.MaxDocumentDepth <= 0 {
		c.MaxDocumentDepth = document.DefaultMaxDepth
	}
	if c.MaxExecutionsPerEvent <= 0 {
		c.MaxExecutionsPerEvent = defaultMaxExecutionsPerEvent
	}
}

// documentLimits are the limits every workflow document is checked against.
func (s *Server) documentLimits() document.Limits {
	return document.Limits{MaxBytes: s.cfg.MaxDocumentBytes, MaxDepth: s.cfg.MaxDocumentDepth,
		BytesSetting: "--max-document-bytes", DepthSetting: "--max-document-depth"}
}

// checkRequestDocument refuses, with a 400 naming the field and the limit, a document a
// request carries (a trigger's input, an event's data).
func (s *Server) checkRequestDocument(field string, doc *map[string]any) error {
	if doc == nil {
		return nil
	}
	if err := s.documentLimits().Check(*doc); err != nil {
		return invalid(FieldError(field, "%s", err.Error()))
	}
	return nil
}

// recordDocuments is how many documents' worth an execution's record may hold in all (its
// input, its steps' outputs and its output): room for a few large ones, but not for 50 steps
// each repeating a 1 MiB document.
const recordDocuments = 4

// checkStepDocuments checks a step's output and the document after it, and that the
// execution's record, with this output and the document as its output, stays within
// recordDocuments documents' worth. Each measure stops at its limit, so a step costs at most
// a few walks of the limit's size, whatever the documents hold.
func (s *Server) checkStepDocuments(row *store.ExecutionRow, out any, doc map[string]any) error {
	limits := s.documentLimits()
	if err := limits.Check(out); err != nil {
		return fmt.Errorf("its output: %w", err)
	}
	if err := limits.Check(doc); err != nil {
		return err
	}
	budget := recordDocuments * limits.MaxBytes
	parts := []any{row.Execution.Input, out, doc}
	for _, r := range row.Execution.Steps {
		parts = append(parts, r.Output)
	}
	var used int64
	for _, p := range parts {
		n, err := document.Size(p, budget-used)
		if err != nil {
			return err
		}
		if used += n; used > budget {
			return fmt.Errorf("the execution's record (its input, its steps' outputs and its output) would be larger than %d bytes, "+
				"the limit (%d times --max-document-bytes): keep large values out of the document, or in fewer steps' outputs", budget, recordDocuments)
		}
	}
	return nil
}

// origin is where the executions an event starts come from.
type origin struct {
	// lineage of the executions: Root empty means the event is their root (published through
	// the API or by the platform); Chain lists the workflows whose emits led here.
	lineage store.Lineage
}

// emittedBy is the origin of an event that execution exeID, of wf, emits.
func emittedBy(ctx context.Context, q *store.Q, exeID string, wf *api.Workflow) (origin, error) {
	lin, err := q.ExecutionLineage(ctx, exeID)
	if err != nil {
		return origin{}, err
	}
	lin.Depth++
	lin.Chain = append(slices.Clone(lin.Chain), store.ChainLink{ID: wf.ID, Name: wf.Name})
	return origin{lineage: lin}, nil
}

// checkFanOut refuses, for an event emitted by a workflow, to start workflows that would close
// a loop (one already in the chain) or that would take the chain's root past its budget of
// executions. It holds the root until the transaction ends, so that concurrent emits of one
// chain count one after the other.
func (s *Server) checkFanOut(ctx context.Context, q *store.Q, eventType string, o origin, wfs []api.Workflow) error {
	lin := o.lineage
	if lin.Root == "" || len(wfs) == 0 {
		return nil
	}
	for _, wf := range wfs {
		if i := slices.IndexFunc(lin.Chain, func(l store.ChainLink) bool { return l.ID == wf.ID }); i >= 0 {
			loop := make([]string, 0, len(lin.Chain)-i+1)
			for _, l := range lin.Chain[i:] {
				loop = append(loop, fmt.Sprintf("%q (%s)", l.Name, l.ID))
			}
			loop = append(loop, fmt.Sprintf("%q", wf.Name))
			return fmt.Errorf("emitting %s would start workflow %q (%s) again: the workflows %s trigger each other in a loop "+
				"(chain started by %s); change one of them to emit another event type, so that the chain ends",
				eventType, wf.Name, wf.ID, strings.Join(loop, " → "), rootName(lin.Root))
		}
	}
	n, err := q.RootExecutions(ctx, lin.Root)
	if err != nil {
		return err
	}
	if budget := s.cfg.MaxExecutionsPerEvent; n+len(wfs) > budget {
		return fmt.Errorf("emitting %s would start %d more executions in the chain started by %s, which has led to %d already; "+
			"the limit is %d executions per originating event or trigger (--max-executions-per-event): do workflows emit events "+
			"that trigger many others?", eventType, len(wfs), rootName(lin.Root), n, budget)
	}
	return nil
}

// rootName names a chain's root for messages.
func rootName(root string) string {
	if strings.HasPrefix(root, "exe_") {
		return "execution " + root
	}
	return "event " + root
}

// checkSelfLoop refuses a workflow whose emit step emits the event type that triggers it:
// every run would start another, for ever.
func checkSelfLoop(in api.WorkflowInput) []api.FieldError {
	if in.Trigger.Type != api.TriggerTypeEvent || in.Trigger.EventType == nil {
		return nil
	}
	var errs []api.FieldError
	for i, st := range in.Steps {
		if st.Emit != nil && st.Emit.EventType == *in.Trigger.EventType {
			errs = append(errs, FieldError(fmt.Sprintf("steps[%d].emit.event_type", i),
				"step %q emits %s, the event type that triggers this workflow, so every run would start another, for ever; "+
					"emit another event type, or trigger the workflow on another one", st.Name, st.Emit.EventType))
		}
	}
	return errs
}

// documentError is a document over its limits that a request (rather than a step) caused: the
// handler answers it as a 400 on the field.
type documentError struct{ err error }

func (e *documentError) Error() string { return e.err.Error() }
func (e *documentError) Unwrap() error { return e.err }

// docMeter keeps a document's size as fields are set in it, so that a transform is checked
// after each field it sets at the cost of the values it sets, not of the whole document each
// time.
type docMeter struct {
	limits document.Limits
	size   int64
}

func newDocMeter(doc map[string]any, limits document.Limits) (*docMeter, error) {
	if err := limits.Check(doc); err != nil {
		return nil, err
	}
	size, err := document.Size(doc, limits.MaxBytes)
	return &docMeter{limits: limits, size: size}, err
}

// set sets v at the dotted path field, unless the document would pass its limits.
func (m *docMeter) set(doc map[string]any, field string, v any) error {
	growth, err := m.limits.SetGrowth(doc, strings.Split(field, "."), v)
	if err != nil {
		return err
	}
	if m.size+growth > m.limits.MaxBytes {
		return &document.LimitError{Limit: m.limits.MaxBytes, Setting: m.limits.BytesSetting}
	}
	if err := expression.SetPath(doc, field, v); err != nil {
		return err
	}
	m.size += growth
	return nil
}
