// Command terraform-provider-lowcode is the Terraform provider for the low-code platform.
package main

import (
	"context"
	"flag"
	"log"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/pluginlog"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/provider"
)

// version is set by goreleaser at build time.
var version = "dev"

func main() {
	pluginlog.QuietUnlessRequested() // logs Terraform would drop are not written at all
	var debug bool
	flag.BoolVar(&debug, "debug", false, "run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/lowcode-platform/lowcode",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
