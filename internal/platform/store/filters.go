package store

import "github.com/lowcode-platform/terraform-provider-lowcode/internal/api"

// The named filters: what handlers ask a list for, in their words, with the SQL kept here.
// Every one has the same statement text whatever the lengths of its id lists.

// ReadableWorkflows matches the workflows of the applications appIDs and the workflows
// workflowIDs: those a caller holding roles on exactly these may read. With both lists empty
// it matches nothing.
func ReadableWorkflows(appIDs, workflowIDs []string) Filter {
	return Filter{sql: func(q *Q) (string, []any) {
		return q.inList("application_id") + " OR " + q.inList("id"), []any{q.listArg(appIDs), q.listArg(workflowIDs)}
	}}
}

// OfWorkflows turns a filter on workflows into one on the rows that belong to them
// (executions), through their workflow_id.
func OfWorkflows(workflows Filter) Filter {
	return Filter{sql: func(q *Q) (string, []any) {
		conds, args := q.filterSQL([]Filter{workflows})
		return "workflow_id IN (SELECT id FROM workflows WHERE " + conds[0] + ")", args
	}}
}

// VisibleAssignments matches the role assignments a caller who is not a platform admin may
// read: userID's own, and those at the applications adminAppIDs (and at their workflows) and
// at the workflows adminWorkflowIDs, which the caller administers.
func VisibleAssignments(userID string, adminAppIDs, adminWorkflowIDs []string) Filter {
	return Filter{sql: func(q *Q) (string, []any) {
		cond := "user_id = ?" +
			" OR (scope_type = ? AND " + q.inList("scope_id") + ")" +
			" OR (scope_type = ? AND scope_id IN (SELECT id FROM workflows WHERE " + q.inList("application_id") + "))" +
			" OR (scope_type = ? AND " + q.inList("scope_id") + ")"
		apps := q.listArg(adminAppIDs)
		return cond, []any{userID, string(api.ScopeTypeApplication), apps, string(api.ScopeTypeWorkflow), apps,
			string(api.ScopeTypeWorkflow), q.listArg(adminWorkflowIDs)}
	}}
}

// PlatformWide matches the objects that belong to no application (webhooks, classification
// policies).
func PlatformWide() Filter {
	return Filter{sql: func(*Q) (string, []any) { return "application_id IS NULL", nil }}
}

// PlatformWideOr matches the platform-wide objects and those of the application appID.
func PlatformWideOr(appID string) Filter {
	return Filter{sql: func(*Q) (string, []any) { return "application_id IS NULL OR application_id = ?", []any{appID} }}
}

// emitMarker is how an emit step begins in a stored workflow document.
const emitMarker = `%"emit":{%`

// EmittingWorkflows matches the workflows with at least one emit step (and perhaps a few
// more: the test is on the stored document's text, and the steps decide).
func EmittingWorkflows() Filter {
	return Filter{sql: func(*Q) (string, []any) { return "doc LIKE ?", []any{emitMarker} }}
}
