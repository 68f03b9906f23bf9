package tfcli

import (
	"testing"

	"github.com/hashicorp/go-version"
)

func TestSupports(t *testing.T) {
	v := func(s string) *version.Version { return version.Must(version.NewVersion(s)) }
	cases := []struct {
		cli     CLI
		feature Feature
		want    bool
		why     string
	}{
		{CLI{Version: v("1.11.4")}, WriteOnlyAttributes, true, ""},
		{CLI{Version: v("1.11.4")}, ResourceIdentity, false, "resource identity needs Terraform 1.12.0; this CLI is Terraform 1.11.4"},
		{CLI{Version: v("1.14.0-rc1")}, Actions, true, ""},
		{CLI{Version: v("1.15.9")}, ListResources, true, ""},
		{CLI{Version: v("1.15.9")}, Actions, true, ""},
		{CLI{OpenTofu: true, Version: v("1.12.6")}, ResourceIdentity, true, ""},
		{CLI{OpenTofu: true, Version: v("1.12.6")}, EphemeralResources, true, ""},
		{CLI{OpenTofu: true, Version: v("1.10.0")}, EphemeralResources, false, "ephemeral resources needs OpenTofu 1.11.0; this CLI is OpenTofu 1.10.0"},
		// Past 1.14 by number, still no actions or list resources.
		{CLI{OpenTofu: true, Version: v("1.14.0")}, Actions, false, "OpenTofu has no actions in any version"},
		{CLI{OpenTofu: true, Version: v("1.20.0")}, ListResources, false, "OpenTofu has no list resources in any version"},
	}
	for _, c := range cases {
		t.Run(c.cli.String()+"/"+c.feature.String(), func(t *testing.T) {
			got, why := c.cli.Supports(c.feature)
			if got != c.want || why != c.why {
				t.Errorf("Supports(%s) = %v, %q; want %v, %q", c.feature, got, why, c.want, c.why)
			}
		})
	}
}
