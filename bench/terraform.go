package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// The three ways the benchmark manages the same N objects with Terraform.
const (
	variantLowcode = "lowcode"        // terraform-provider-lowcode against the platform server
	variantFloor   = "floor"          // bench/floorprovider: same framework, same attributes, no I/O
	variantData    = "terraform_data" // Terraform's built-in terraform_data
)

var variants = []string{variantLowcode, variantFloor, variantData}

// The measured Terraform commands.
const (
	phaseApply   = "apply"   // terraform apply: create everything
	phasePlan    = "plan"    // terraform plan (with refresh) on the unchanged state: must be empty
	phaseDestroy = "destroy" // terraform destroy
)

var phases = []string{phaseApply, phasePlan, phaseDestroy}

// workload is a set of objects to manage: N applications, or a mix.
type workload struct {
	Name                           string `json:"name"` // "applications", "mixed", or "net-50ms", "tls-50ms"…
	N                              int    `json:"n"`
	Applications, Workflows, Hooks int    `json:"-"`
	// Net: Terraform reaches the platform through a delayProxy that holds each request for
	// Latency, over TLS (to the proxy and from it to the server) when TLS.
	Net     bool          `json:"-"`
	Latency time.Duration `json:"-"`
	TLS     bool          `json:"-"`
}

// netWorkload is n applications across a network of the given latency, plain or over TLS.
func netWorkload(n int, latency time.Duration, tls bool) workload {
	name := fmt.Sprintf("net-%dms", latency.Milliseconds())
	if tls {
		name = fmt.Sprintf("tls-%dms", latency.Milliseconds())
	}
	return workload{Name: name, N: n, Applications: n, Net: true, Latency: latency, TLS: tls}
}

func appsWorkload(n int) workload {
	return workload{Name: "applications", N: n, Applications: n}
}

// mixedWorkload is n objects: a third each of applications, workflows and webhooks, every
// workflow and webhook belonging to one of the applications; without workflows (while the
// provider has no lowcode_workflow), half applications and half webhooks.
func mixedWorkload(n int, workflows bool) workload {
	if !workflows {
		return workload{Name: "mixed", N: n, Applications: n - n/2, Hooks: n / 2}
	}
	w, h := n/3, n/3
	return workload{Name: "mixed", N: n, Applications: n - w - h, Workflows: w, Hooks: h}
}

