package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// BenchmarkReadApplication is what refreshing one lowcode_application costs, in process: the
// framework's decoding and encoding of state, the client's GET and the server's handling of
// it. A CPU profile of it (-cpuprofile) shows where a `terraform plan` spends the provider's
// and the server's time per resource.
func BenchmarkReadApplication(b *testing.B) {
	inst := platformtest.Start(b, platformtest.WithoutResponseValidation())
	app, err := inst.Client.CreateApplicationWithResponse(context.Background(), &api.CreateApplicationParams{},
		api.ApplicationInput{Name: "orders", Environment: api.Production, Version: "1.0.0"})
	if err != nil || app.JSON201 == nil {
		b.Fatalf("creating the application: %v", err)
	}
	pp := newProtoProvider(b, &accPlatform{Instance: inst})
	state := pp.value(pp.schemas.ResourceSchemas["lowcode_application"].ValueType(),
		map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, app.JSON201.ID)})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		r, err := pp.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "lowcode_application", CurrentState: state})
		if err != nil {
			b.Fatal(err)
		}
		pp.noErrors("ReadResource", r.Diagnostics)
	}
}
