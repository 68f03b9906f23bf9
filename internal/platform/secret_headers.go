package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// An http step's secret headers carry credentials. They are write-only: taken from the
// request, sealed into the workflow's secret_headers_sealed column (one JSON object from step
// name to headers, bound to the workflow's id), and never put in the workflow's document,
// which every reader of the workflow gets.

// secretHeaders maps step names to their secret headers.
type secretHeaders map[string]map[string]string

func secretHeadersContext(workflowID string) string { return "workflow-secret-headers:" + workflowID }

// takeSecretHeaders removes the secret headers from steps and returns them: a step's entry is
// nil when the request did not send secret_headers for it (keep what is stored).
func takeSecretHeaders(steps []api.WorkflowStep) map[string]*map[string]string {
	given := map[string]*map[string]string{}
	for i, st := range steps {
		if st.HTTP == nil {
			continue
		}
		given[st.Name] = st.HTTP.SecretHeaders
		h := *st.HTTP
		h.SecretHeaders = nil
		steps[i].HTTP = &h
	}
	return given
}

// loadSecretHeaders opens a workflow's stored secret headers.
func (s *Server) loadSecretHeaders(ctx context.Context, q *store.Q, workflowID string) (secretHeaders, error) {
	sealed, err := q.WorkflowSecretHeaders(ctx, workflowID)
	if err != nil || sealed == "" {
		return secretHeaders{}, err
	}
	plain, err := s.sealer.open(sealed, secretHeadersContext(workflowID))
	if err != nil {
		return nil, fmt.Errorf("the secret headers of workflow %s: %w", workflowID, err)
	}
	var out secretHeaders
	if err := json.Unmarshal([]byte(plain), &out); err != nil {
		return nil, fmt.Errorf("the secret headers of workflow %s are corrupt: %w", workflowID, err)
	}
	return out, nil
}

// secretHeadersColumn merges what a save sent into what is stored (a step that sent none keeps
// its own, matched by name; {} removes them; steps that are gone or no longer http lose
// theirs) and returns the column to write.
func (s *Server) secretHeadersColumn(workflowID string, steps []api.WorkflowStep, given map[string]*map[string]string, stored secretHeaders) (store.Column, error) {
	merged := secretHeaders{}
	for _, st := range steps {
		if st.HTTP == nil {
			continue
		}
		h := stored[st.Name]
		if g := given[st.Name]; g != nil {
			h = maps.Clone(*g)
		}
		if len(h) > 0 {
			merged[st.Name] = h
		}
	}
	col := store.Column{Name: "secret_headers_sealed"}
	if len(merged) == 0 {
		return col, nil
	}
	b, err := json.Marshal(merged)
	if err != nil {
		return col, err
	}
	col.Value = s.sealer.seal(string(b), secretHeadersContext(workflowID))
	return col, nil
}