// resourceTypes lists the resource types of the freshly built lowcode provider
// (terraform providers schema, which does not configure the provider).
func (tb *terraformBench) resourceTypes(ctx context.Context) (map[string]bool, error) {
	dir := filepath.Join(tb.work, "schema")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	cfg := "terraform {\n  required_providers {\n    lowcode = { source = \"lowcode-platform/lowcode\" }\n  }\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, tb.terraform, "providers", "schema", "-json")
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "TF_CLI_CONFIG_FILE="+tb.cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("terraform providers schema: %w", err)
	}
	var doc struct {
		ProviderSchemas map[string]struct {
			ResourceSchemas map[string]json.RawMessage `json:"resource_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return nil, err
	}
	types := map[string]bool{}
	for _, p := range doc.ProviderSchemas {
		for t := range p.ResourceSchemas {
			types[t] = true
		}
	}
	return types, nil
}

// terraformConfig writes the configuration of wl for variant.
func terraformConfig(variant string, wl workload, receiverURL string) string {
	var b strings.Builder
	prefix, header := "", ""
	switch variant {
	case variantLowcode:
		prefix = "lowcode"
		header = "terraform {\n  required_providers {\n    lowcode = { source = \"lowcode-platform/lowcode\" }\n  }\n}\n\n" +
			"# endpoint and api_key come from LOWCODE_ENDPOINT and LOWCODE_API_KEY\nprovider \"lowcode\" {}\n"
	case variantFloor:
		prefix = "floor"
		header = "terraform {\n  required_providers {\n    floor = { source = \"lowcode-bench/floor\" }\n  }\n}\n"
	}
	b.WriteString(header)
	app := func(i string) string { // the attributes of application i
		return fmt.Sprintf(`name        = format("bench-app-%%05d", %[1]s)
    environment = "development"
    version     = "1.0.0"
    description = "benchmark application ${%[1]s}"
    labels      = { bench = "true", index = tostring(%[1]s) }`, i)
	}
	workflow := func(i, appID string) string {
		return fmt.Sprintf(`application_id = %[2]s
    name           = format("bench-wf-%%05d", %[1]s)
    version        = "1.0.0"
    enabled        = true
    trigger        = { type = "event", event_type = "order.created" }
    steps = [
      { name = "check", type = "validate", validate = { expression = "amount > 0", message = "amount must be positive" } },
      { name = "shape", type = "transform", transform = { set = [{ field = "total", expression = "amount * 2" }] } },
      { name = "emit", type = "emit", emit = { event_type = "order.checked" } },
    ]`, i, appID)
	}
	hook := func(i, appID string) string {
		return fmt.Sprintf(`application_id = %[2]s
    event_types    = ["order.created"]
    callback_url   = "%[3]s/hooks/${%[1]s}"
    active         = true
    description    = "benchmark webhook ${%[1]s}"`, i, appID, receiverURL)
	}
	if variant == variantData {
		fmt.Fprintf(&b, "\nresource \"terraform_data\" \"app\" {\n  count = %d\n  input = {\n    %s\n  }\n}\n", wl.Applications, app("count.index"))
		if wl.Workflows > 0 {
			fmt.Fprintf(&b, "\nresource \"terraform_data\" \"wf\" {\n  count = %d\n  input = {\n    %s\n  }\n}\n", wl.Workflows,
				workflow("count.index", fmt.Sprintf("terraform_data.app[count.index %% %d].id", wl.Applications)))
		}
		if wl.Hooks > 0 {
			fmt.Fprintf(&b, "\nresource \"terraform_data\" \"hook\" {\n  count = %d\n  input = {\n    %s\n  }\n}\n", wl.Hooks,
				hook("count.index", fmt.Sprintf("terraform_data.app[count.index %% %d].id", wl.Applications)))
		}
		return b.String()
	}
	fmt.Fprintf(&b, "\nresource \"%s_application\" \"app\" {\n  count = %d\n\n    %s\n}\n", prefix, wl.Applications, app("count.index"))
	if wl.Workflows > 0 {
		fmt.Fprintf(&b, "\nresource \"%s_workflow\" \"wf\" {\n  count = %d\n\n    %s\n}\n", prefix, wl.Workflows,
			workflow("count.index", fmt.Sprintf("%s_application.app[count.index %% %d].id", prefix, wl.Applications)))
	}
	if wl.Hooks > 0 {
		fmt.Fprintf(&b, "\nresource \"%s_webhook\" \"hook\" {\n  count = %d\n\n    %s\n}\n", prefix, wl.Hooks,
			hook("count.index", fmt.Sprintf("%s_application.app[count.index %% %d].id", prefix, wl.Applications)))
	}
	return b.String()
}

// tfRun is one measured Terraform command.
type tfRun struct {
	Workload string `json:"workload"`
	N        int    `json:"n"`
	Variant  string `json:"variant"`
	Phase    string `json:"phase"`
	Run      int    `json:"run"`
	// WallSeconds is the wall time of the command.
	WallSeconds float64 `json:"wall_seconds"`
	// TerraformCPUSeconds is the CPU time of terraform and every plugin it ran (rusage).
	TerraformCPUSeconds float64 `json:"terraform_cpu_seconds"`
	// ProviderCPUSeconds is the CPU time of the provider plugin processes, polled (see proc.go);
	// 0 for terraform_data, which runs inside terraform.
	ProviderCPUSeconds float64 `json:"provider_cpu_seconds"`
	// ProviderPeakRSSKiB is the highest VmHWM of any provider plugin process of the command.
	ProviderPeakRSSKiB int64 `json:"provider_peak_rss_kib"`
	ProviderInstances  int   `json:"provider_instances"`
	// TerraformPeakRSSKiB is terraform's own peak RSS (rusage of the terraform process, which
	// Linux reports as the larger of terraform and its largest waited-for child).
	TerraformPeakRSSKiB int64 `json:"terraform_peak_rss_kib"`
	// ServerCPUSeconds and ServerPeakRSSKiB are the platform server's during the command (its
	// VmHWM is reset before each command); 0 for the variants that do not use it.
	ServerCPUSeconds float64 `json:"server_cpu_seconds"`
	ServerPeakRSSKiB int64   `json:"server_peak_rss_kib"`
	// Requests is how many requests the command sent through the latency scenario's proxy (0
	// elsewhere): the round trips that latency multiplies.
	Requests int64 `json:"requests,omitempty"`
	// LoadAverage is the 1-minute load average when the command finished: other work on the
	// machine shows up here.
	LoadAverage float64 `json:"load_average"`
}

// terraformBench runs the Terraform part for the workloads and records every command.
type terraformBench struct {
	terraform, bin, work string
	certs                *benchCerts // for the TLS workloads
	netPlans             int         // plans per run of a network workload
	cliConfig            string
	receiverURL          string
	plan                 func(wl workload) runPlan
	log                  func(format string, args ...any)
}

// runPlan says what to measure of one workload. Terraform's own cost grows faster than N
// (see BENCHMARKS.md), so the full run cannot afford every command of every variant three
// times at N = 1,000 and 5,000: the later runs skip what the plan leaves out and start from an
// empty state and a fresh database instead of a measured destroy.
type runPlan struct {
	runs        int             // runs of apply and plan
	destroyRuns int             // the first destroyRuns runs also measure destroy
	variants    []string        // the variants measured in every run
	onceVariant map[string]bool // variants measured in the first run only
}

func (p runPlan) measures(run int, variant, phase string) bool {
	if p.onceVariant[variant] {
		return run == 1
	}
	if !slices.Contains(p.variants, variant) {
		return false
	}
	return phase != phaseDestroy || run <= p.destroyRuns
}

// runWorkload measures wl: a platform server on a fresh SQLite database, then for each run
// every variant in turn (so that whatever else the machine does hits them alike) applies,
// plans and destroys as the plan says. A run that does not measure destroy is followed by a
// reset: the state files are removed and the next run gets a new server on a new database.
func (tb *terraformBench) runWorkload(ctx context.Context, wl workload) ([]tfRun, error) {
	dir := filepath.Join(tb.work, fmt.Sprintf("%s-%d", wl.Name, wl.N))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, v := range variants {
		vdir := filepath.Join(dir, v)
		if err := os.MkdirAll(vdir, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(vdir, "main.tf"), []byte(terraformConfig(v, wl, tb.receiverURL)), 0o644); err != nil {
			return nil, err
		}
	}
	plan := tb.plan(wl)
	if wl.Net {
		return tb.runNet(ctx, wl, dir, plan.runs)
	}
	var out []tfRun
	var platform *platformProcess
	defer func() {
		if platform != nil {
			platform.stop()
		}
	}()
	for run := 1; run <= plan.runs; run++ {
		if platform == nil {
			var err error
			if platform, err = tb.startPlatform(ctx, wl, dir, run); err != nil {
				return out, err
			}
		}
		cc := client.Config{Endpoint: platform.url, APIKey: platform.apiKey}
		if platform.certs != nil {
			cc.CACertificate = platform.certs.caPEM
		}
		c, err := client.New(cc)
		if err != nil {
			return out, err
		}
		reset := false
		for _, v := range variants {
			if !plan.measures(run, v, phaseApply) {
				continue
			}
			for _, ph := range phases {
				if !plan.measures(run, v, ph) {
					reset = true
					if err := os.Remove(filepath.Join(dir, v, "terraform.tfstate")); err != nil {
						return out, err
					}
					_ = os.Remove(filepath.Join(dir, v, "terraform.tfstate.backup"))
					continue
				}
				r, err := tb.command(ctx, platform, filepath.Join(dir, v), v, ph)
				if err != nil {
					return out, fmt.Errorf("%s N=%d %s %s (run %d): %w", wl.Name, wl.N, v, ph, run, err)
				}
				r.Workload, r.N, r.Run = wl.Name, wl.N, run
				out = append(out, r)
				tb.log("%-12s N=%-5d run %d/%d %-14s %-7s %8.2f s  provider %6.1f MiB  server %6.1f MiB  load %.1f",
					wl.Name, wl.N, run, plan.runs, v, ph, r.WallSeconds, float64(r.ProviderPeakRSSKiB)/1024,
					float64(r.ServerPeakRSSKiB)/1024, r.LoadAverage)
				if v == variantLowcode && ph != phasePlan {
					if err := checkServerCount(ctx, c, wl, ph); err != nil {
						return out, err
					}
				}
			}
		}
		if reset {
			platform.stop()
			platform = nil
		}
	}
	return out, nil
}

// runNet measures a network workload: in each run, on a fresh database, lowcode and the floor
// apply, then plan netPlans times, lowcode and floor in turn, so that the plans the ratio
// compares run side by side.
func (tb *terraformBench) runNet(ctx context.Context, wl workload, dir string, runs int) ([]tfRun, error) {
	var out []tfRun
	measure := func(platform *platformProcess, run, of int, v, ph string) error {
		r, err := tb.command(ctx, platform, filepath.Join(dir, v), v, ph)
		if err != nil {
			return fmt.Errorf("%s N=%d %s %s (run %d): %w", wl.Name, wl.N, v, ph, run, err)
		}
		r.Workload, r.N, r.Run = wl.Name, wl.N, run
		out = append(out, r)
		requests := ""
		if v == variantLowcode {
			requests = fmt.Sprintf("  %d requests", r.Requests)
		}
		tb.log("%-12s N=%-5d run %d/%d %-14s %-7s %8.2f s  provider %6.1f MiB  server %6.1f MiB  load %.1f%s",
			wl.Name, wl.N, run, of, v, ph, r.WallSeconds, float64(r.ProviderPeakRSSKiB)/1024,
			float64(r.ServerPeakRSSKiB)/1024, r.LoadAverage, requests)
		return nil
	}
	variants := []string{variantLowcode, variantFloor}
	for run := 1; run <= runs; run++ {
		platform, err := tb.startPlatform(ctx, wl, dir, run)
		if err != nil {
			return out, err
		}
		err = func() error {
			defer platform.stop()
			for _, v := range variants {
				_ = os.Remove(filepath.Join(dir, v, "terraform.tfstate"))
				if err := measure(platform, run, runs, v, phaseApply); err != nil {
					return err
				}
			}
			for i := 1; i <= tb.netPlans; i++ {
				for _, v := range variants {
					if err := measure(platform, (run-1)*tb.netPlans+i, runs*tb.netPlans, v, phasePlan); err != nil {
						return err
					}
				}
			}
			return nil
		}()
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// startPlatform starts the platform for a run of wl on a fresh database: over TLS and behind
// a delayProxy for the network workloads.
func (tb *terraformBench) startPlatform(ctx context.Context, wl workload, dir string, run int) (*platformProcess, error) {
	var certs *benchCerts
	if wl.TLS {
		certs = tb.certs
	}
	p, err := startPlatformTLS(ctx, tb.bin, dir, "sqlite://"+filepath.Join(dir, fmt.Sprintf("platform-%d.db", run)), certs)
	if err != nil || !wl.Net {
		return p, err
	}
	if p.proxy, err = startDelayProxy(p.url, certs, wl.Latency); err != nil {
		p.stop()
		return nil, err
	}
	return p, nil
}

// checkServerCount makes sure the platform holds what Terraform says it does: every object
// after apply, none after destroy.
func checkServerCount(ctx context.Context, c *client.Client, wl workload, phase string) error {
	want := wl.Applications
	if phase == phaseDestroy {
		want = 0
	}
	got := 0
	for _, err := range c.ListApplications(ctx, client.ApplicationFilter{PageSize: 100}) {
		if err != nil {
			return err
		}
		got++
	}
	if got != want {
		return fmt.Errorf("after %s the platform holds %d applications, want %d", phase, got, want)
	}
	return nil
}

func (tb *terraformBench) command(ctx context.Context, platform *platformProcess, dir, variant, phase string) (tfRun, error) {
	var args []string
	switch phase {
	case phaseApply:
		args = []string{"apply", "-auto-approve", "-input=false", "-no-color"}
	case phasePlan:
		args = []string{"plan", "-input=false", "-no-color", "-detailed-exitcode"}
	case phaseDestroy:
		args = []string{"destroy", "-auto-approve", "-input=false", "-no-color"}
	}
	logFile, err := os.Create(filepath.Join(dir, phase+".log"))
	if err != nil {
		return tfRun{}, err
	}
	defer logFile.Close()
	cmd := exec.CommandContext(ctx, tb.terraform, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(),
		"TF_CLI_CONFIG_FILE="+tb.cliConfig, // never the user's own CLI configuration
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"LOWCODE_ENDPOINT="+platform.endpoint(), "LOWCODE_API_KEY="+platform.apiKey)
	if platform.certs != nil {
		cmd.Env = append(cmd.Env, "LOWCODE_CA_CERT_FILE="+platform.certs.caFile)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}

	usesServer := variant == variantLowcode
	resetPeakRSS(platform.pid())
	serverCPU := cpuTime(platform.pid())
	var requestsBefore int64
	if platform.proxy != nil {
		requestsBefore = platform.proxy.requests.Load()
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return tfRun{}, err
	}
	var watch *childWatcher
	if variant != variantData {
		watch = watchChildren(cmd.Process.Pid, "terraform-provider-"+map[string]string{variantLowcode: "lowcode", variantFloor: "floor"}[variant], 100*time.Millisecond)
	}
	err = cmd.Wait()
	wall := time.Since(start)
	r := tfRun{Variant: variant, Phase: phase, WallSeconds: wall.Seconds(), LoadAverage: loadAverage()}
	if platform.proxy != nil {
		r.Requests = platform.proxy.requests.Load() - requestsBefore
	}
	if watch != nil {
		peak, cpu, instances := watch.finish()
		r.ProviderPeakRSSKiB, r.ProviderCPUSeconds, r.ProviderInstances = peak, cpu.Seconds(), instances
	}
	if st := cmd.ProcessState; st != nil {
		r.TerraformCPUSeconds = (st.UserTime() + st.SystemTime()).Seconds()
		if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
			r.TerraformPeakRSSKiB = ru.Maxrss
		}
	}
	if usesServer {
		r.ServerCPUSeconds = (cpuTime(platform.pid()) - serverCPU).Seconds()
		r.ServerPeakRSSKiB = peakRSSKiB(platform.pid())
	}
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) && phase == phasePlan && exitErr.ExitCode() == 2 {
			return r, fmt.Errorf("the plan on the unchanged state is not empty (see %s)", logFile.Name())
		}
		return r, fmt.Errorf("terraform %s: %w (see %s)", phase, err, logFile.Name())
	}
	return r, nil
}

// loadAverage is the 1-minute load average.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	var l float64
	_, _ = fmt.Sscanf(string(b), "%f", &l)
	return l
}

func (tb *terraformBench) writeCLIConfig() error {
	tb.cliConfig = filepath.Join(tb.work, "terraformrc")
	return os.WriteFile(tb.cliConfig, []byte(fmt.Sprintf(`# Written by the benchmark; the user's own CLI configuration is never read.
provider_installation {
  dev_overrides {
    "lowcode-platform/lowcode" = %q
    "lowcode-bench/floor"      = %q
  }
  direct {}
}
`, tb.bin, tb.bin)), 0o600)
}
