package platform

import (
	"net/url"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/fields"
)

// checkName validates a name: 1-100 characters of letters, digits, '-', '_' and '.', starting
// with a letter or digit.
func checkName(field, v string) []api.FieldError {
	if !fields.Name.MatchString(v) {
		return []api.FieldError{FieldError(field, "%q is not a valid name: use 1-100 letters, digits, '-', '_' or '.', starting with a letter or digit", v)}
	}
	return nil
}

// checkSemver validates a semantic version such as 2.3.0 (no leading "v").
func checkSemver(field, v string) []api.FieldError {
	if err := fields.Semver(v); err != nil {
		return []api.FieldError{FieldError(field, "%q is not a semantic version such as 1.5.2: %s", v, err.Error())}
	}
	return nil
}

func checkLabels(field string, labels *api.Labels) []api.FieldError {
	var errs []api.FieldError
	for k, v := range deref(labels) {
		if !fields.LabelKey.MatchString(k) {
			errs = append(errs, FieldError(field+"."+k, "label keys are 1-63 letters, digits, '.', '_', '-' or '/'"))
		}
		if fields.Length(v) > fields.LabelValueMax {
			errs = append(errs, FieldError(field+"."+k, "label values are at most %d characters", fields.LabelValueMax))
		}
	}
	return errs
}

// checkHTTPURL validates an absolute http or https URL.
func checkHTTPURL(field, raw string) []api.FieldError {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return []api.FieldError{FieldError(field, "%q is not an absolute http:// or https:// URL", raw)}
	}
	if u.User != nil {
		return []api.FieldError{FieldError(field, "URLs must not carry credentials; send them in headers instead")}
	}
	return nil
}

// checkEventType validates an event type such as order.created: two or more dot-separated
// segments of lowercase letters, digits and '_'.
func checkEventType(field, v string) []api.FieldError {
	if !fields.EventType.MatchString(v) {
		return []api.FieldError{FieldError(field, "%q is not a valid event type: use two or more dot-separated segments of lowercase letters, digits and '_', such as order.created", v)}
	}
	return nil
}
