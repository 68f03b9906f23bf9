package provider

// Diagnostics of failed API calls: the error every resource, data source, list resource and
// action reports when the platform refuses a call or does not answer it.

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// operation is what a failed API call was doing. The diagnostic's summary reads "Error
// <operation> <kind>", and the advice depends on it: a conflict on create is a duplicate to
// import, on anything else the platform refusing.
type operation string

const (
	opCreate   operation = "creating"
	opRead     operation = "reading"
	opUpdate   operation = "updating"
	opDelete   operation = "deleting"
	opList     operation = "listing"
	opImport   operation = "importing"
	opClassify operation = "classifying"
	opIssue    operation = "issuing"
	opRevoke   operation = "revoking"
	opRotate   operation = "rotating"
	opTrigger  operation = "triggering"
)

func (op operation) summary(kind string) string { return "Error " + string(op) + " " + kind }

// apiErrorDiag adds an error diagnostic for a failed API call: the summary says what failed,
// the detail names the object, carries the server's problem detail and says what the user can
// do about it.
func apiErrorDiag(diags *diag.Diagnostics, op operation, kind, object string, err error) {
	summary := op.summary(kind)
	detail := fmt.Sprintf("%s: %s", object, err.Error())
	switch {
	case errors.Is(err, client.ErrConflict) && op == opCreate:
		detail += "\n\nAn object with the same unique fields already exists on the platform. Choose another name, " +
			"or bring the existing object under Terraform with `terraform import` using the conflicting id above."
	case errors.Is(err, client.ErrConflict):
		detail += "\n\nThe platform refused the change because of the object named above; resolve that first."
	case errors.As(err, new(*client.OutcomeUnknownError)):
		detail += "\n\nThe answer to the create never arrived, so it is not known whether the object was made. " +
			"Terraform keeps its id in state, marked tainted: the next plan reads it by that id and replaces it if it " +
			"exists, or creates it if it does not, so no apply makes it twice."
	case errors.Is(err, client.ErrUnconfigured):
		// The error already says what to do.
	case errors.Is(err, client.ErrPreconditionFailed):
		detail += "\n\nThe object was changed outside Terraform since it was last read. Run `terraform plan` " +
			"again to see the change, then apply."
	case errors.Is(err, client.ErrOutOfScope):
		detail += "\n\nThe object exists on the platform, but this API key may not read it; the platform names the role it " +
			"needs above. Terraform keeps it in state unchanged. Use a key that holds that role, or stop managing the " +
			"object from this configuration with a `removed` block (or `terraform state rm`)."
	case errors.Is(err, client.ErrForbidden):
		detail += "\n\nThe API key's user lacks the role this needs. Ask a platform admin for a role assignment."
	case errors.Is(err, client.ErrUnauthorized):
		detail += "\n\nThe API key was refused. Check `api_key` or " + EnvAPIKey + "."
	case errors.Is(err, context.DeadlineExceeded):
		detail += "\n\nThe operation timed out. Raise the resource's `timeouts` or the provider's `request_timeout`."
	}
	diags.AddError(summary, detail)
}
