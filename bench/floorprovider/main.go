// Command floorprovider is the benchmark's floor: a minimal Terraform provider built on the same
// plugin framework as terraform-provider-lowcode, whose resources do no I/O at all. Create and
// Update copy the plan into the state (an unknown computed value becomes a made-up string),
// Read returns the state it was given, Delete does nothing. Its resources carry the same
// attributes as the lowcode resources the benchmark configures (so Terraform moves the same
// amount of state), but none of their validators, plan modifiers or timeouts: the gap between
// this provider and terraform-provider-lowcode is exactly our client, our server and our schema
// code.
//
// The benchmark driver (make bench) builds it as terraform-provider-floor and points
// Terraform at it with dev_overrides for the source address lowcode-bench/floor.
package main

import (
	"context"
	"log"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/pluginlog"
)

func main() {
	// Logs Terraform would drop are not written (the floor does the same, so the benchmark
	// compares like with like).
	pluginlog.QuietUnlessRequested()
	err := providerserver.Serve(context.Background(), func() provider.Provider { return floorProvider{} },
		providerserver.ServeOpts{Address: "registry.terraform.io/lowcode-bench/floor"})
	if err != nil {
		log.Fatal(err)
	}
}

type floorProvider struct{}

func (floorProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "floor"
}

func (floorProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = pschema.Schema{}
}

func (floorProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (floorProvider) DataSources(context.Context) []func() datasource.DataSource { return nil }

func (floorProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		func() resource.Resource { return &floorResource{name: "application", schema: applicationSchema()} },
		func() resource.Resource { return &floorResource{name: "workflow", schema: workflowSchema()} },
		func() resource.Resource { return &floorResource{name: "webhook", schema: webhookSchema()} },
	}
}

// The schemas mirror the attributes of lowcode_application, lowcode_workflow and
// lowcode_webhook that the benchmark's configurations set or that the server computes.

func computed() schema.StringAttribute { return schema.StringAttribute{Computed: true} }

func applicationSchema() schema.Schema {
	return schema.Schema{Attributes: map[string]schema.Attribute{
		"id":          computed(),
		"name":        schema.StringAttribute{Required: true},
		"environment": schema.StringAttribute{Required: true},
		"version":     schema.StringAttribute{Required: true},
		"description": schema.StringAttribute{Optional: true},
		"labels":      schema.MapAttribute{ElementType: types.StringType, Optional: true},
		"etag":        computed(),
		"created_at":  computed(),
		"updated_at":  computed(),
	}}
}

func workflowSchema() schema.Schema {
	return schema.Schema{Attributes: map[string]schema.Attribute{
		"id":             computed(),
		"application_id": schema.StringAttribute{Required: true},
		"name":           schema.StringAttribute{Required: true},
		"version":        schema.StringAttribute{Required: true},
		"enabled":        schema.BoolAttribute{Optional: true},
		"trigger": schema.SingleNestedAttribute{Required: true, Attributes: map[string]schema.Attribute{
			"type":       schema.StringAttribute{Required: true},
			"event_type": schema.StringAttribute{Optional: true},
			"cron":       schema.StringAttribute{Optional: true},
		}},
		"steps": schema.ListNestedAttribute{Required: true, NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"name": schema.StringAttribute{Required: true},
				"type": schema.StringAttribute{Required: true},
				"validate": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
					"expression": schema.StringAttribute{Required: true},
					"message":    schema.StringAttribute{Required: true},
				}},
				"transform": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
					"set": schema.ListNestedAttribute{Required: true, NestedObject: schema.NestedAttributeObject{
						Attributes: map[string]schema.Attribute{
							"field":      schema.StringAttribute{Required: true},
							"expression": schema.StringAttribute{Required: true},
						},
					}},
				}},
				"emit": schema.SingleNestedAttribute{Optional: true, Attributes: map[string]schema.Attribute{
					"event_type": schema.StringAttribute{Required: true},
					"data":       schema.StringAttribute{Optional: true},
				}},
			},
		}},
		"etag":          computed(),
		"created_at":    computed(),
		"last_modified": computed(),
	}}
}

func webhookSchema() schema.Schema {
	return schema.Schema{Attributes: map[string]schema.Attribute{
		"id":                         computed(),
		"application_id":             schema.StringAttribute{Optional: true},
		"event_types":                schema.SetAttribute{ElementType: types.StringType, Required: true},
		"callback_url":               schema.StringAttribute{Required: true},
		"active":                     schema.BoolAttribute{Optional: true},
		"description":                schema.StringAttribute{Optional: true},
		"secret":                     schema.StringAttribute{Computed: true, Sensitive: true},
		"secret_updated_at":          computed(),
		"previous_secret_expires_at": computed(),
		"disabled_reason":            computed(),
		"etag":                       computed(),
		"created_at":                 computed(),
		"updated_at":                 computed(),
	}}
}

type floorResource struct {
	name   string
	schema schema.Schema
}

func (r *floorResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + r.name
}

func (r *floorResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.schema
}

func (r *floorResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = fillUnknown(req.Plan.Raw)
}

// Read leaves the state the framework copied into the response as it is.
func (r *floorResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {}

func (r *floorResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = fillUnknown(req.Plan.Raw)
}

// Delete does nothing; the framework removes the resource from the state.
func (r *floorResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

var (
	seq   atomic.Uint64
	epoch = strconv.FormatInt(time.Now().UnixNano(), 36)
)

// fillUnknown replaces every unknown value (the computed attributes) with a made-up one: a
// unique string, zero or false.
func fillUnknown(v tftypes.Value) tftypes.Value {
	out, err := tftypes.Transform(v, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		switch {
		case v.Type().Is(tftypes.String):
			return tftypes.NewValue(tftypes.String, "floor-"+epoch+"-"+strconv.FormatUint(seq.Add(1), 36)), nil
		case v.Type().Is(tftypes.Bool):
			return tftypes.NewValue(tftypes.Bool, false), nil
		case v.Type().Is(tftypes.Number):
			return tftypes.NewValue(tftypes.Number, 0), nil
		}
		return tftypes.NewValue(v.Type(), nil), nil
	})
	if err != nil {
		panic(err) // the callback never fails
	}
	return out
}
