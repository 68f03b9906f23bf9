package tfcli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// CLI is the Terraform-compatible CLI the tests run, chosen as terraform-plugin-testing chooses
// it: TF_ACC_TERRAFORM_PATH when set, else terraform on PATH.
type CLI struct {
	// Path is the binary.
	Path string
	// OpenTofu is true for OpenTofu, whose version numbers do not say what Terraform's do.
	OpenTofu bool
	// Version is the CLI's own version (OpenTofu 1.12 is not Terraform 1.12).
	Version *version.Version
}

// String names the CLI and its version, as the matrix summary prints it: "OpenTofu 1.12.6".
func (c CLI) String() string {
	if c.OpenTofu {
		return "OpenTofu " + c.Version.String()
	}
	return "Terraform " + c.Version.String()
}

// Feature is something a provider offers that only some CLIs know how to use.
type Feature int

// The features the tests depend on.
const (
	// EphemeralResources: ephemeral blocks (Terraform 1.10, OpenTofu 1.11).
	EphemeralResources Feature = iota
	// WriteOnlyAttributes: *_wo arguments kept out of plan and state (Terraform 1.11, OpenTofu 1.11).
	WriteOnlyAttributes
	// ResourceIdentity: import blocks by identity (Terraform 1.12, OpenTofu 1.12).
	ResourceIdentity
	// ListResources: list blocks and `terraform query` (Terraform 1.14; not in OpenTofu).
	ListResources
	// Actions: action blocks and action_trigger (Terraform 1.14; not in OpenTofu).
	Actions
)

var featureNames = map[Feature]string{
	EphemeralResources:  "ephemeral resources",
	WriteOnlyAttributes: "write-only attributes",
	ResourceIdentity:    "resource identity",
	ListResources:       "list resources",
	Actions:             "actions",
}

func (f Feature) String() string { return featureNames[f] }

// minimum is the first version of each CLI with the feature; a feature missing from the map
// is one the CLI does not have in any version.
var minimum = map[bool]map[Feature]*version.Version{
	false: { // Terraform
		EphemeralResources:  version.Must(version.NewVersion("1.10.0")),
		WriteOnlyAttributes: version.Must(version.NewVersion("1.11.0")),
		ResourceIdentity:    version.Must(version.NewVersion("1.12.0")),
		ListResources:       version.Must(version.NewVersion("1.14.0")),
		Actions:             version.Must(version.NewVersion("1.14.0")),
	},
	true: { // OpenTofu
		EphemeralResources:  version.Must(version.NewVersion("1.11.0")),
		WriteOnlyAttributes: version.Must(version.NewVersion("1.11.0")),
		ResourceIdentity:    version.Must(version.NewVersion("1.12.0")),
	},
}

// Supports says whether the CLI has f and, when it does not, why, in a sentence for t.Skip.
func (c CLI) Supports(f Feature) (bool, string) {
	lowest, ok := minimum[c.OpenTofu][f]
	if !ok {
		return false, fmt.Sprintf("%s has no %s in any version", c.name(), f)
	}
	if c.Version.Core().LessThan(lowest) {
		return false, fmt.Sprintf("%s needs %s %s; this CLI is %s", f, c.name(), lowest, c)
	}
	return true, ""
}

func (c CLI) name() string {
	if c.OpenTofu {
		return "OpenTofu"
	}
	return "Terraform"
}

// Selected finds and identifies the CLI once per test binary.
var Selected = sync.OnceValues(func() (CLI, error) {
	path := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if path == "" {
		var err error
		if path, err = exec.LookPath("terraform"); err != nil {
			return CLI{}, errors.New("terraform is not on PATH and TF_ACC_TERRAFORM_PATH is not set")
		}
	}
	return identify(path)
})

// identify asks the binary for its version: `version -json` for the number, the text of
// `version` for the name, since OpenTofu's JSON still calls it terraform_version.
func identify(path string) (CLI, error) {
	run := func(args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, path, args...)
		cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("%s %v: %w: %s", path, args, err, stderr.Bytes())
		}
		return out, nil
	}
	out, err := run("version", "-json")
	if err != nil {
		return CLI{}, err
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	// OpenTofu prints warnings (an unreadable CLI configuration, say) before the JSON on stdout.
	if i := bytes.IndexByte(out, '{'); i > 0 {
		out = out[i:]
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return CLI{}, fmt.Errorf("%s version -json: %w", path, err)
	}
	ver, err := version.NewVersion(v.Version)
	if err != nil {
		return CLI{}, fmt.Errorf("%s version -json: %w", path, err)
	}
	text, err := run("version")
	if err != nil {
		return CLI{}, err
	}
	return CLI{Path: path, OpenTofu: bytes.Contains(text, []byte("OpenTofu")), Version: ver}, nil
}

// SkipUnless skips t unless the selected CLI has f. Tests that run the CLI through tfcli call
// it; acceptance tests use SkipUnlessSupported in TerraformVersionChecks.
func SkipUnless(t testing.TB, f Feature) {
	t.Helper()
	cli, err := Selected()
	if err != nil {
		t.Fatal(err)
	}
	if ok, why := cli.Supports(f); !ok {
		t.Skip(why)
	}
}

// SkipUnlessSupported is a TerraformVersionCheck that skips an acceptance test unless the CLI
// has every feature given. It looks at which CLI it is, not only at the version number:
// OpenTofu 1.14 would pass a SkipBelow(1.14) and still have no actions.
func SkipUnlessSupported(features ...Feature) tfversion.TerraformVersionCheck {
	return supportCheck(features)
}

type supportCheck []Feature

// CheckTerraformVersion satisfies tfversion.TerraformVersionCheck.
func (s supportCheck) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	cli, err := Selected()
	if err != nil {
		resp.Error = err
		return
	}
	if req.TerraformVersion != nil && !req.TerraformVersion.Equal(cli.Version) {
		resp.Error = fmt.Errorf("the test framework runs a CLI at version %s but %s is %s; set TF_ACC_TERRAFORM_PATH to the CLI to test",
			req.TerraformVersion, cli.Path, cli.Version)
		return
	}
	for _, f := range s {
		if ok, why := cli.Supports(f); !ok {
			resp.Skip = why
			return
		}
	}
}
