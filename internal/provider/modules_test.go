package provider

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/gobin"
)

// TestAccModules_teamOnboarding runs the team-onboarding module's own tests, as its authors
// would before publishing it: `terraform test` (or `tofu test`) in a copy of
// examples/modules/team-onboarding, with the provider built from this tree and a fresh
// platform behind LOWCODE_ENDPOINT. Every run of every test file must pass (the integration
// runs apply against the platform, the mock_provider runs need none), and afterwards the
// platform must hold nothing the runs created: `terraform test` destroys what it made. Then
// the module's usage example applies, plans empty and destroys, as a user's first apply would.
// (TestExamples leaves examples/modules to this test: `validate` needs the modules installed.)
func TestAccModules_teamOnboarding(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("set TF_ACC=1 to run tests that need the Terraform CLI (make test does)")
	}
	t.Parallel()
	m := newModuleRun(t, filepath.Join("..", "..", "examples", "modules", "team-onboarding"))
	p := newAccPlatform(t)
	m.env = append(m.env, "LOWCODE_ENDPOINT="+p.URL, "LOWCODE_API_KEY="+p.OwnerKey)

	ctx := context.Background()
	before := auditedCreations(t, p.API)

	// `test` needs the test files' helper modules (tests/verify) installed; `get` installs
	// modules only, so it does not trip over the dev override as `init` would.
	m.must("get", "-no-color")
	m.must("validate", "-no-color")
	start := time.Now()
	res := m.run("test", "-no-color")
	if res.code != 0 {
		t.Fatalf("%s test failed:\n%s", m.name, res)
	}
	wantRuns := m.countRuns()
	passed, failed, skipped := testSummary(t, res.stdout)
	if passed != wantRuns || failed != 0 || skipped != 0 {
		t.Fatalf("%s test: %d passed, %d failed, %d skipped; want all %d runs of %s to pass:\n%s",
			m.name, passed, failed, skipped, wantRuns, strings.Join(m.testFiles, ", "), res)
	}
	for _, f := range m.testFiles {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(filepath.ToSlash(f)) + `\.\.\. pass$`).MatchString(res.stdout) {
			t.Errorf("%s did not pass as a file:\n%s", f, res.stdout)
		}
	}
	t.Logf("%s (%s): %d runs passed in %s", m.name, m.version, passed, time.Since(start).Round(time.Millisecond))

	// The usage example in the module's examples/basic (the README shows the same).
	example := m.in(filepath.Join("examples", "basic"))
	example.env = append(example.env, "TF_VAR_crm_token=crm-test-token")
	example.must("get", "-no-color")
	example.must("apply", "-auto-approve", "-no-color")
	if res := example.run("plan", "-detailed-exitcode", "-no-color"); res.code != 0 {
		t.Errorf("the plan after applying examples/basic is not empty:\n%s", res)
	}
	example.must("destroy", "-auto-approve", "-no-color")

	// What the integration runs made, by the platform's audit log, and that all of it is gone.
	created := map[string][]string{}
	for _, e := range auditedCreationsSince(t, p.API, before) {
		created[e.typ] = append(created[e.typ], e.id)
	}
	for typ, want := range map[string]int{
		"application": 1, "workflow": 1, "webhook": 2, "classification_policy": 2, "user": 3, "role_assignment": 4,
	} {
		if len(created[typ]) < want {
			t.Errorf("the integration runs created %d %s objects, want at least %d (did they run against this platform?)", len(created[typ]), typ, want)
		}
	}
	gets := map[string]func(string) error{
		"application":           func(id string) error { _, err := p.API.GetApplication(ctx, id); return err },
		"workflow":              func(id string) error { _, err := p.API.GetWorkflow(ctx, id); return err },
		"webhook":               func(id string) error { _, err := p.API.GetWebhook(ctx, id); return err },
		"classification_policy": func(id string) error { _, err := p.API.GetClassificationPolicy(ctx, id); return err },
		"user":                  func(id string) error { _, err := p.API.GetUser(ctx, id); return err },
		"role_assignment":       func(id string) error { _, err := p.API.GetRoleAssignment(ctx, id); return err },
	}
	for typ, ids := range created {
		get, ok := gets[typ]
		if !ok {
			t.Errorf("the module created a %s (%v), which this test does not know how to look up", typ, ids)
			continue
		}
		for _, id := range ids {
			switch err := get(id); {
			case err == nil:
				t.Errorf("%s %s is still on the platform after %s test", typ, id, m.name)
			case !errors.Is(err, client.ErrNotFound):
				t.Errorf("looking up %s %s: %v", typ, id, err)
			}
		}
	}
}

// moduleRun is a copy of a module directory and the CLI that terraform-plugin-testing would
// use (TF_ACC_TERRAFORM_PATH, else terraform on PATH), configured to take the provider built
// from this tree.
type moduleRun struct {
	t         *testing.T
	cli       string
	name      string // terraform or tofu
	version   string
	dir       string
	env       []string
	testFiles []string // relative to dir
}

type cliResult struct {
	args           []string
	stdout, stderr string
	code           int
}

func (r cliResult) String() string {
	return fmt.Sprintf("%v exited %d\nstdout:\n%s\nstderr:\n%s", r.args, r.code, r.stdout, r.stderr)
}

