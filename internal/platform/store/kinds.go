package store

import (
	"fmt"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// nullable stores "" as NULL, for optional references.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func strPtrValue(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Applications are unique by name within an environment.
var Applications = &Kind[api.Application]{
	Table: "applications",
	ID:    func(a *api.Application) string { return a.ID },
	ETag:  func(a *api.Application) string { return a.Etag },
	Columns: func(a *api.Application) []Column {
		return []Column{{"name", a.Name}, {"environment", string(a.Environment)}}
	},
	Unique: []Unique[api.Application]{{
		Columns: []string{"environment", "name"},
		Describe: func(a *api.Application) string {
			return fmt.Sprintf("an application named %q already exists in the %s environment", a.Name, a.Environment)
		},
	}},
}

// Workflows are unique by name within their application.
var Workflows = &Kind[api.Workflow]{
	Table: "workflows",
	ID:    func(w *api.Workflow) string { return w.ID },
	ETag:  func(w *api.Workflow) string { return w.Etag },
	Columns: func(w *api.Workflow) []Column {
		return []Column{
			{"application_id", w.ApplicationID}, {"name", w.Name}, {"enabled", w.Enabled},
			{"trigger_type", string(w.Trigger.Type)},
			{"event_type", nullable(strPtrValue(w.Trigger.EventType))},
			{"cron", nullable(strPtrValue(w.Trigger.Cron))},
		}
	},
	Unique: []Unique[api.Workflow]{{
		Columns: []string{"application_id", "name"},
		Describe: func(w *api.Workflow) string {
			return fmt.Sprintf("a workflow named %q already exists in application %s", w.Name, w.ApplicationID)
		},
	}},
}

// MonitoringTargets are keyed by their workflow's id: a workflow has at most one.
var MonitoringTargets = &Kind[api.MonitoringTarget]{
	Table: "monitoring_targets",
	ID:    func(m *api.MonitoringTarget) string { return m.WorkflowID },
	ETag:  func(m *api.MonitoringTarget) string { return m.Etag },
}

// Webhooks keep their sealed signing secrets in columns outside the document; see
// WebhookSecrets.
var Webhooks = &Kind[api.Webhook]{
	Table: "webhooks",
	ID:    func(w *api.Webhook) string { return w.ID },
	ETag:  func(w *api.Webhook) string { return w.Etag },
	Columns: func(w *api.Webhook) []Column {
		return []Column{{"active", w.Active}, {"application_id", nullable(w.ApplicationID)}}
	},
}

// Users are unique by email, compared case-insensitively.
var Users = &Kind[api.User]{
	Table: "users",
	ID:    func(u *api.User) string { return u.ID },
	ETag:  func(u *api.User) string { return u.Etag },
	Columns: func(u *api.User) []Column {
		return []Column{{"email", strings.ToLower(u.Email)}, {"active", u.Active}}
	},
	Unique: []Unique[api.User]{{
		Columns:  []string{"email"},
		Describe: func(u *api.User) string { return fmt.Sprintf("a user with email %q already exists", u.Email) },
	}},
}

// RoleAssignments are unique by user, role and scope.
var RoleAssignments = &Kind[api.RoleAssignment]{
	Table: "role_assignments",
	ID:    func(r *api.RoleAssignment) string { return r.ID },
	ETag:  func(r *api.RoleAssignment) string { return r.Etag },
	Columns: func(r *api.RoleAssignment) []Column {
		return []Column{
			{"user_id", r.UserID}, {"role", string(r.Role)},
			{"scope_type", string(r.Scope.Type)}, {"scope_id", strPtrValue(r.Scope.ID)},
		}
	},
	Unique: []Unique[api.RoleAssignment]{{
		Columns: []string{"user_id", "role", "scope_type", "scope_id"},
		Describe: func(r *api.RoleAssignment) string {
			return fmt.Sprintf("user %s already has role %s at this scope", r.UserID, r.Role)
		},
	}},
}

// ClassificationPolicies are unique by name.
var ClassificationPolicies = &Kind[api.ClassificationPolicy]{
	Table: "classification_policies",
	ID:    func(c *api.ClassificationPolicy) string { return c.ID },
	ETag:  func(c *api.ClassificationPolicy) string { return c.Etag },
	Columns: func(c *api.ClassificationPolicy) []Column {
		return []Column{{"name", c.Name}, {"level", string(c.Level)}, {"application_id", nullable(c.ApplicationID)}}
	},
	Unique: []Unique[api.ClassificationPolicy]{{
		Columns: []string{"name"},
		Describe: func(c *api.ClassificationPolicy) string {
			return fmt.Sprintf("a classification policy named %q already exists", c.Name)
		},
	}},
}

// Integrations are unique by name.
var Integrations = &Kind[api.Integration]{
	Table: "integrations",
	ID:    func(i *api.Integration) string { return i.ID },
	ETag:  func(i *api.Integration) string { return i.Etag },
	Columns: func(i *api.Integration) []Column {
		return []Column{{"name", i.Name}}
	},
	Unique: []Unique[api.Integration]{{
		Columns:  []string{"name"},
		Describe: func(i *api.Integration) string { return fmt.Sprintf("an integration named %q already exists", i.Name) },
	}},
}

// AuditEvents are append-only and listed newest first.
var AuditEvents = &Kind[api.AuditEvent]{
	Table:  "audit_events",
	ID:     func(e *api.AuditEvent) string { return e.ID },
	ETag:   func(*api.AuditEvent) string { return "" },
	Newest: true,
}
