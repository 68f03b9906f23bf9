package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Every resource's identity (Terraform 1.12 and later) is its platform id: ids are unique
// across the platform, never reused and never changed, which is what an identity must be. With
// it, an `import` block can say `identity = { id = "app_…" }`, and list resources (Terraform
// 1.14) name what they find.

// idIdentitySchema is the identity schema of every resource.
func idIdentitySchema(kind string) identityschema.Schema {
	return identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"id": identityschema.StringAttribute{
			RequiredForImport: true,
			Description:       "The " + kind + "'s id on the platform.",
		},
	}}
}

// idIdentity is the identity's model.
type idIdentity struct {
	ID types.String `tfsdk:"id"`
}

// setIdentity records the object's id as its identity. identity is nil when Terraform does
// not support identities (before 1.12).
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, id types.String, diags *diag.Diagnostics) {
	if identity == nil || id.IsUnknown() || id.IsNull() {
		return
	}
	diags.Append(identity.Set(ctx, idIdentity{ID: id})...)
}

// idKinds are the platform's id prefixes and the resource each names.
var idKinds = []struct{ prefix, kind, resourceType string }{
	{"app_", "application", "lowcode_application"},
	{"wf_", "workflow", "lowcode_workflow"},
	{"whk_", "webhook", "lowcode_webhook"},
	{"usr_", "user", "lowcode_user"},
	{"ra_", "role assignment", "lowcode_role_assignment"},
	{"cls_", "classification policy", "lowcode_classification_policy"},
	{"int_", "custom integration", "lowcode_custom_integration"},
}

// withArticle is "an application", "a workflow".
func withArticle(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// importByIDOrIdentity imports a resource by its id given as the import id or, in an `import`
// block with `identity`, as the identity's id. An import id of another kind (a workflow's id
// given to an application) is refused with an error that says which resource it belongs to,
// rather than the generic "Cannot import non-existent remote object".
func importByIDOrIdentity(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse, kind, prefix string) {
	if req.ID != "" && !strings.HasPrefix(req.ID, prefix) {
		detail := fmt.Sprintf("%q is not the id of %s: those start with %s.", req.ID, withArticle(kind), prefix)
		for _, k := range idKinds {
			if strings.HasPrefix(req.ID, k.prefix) {
				detail = fmt.Sprintf("%q is the id of %s, not of %s (those start with %s). Import it into a %s resource instead.",
					req.ID, withArticle(k.kind), withArticle(kind), prefix, k.resourceType)
			}
		}
		resp.Diagnostics.AddError("Wrong kind of id to import", detail)
		return
	}
	resource.ImportStatePassthroughWithIdentity(ctx, path.Root("id"), path.Root("id"), req, resp)
}
