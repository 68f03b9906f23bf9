package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// protoProvider drives the provider through its protocol interface, as a Terraform CLI would,
// for the features the CLI in CI (1.11) cannot use yet: identities (1.12), list resources and
// actions (1.14).
type protoProvider struct {
	t       testing.TB
	srv     tfprotov6.ProviderServer
	schemas *tfprotov6.GetProviderSchemaResponse
}

// newProtoProvider starts the provider and configures it for p's platform.
func newProtoProvider(t testing.TB, p *accPlatform) *protoProvider {
	t.Helper()
	srv, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	pp := &protoProvider{t: t, srv: srv, schemas: schemas}
	pp.noErrors("GetProviderSchema", schemas.Diagnostics)
	cfg := pp.value(schemas.Provider.ValueType(), map[string]tftypes.Value{
		"endpoint": tftypes.NewValue(tftypes.String, p.URL),
		"api_key":  tftypes.NewValue(tftypes.String, p.OwnerKey),
	})
	resp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.15.0", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	pp.noErrors("ConfigureProvider", resp.Diagnostics)
	return pp
}

// value is an object of type typ (an object type) with the given attributes and every other
// attribute null.
func (pp *protoProvider) value(typ tftypes.Type, set map[string]tftypes.Value) *tfprotov6.DynamicValue {
	pp.t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		pp.t.Fatalf("%s is not an object type", typ)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
		if v, ok := set[name]; ok {
			vals[name] = v
		}
	}
	for name := range set {
		if _, ok := obj.AttributeTypes[name]; !ok {
			pp.t.Fatalf("no attribute %q in %s", name, typ)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		pp.t.Fatal(err)
	}
	return &dv
}

// attributes decodes dv (of object type typ) into its attributes.
func (pp *protoProvider) attributes(typ tftypes.Type, dv *tfprotov6.DynamicValue) map[string]tftypes.Value {
	pp.t.Helper()
	if dv == nil {
		pp.t.Fatal("no value")
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		pp.t.Fatal(err)
	}
	attrs := map[string]tftypes.Value{}
	if err := v.As(&attrs); err != nil {
		pp.t.Fatal(err)
	}
	return attrs
}

// str is a known string attribute's value.
func (pp *protoProvider) str(attrs map[string]tftypes.Value, name string) string {
	pp.t.Helper()
	var s string
	if err := attrs[name].As(&s); err != nil {
		pp.t.Fatalf("%s: %v", name, err)
	}
	return s
}

func (pp *protoProvider) noErrors(call string, diags []*tfprotov6.Diagnostic) {
	pp.t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			pp.t.Fatalf("%s: %s: %s", call, d.Summary, d.Detail)
		}
	}
}
