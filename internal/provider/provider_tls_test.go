package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/testcerts"
)

// newTLSPlatform starts a platform on HTTPS with a certificate of ca; with clientCA, it
// requires client certificates that clientCA signed.
func newTLSPlatform(t *testing.T, ca, clientCA *testcerts.CA, serverCert testcerts.Leaf) *accPlatform {
	t.Helper()
	var opt platformtest.Option
	cfg := client.Config{CACertificate: ca.PEM}
	if clientCA != nil {
		own := clientCA.Client(t, "test setup")
		opt = platformtest.WithTLS(serverCert.TLS, testcerts.Pool(clientCA), &own.TLS)
		cfg.ClientCertificate, cfg.ClientKey = own.CertPEM, own.KeyPEM
	} else {
		opt = platformtest.WithTLS(serverCert.TLS, nil, nil)
	}
	inst := platformtest.Start(t, opt)
	cfg.Endpoint, cfg.APIKey = inst.URL, inst.OwnerKey
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &accPlatform{Instance: inst, API: c}
}

// tlsConfig is a configuration of one application with a provider block of p's endpoint and
// key plus extra settings.
func (p *accPlatform) tlsConfig(extra string) string {
	return fmt.Sprintf(`
provider "lowcode" {
  endpoint = %q
  api_key  = %q
%s
}

resource "lowcode_application" "tls" {
  name        = "over-tls"
  environment = "production"
  version     = "1.0.0"
}
`, p.URL, p.OwnerKey, extra)
}

// heredoc spells PEM as an HCL heredoc.
func heredoc(pem []byte) string { return "<<-EOT\n" + strings.TrimSpace(string(pem)) + "\nEOT\n" }

// A plan over TLS, with the CA given by attribute or by environment variable: apply, then an
// empty plan (which refreshes over TLS).
func TestAccProvider_TLS(t *testing.T) {
	ca := testcerts.NewCA(t, "platform CA")
	p := newTLSPlatform(t, ca, nil, ca.Server(t, time.Time{}, time.Time{}))
	caFile := testcerts.WriteFile(t, "ca.pem", ca.PEM)
	cases := []struct {
		name  string
		extra string
		env   string
	}{
		{name: "CA by attribute", extra: "  ca_certificate = " + heredoc(ca.PEM)},
		{name: "CA by environment variable", env: caFile},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvCACertFile, tc.env)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             checkDestroyed("lowcode_application", existsOnPlatform(p.API.GetApplication)),
				Steps: []resource.TestStep{
					{
						Config: p.tlsConfig(tc.extra),
						ConfigStateChecks: []statecheck.StateCheck{
							statecheck.ExpectKnownValue("lowcode_application.tls", tfjsonpath.New("name"), knownvalue.StringExact("over-tls")),
						},
					},
					{
						Config:             p.tlsConfig(tc.extra),
						ConfigPlanChecks:   resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
						ExpectNonEmptyPlan: false,
					},
				},
			})
		})
	}
}

// Client certificates: a platform that requires them refuses the provider without one, at
// configure and with advice, and serves it with one (by attribute or by file).
func TestAccProvider_clientCertificates(t *testing.T) {
	ca := testcerts.NewCA(t, "platform CA")
	clientCA := testcerts.NewCA(t, "client CA")
	p := newTLSPlatform(t, ca, clientCA, ca.Server(t, time.Time{}, time.Time{}))
	t.Setenv(EnvCACertFile, testcerts.WriteFile(t, "ca.pem", ca.PEM))
	leaf := clientCA.Client(t, "terraform")
	t.Run("without", func(t *testing.T) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: p.tlsConfig(""),
				ExpectError: regexp.MustCompile(`(?s)Cannot use the platform.*refused the TLS connection.*it\s+asks\s+for\s+a\s+client\s+certificate\s+its\s+CA\s+signed.*` +
					`Set\s+the\s+provider's\s+.client_certificate.\s+and\s+.client_key.`),
			}},
		})
	})
	t.Run("by attribute", func(t *testing.T) {
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: p.tlsConfig("  client_certificate = " + heredoc(leaf.CertPEM) + "  client_key = " + heredoc(leaf.KeyPEM)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("lowcode_application.tls", tfjsonpath.New("name"), knownvalue.StringExact("over-tls")),
				},
			}},
		})
	})
	t.Run("by file", func(t *testing.T) {
		t.Setenv(EnvClientCertFile, testcerts.WriteFile(t, "cert.pem", leaf.CertPEM))
		t.Setenv(EnvClientKeyFile, testcerts.WriteFile(t, "key.pem", leaf.KeyPEM))
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps:                    []resource.TestStep{{Config: p.tlsConfig("")}},
		})
	})
}

// A wrong CA and an expired certificate each end Configure with exactly one error that says
// what to change (the client's TestVerifyTLSErrors checks that it takes one connection).
func TestProvider_configureTLSErrors(t *testing.T) {
	ca := testcerts.NewCA(t, "platform CA")
	good := newTLSPlatform(t, ca, nil, ca.Server(t, time.Time{}, time.Time{}))
	expired := newTLSPlatform(t, ca, nil, ca.Server(t, time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour)))
	t.Setenv(EnvCACertFile, "")
	cases := []struct {
		name     string
		endpoint string
		ca       []byte
		summary  string
		detail   string
	}{
		{"wrong CA", good.URL, testcerts.NewCA(t, "another CA").PEM, "Cannot use the platform",
			"presented a TLS certificate signed by an authority the provider does not trust (x509: certificate signed by unknown authority)." +
				" Give the certificate of the CA that signed it in the provider's `ca_certificate` setting (or a file named by LOWCODE_CA_CERT_FILE)"},
		{"no CA", good.URL, nil, "Cannot use the platform", "signed by an authority the provider does not trust"},
		{"expired certificate", expired.URL, ca.PEM, "Cannot use the platform",
			"presented a TLS certificate that has expired or is not valid yet (x509: certificate has expired or is not yet valid: current time"},
		{"CA not PEM", good.URL, []byte("ca.pem"), "Invalid CA certificate",
			"the CA certificate holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			diags := configure(t, map[string]tftypes.Value{
				"endpoint":       tftypes.NewValue(tftypes.String, tc.endpoint),
				"api_key":        tftypes.NewValue(tftypes.String, good.OwnerKey),
				"ca_certificate": tftypes.NewValue(tftypes.String, stringOrNil(tc.ca)),
			})
			if diags.ErrorsCount() != 1 || diags.WarningsCount() != 0 {
				t.Fatalf("want exactly one error, got %v", diags)
			}
			d := diags.Errors()[0]
			if d.Summary() != tc.summary || !strings.Contains(d.Detail(), tc.detail) {
				t.Fatalf("got %q: %q\nwant %q: ...%q...", d.Summary(), d.Detail(), tc.summary, tc.detail)
			}
		})
	}
}

func stringOrNil(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// configure runs the provider's Configure with the given attributes (the rest null) and
// returns its diagnostics.
func configure(t *testing.T, attrs map[string]tftypes.Value) diag.Diagnostics {
	t.Helper()
	ctx := context.Background()
	p := New("test")()
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	typ, ok := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatalf("provider schema type is %T, want an object", sresp.Schema.Type().TerraformType(ctx))
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		if v, ok := attrs[name]; ok {
			vals[name] = v
			continue
		}
		vals[name] = tftypes.NewValue(at, nil)
	}
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: sresp.Schema, Raw: tftypes.NewValue(typ, vals)}}, &resp)
	return resp.Diagnostics
}
