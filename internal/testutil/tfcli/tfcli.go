// Package tfcli runs the real Terraform CLI against the freshly built provider binary (through
// dev_overrides, as `make demo` does), for tests that need what the acceptance-test framework
// hides: an apply that may fail or succeed, a saved plan file, TF_LOG output, the state file.
package tfcli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/gobin"
)

// Dir is a Terraform working directory.
type Dir struct {
	// Path is the working directory; main.tf and terraform.tfstate live there.
	Path string
	// Env is added to every command's environment (TF_LOG, TF_VAR_…).
	Env []string

	t       testing.TB
	tf      string
	rcPath  string
	timeout time.Duration
}

// Result is one command's outcome.
type Result struct {
	Args           []string
	Stdout, Stderr string
	Code           int
}

func (r Result) String() string {
	return fmt.Sprintf("terraform %v exited %d\nstdout:\n%s\nstderr:\n%s", r.Args, r.Code, r.Stdout, r.Stderr)
}

// New builds the provider (once per test binary) and returns a working directory whose
// CLI configuration points lowcode-platform/lowcode at it. It runs the CLI Selected picks
// (TF_ACC_TERRAFORM_PATH, else terraform on PATH) and skips the test if there is none.
func New(t testing.TB) *Dir {
	t.Helper()
	cli, err := Selected()
	if err != nil {
		t.Skip(err.Error())
	}
	tf := cli.Path
	bin := gobin.Build(t, gobin.Provider)
	dir := t.TempDir()
	rc := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "lowcode-platform/lowcode" = %q
  }
  direct {}
}
`, filepath.Dir(bin))), 0o600); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	return &Dir{Path: work, t: t, tf: tf, rcPath: rc, timeout: 5 * time.Minute}
}

// Write writes main.tf, with the required_providers block the dev override needs.
func (d *Dir) Write(body string) {
	d.t.Helper()
	src := `terraform {
  required_providers {
    lowcode = { source = "lowcode-platform/lowcode" }
  }
}
` + body
	if err := os.WriteFile(filepath.Join(d.Path, "main.tf"), []byte(src), 0o644); err != nil {
		d.t.Fatal(err)
	}
}

// Run runs terraform with args and returns its outcome; a non-zero exit is not an error.
func (d *Dir) Run(args ...string) Result {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.tf, args...)
	cmd.Dir = d.Path
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+d.rcPath, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"TF_INPUT=0", "NO_COLOR=1")
	cmd.Env = append(cmd.Env, d.Env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := Result{Args: args, Stdout: stdout.String(), Stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.Code = exitErr.ExitCode()
	case err != nil:
		d.t.Fatalf("running terraform %v: %v", args, err)
	}
	return res
}

// Must runs terraform and fails the test unless it exits 0.
func (d *Dir) Must(args ...string) Result {
	d.t.Helper()
	res := d.Run(args...)
	if res.Code != 0 {
		d.t.Fatal(res.String())
	}
	return res
}

// Apply runs `terraform apply -auto-approve` with the given extra flags.
func (d *Dir) Apply(extra ...string) Result {
	d.t.Helper()
	return d.Run(append([]string{"apply", "-auto-approve", "-no-color"}, extra...)...)
}

// RequireEmptyPlan fails the test unless `terraform plan -detailed-exitcode` finds nothing to do.
func (d *Dir) RequireEmptyPlan() {
	d.t.Helper()
	if res := d.Run("plan", "-detailed-exitcode", "-no-color"); res.Code != 0 {
		d.t.Fatalf("the plan is not empty:\n%s", res)
	}
}
