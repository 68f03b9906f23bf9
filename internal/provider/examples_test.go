package provider

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/tfcli"
)

// TestExamples proves every example a user may copy from examples/ is formatted and valid:
// `terraform fmt -check` and `terraform validate` against the provider built from this tree
// (through tfcli's dev_overrides, so nothing is downloaded).
func TestExamples(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that need the Terraform CLI (make test does)")
	}
	cli, err := tfcli.Selected()
	if err != nil {
		t.Fatal(err)
	}
	tf := cli.Path
	root := filepath.Join("..", "..", "examples")

	fmtCmd := exec.Command(tf, "fmt", "-check", "-recursive", "-diff", root)
	if out, err := fmtCmd.CombinedOutput(); err != nil {
		t.Fatalf("terraform fmt -check found unformatted examples (run `make fmt`):\n%s", out)
	}

	providerTF, err := os.ReadFile(filepath.Join(root, "provider", "provider.tf"))
	if err != nil {
		t.Fatal(err)
	}

	var dirs []string
	for _, kind := range []string{"resources", "data-sources", "ephemeral-resources", "actions", "list-resources"} {
		matches, _ := filepath.Glob(filepath.Join(root, kind, "*"))
		dirs = append(dirs, matches...)
	}
	dirs = append(dirs, filepath.Join(root, "demo"))
	for _, dir := range dirs {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		t.Run(strings.TrimPrefix(filepath.ToSlash(dir), "../../examples/"), func(t *testing.T) {
			t.Parallel()
			query := strings.Contains(filepath.ToSlash(dir), "/list-resources/")
			if query {
				tfcli.SkipUnless(t, tfcli.ListResources)
			}
			if strings.Contains(filepath.ToSlash(dir), "/actions/") {
				tfcli.SkipUnless(t, tfcli.Actions)
			}
			d := tfcli.New(t)
			work := d.Path
			files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
			queries, _ := filepath.Glob(filepath.Join(dir, "*.tfquery.hcl"))
			files = append(files, queries...)
			if len(files) == 0 {
				t.Fatalf("%s has no .tf or .tfquery.hcl file", dir)
			}
			hasProvider := false
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				hasProvider = hasProvider || strings.Contains(string(b), `provider "lowcode"`)
				if err := os.WriteFile(filepath.Join(work, filepath.Base(f)), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if !hasProvider {
				if err := os.WriteFile(filepath.Join(work, "provider.tf"), providerTF, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"validate", "-no-color"}
			if query {
				args = append(args, "-query")
			}
			if res := d.Run(args...); res.Code != 0 {
				t.Errorf("terraform validate %s failed:\n%s", dir, res)
			}
		})
	}
}