func newModuleRun(t *testing.T, src string) *moduleRun {
	t.Helper()
	cli := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if cli == "" {
		var err error
		if cli, err = exec.LookPath("terraform"); err != nil {
			t.Fatal("terraform is not on PATH and TF_ACC_TERRAFORM_PATH is not set")
		}
	}
	tmp := t.TempDir()
	dir := filepath.Join(tmp, filepath.Base(src))
	copyModule(t, src, dir)
	rc := filepath.Join(tmp, "cli.tfrc")
	provider := gobin.Build(t, gobin.Provider)
	if err := os.WriteFile(rc, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "lowcode-platform/lowcode" = %q
  }
  direct {}
}
`, filepath.Dir(provider))), 0o600); err != nil {
		t.Fatal(err)
	}
	m := &moduleRun{t: t, cli: cli, dir: dir,
		env: []string{"TF_CLI_CONFIG_FILE=" + rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_INPUT=0", "NO_COLOR=1"}}
	m.name, m.version = cliIdentity(t, cli, m.env)
	files, _ := filepath.Glob(filepath.Join(dir, "tests", "*.tftest.hcl"))
	if len(files) == 0 {
		t.Fatalf("%s has no tests/*.tftest.hcl", src)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		m.testFiles = append(m.testFiles, rel)
	}
	return m
}

// copyModule copies a module's files, leaving out what a local run may have left in the
// source tree (.terraform, state files).
func copyModule(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		name := d.Name()
		if strings.HasPrefix(name, ".terraform") || strings.HasSuffix(name, ".tfstate") || strings.HasSuffix(name, ".tfstate.backup") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600)
	})
	if err != nil {
		t.Fatalf("copying %s: %v", src, err)
	}
}

// cliIdentity says whether cli is Terraform or OpenTofu, and its version.
func cliIdentity(t *testing.T, cli string, env []string) (name, version string) {
	t.Helper()
	cmd := exec.Command(cli, "version")
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s version: %v", cli, err)
	}
	for line := range strings.Lines(string(out)) {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "OpenTofu "); ok {
			return "tofu", v
		}
		if v, ok := strings.CutPrefix(line, "Terraform "); ok {
			return "terraform", v
		}
	}
	t.Fatalf("%s version names neither Terraform nor OpenTofu:\n%s", cli, out)
	return "", ""
}

// in returns the same CLI set-up working in a subdirectory of the module's copy.
func (m *moduleRun) in(subdir string) *moduleRun {
	c := *m
	c.dir = filepath.Join(m.dir, subdir)
	c.env = slices.Clone(m.env)
	return &c
}

func (m *moduleRun) run(args ...string) cliResult {
	m.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, m.cli, args...)
	cmd.Dir = m.dir
	cmd.Env = append(os.Environ(), m.env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := cliResult{args: append([]string{m.name}, args...), stdout: stdout.String(), stderr: stderr.String()}
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		res.code = exitErr.ExitCode()
	case err != nil:
		m.t.Fatalf("running %s %v: %v", m.name, args, err)
	}
	return res
}

// must runs the CLI and fails the test unless it exits 0.
func (m *moduleRun) must(args ...string) {
	m.t.Helper()
	if res := m.run(args...); res.code != 0 {
		m.t.Fatal(res.String())
	}
}

// countRuns counts the run blocks of the module's test files, the number of passes to expect.
func (m *moduleRun) countRuns() int {
	m.t.Helper()
	n := 0
	for _, f := range m.testFiles {
		b, err := os.ReadFile(filepath.Join(m.dir, f))
		if err != nil {
			m.t.Fatal(err)
		}
		n += len(regexp.MustCompile(`(?m)^run "[^"]+" \{`).FindAll(b, -1))
	}
	return n
}

// testSummary reads the last line of `terraform test` / `tofu test`: "Success! 27 passed, 0
// failed." or "Failure! 1 passed, 1 failed, 2 skipped."
func testSummary(t *testing.T, stdout string) (passed, failed, skipped int) {
	t.Helper()
	match := regexp.MustCompile(`(?m)^(?:Success|Failure)! (\d+) passed, (\d+) failed(?:, (\d+) skipped)?\.`).FindStringSubmatch(stdout)
	if match == nil {
		t.Fatalf("no test summary in the output:\n%s", stdout)
	}
	passed, _ = strconv.Atoi(match[1])
	failed, _ = strconv.Atoi(match[2])
	if match[3] != "" {
		skipped, _ = strconv.Atoi(match[3])
	}
	return passed, failed, skipped
}

type auditedObject struct{ typ, id string }

// auditedCreations lists the objects the platform's audit log says were created, oldest first.
func auditedCreations(t *testing.T, c *client.Client) []auditedObject {
	t.Helper()
	var out []auditedObject
	for e, err := range c.ListAuditEvents(context.Background(), client.AuditEventFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		if e.Action == "create" {
			out = append(out, auditedObject{e.ObjectType, e.ObjectID})
		}
	}
	slices.Reverse(out)
	return out
}

// auditedCreationsSince lists the creations that are not in before.
func auditedCreationsSince(t *testing.T, c *client.Client, before []auditedObject) []auditedObject {
	t.Helper()
	var out []auditedObject
	for _, o := range auditedCreations(t, c) {
		if !slices.Contains(before, o) {
			out = append(out, o)
		}
	}
	return out
}
