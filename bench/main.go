// Command bench is `make bench` and `make bench-quick`: what Terraform costs per resource with
// terraform-provider-lowcode against a local platform server, compared with a provider that
// does no I/O (bench/floorprovider) and with the built-in terraform_data; the platform's
// throughput and latency under load from vegeta on SQLite and PostgreSQL; and the workflow
// runtime's executions and webhook deliveries per second. It prints tables, writes JSON, a
// Markdown summary and an SVG plot under bench/results/, and reports the targets as
// met or missed. It is a benchmark, not a test: a slow machine gives slow figures, not a
// failure; it exits non-zero only when something does not work.
//
// bench/ is its own Go module (vegeta and the plotting libraries stay out of the provider's
// go.mod); make builds it into bin/ and runs it from the repository root:
//
//	make bench                # the full run (~35 minutes on 2 cores)
//	make bench-quick          # the same code at small N, for CI (under 2 minutes)
//	make bench BENCH_ARGS=-h  # every knob
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	quick        bool
	results      string
	ns           []int
	mixedN       int
	runs         int
	runsLarge    int
	largeN       int
	destroyRuns  int
	dataRuns     int
	largeVars    []string
	largeDestroy bool
	parts        map[string]bool
	loadDuration time.Duration
	rates        []int
	saturation   int
	seed         int
	runtimeFor   time.Duration
	keep         bool
	databases    []string
	profileDir   string
	latencies    []time.Duration
	latencyN     int
	latencyRuns  int
	latencyPlans int
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func main() {
	var o options
	var ns, rates, parts, latencies string
	flag.BoolVar(&o.quick, "quick", false, "small N, one run, short load scenarios: proves the benchmark works (CI)")
	flag.StringVar(&o.results, "results", "", "where to write the results (default bench/results, or bench/results/quick with -quick)")
	flag.StringVar(&ns, "n", "", "the numbers of lowcode_application resources (default 10,100,1000,5000; quick: 10,50)")
	flag.IntVar(&o.mixedN, "mixed", -1, "N of the mixed set of applications, workflows and webhooks; 0 skips it (default 1000; quick: 30)")
	flag.IntVar(&o.runs, "runs", 0, "runs per N, of which the median is reported (default 3; quick: 1)")
	flag.IntVar(&o.largeN, "large-n", 5000, "from this N on, -runs-large runs instead of -runs")
	flag.IntVar(&o.runsLarge, "runs-large", 0, "runs at N >= -large-n (default 1: see BENCHMARKS.md)")
	flag.IntVar(&o.destroyRuns, "destroy-runs", 1, "how many of the runs at N >= 1000 also measure destroy (the others reset to an empty state)")
	flag.IntVar(&o.dataRuns, "data-runs", 1, "runs of terraform_data at N >= 1000: 0, 1 or all (it only shows Terraform's own cost)")
	var largeVars string
	flag.StringVar(&largeVars, "large-variants", "lowcode,floor", "variants measured at N >= -large-n")
	flag.BoolVar(&o.largeDestroy, "large-destroy", false, "measure destroy at N >= -large-n too (slow: Terraform's destroy is superlinear in N)")
	flag.StringVar(&parts, "parts", "terraform,latency,load,runtime,neighbour", "which parts to run")
	flag.StringVar(&latencies, "latencies", "", "milliseconds the latency scenario's proxy holds each request, plain and over TLS (default 0,20,50,100; quick: 50)")
	flag.IntVar(&o.latencyN, "latency-n", 0, "N of the latency scenario (default 1000; quick: 30)")
	flag.IntVar(&o.latencyRuns, "latency-runs", 1, "runs (apply on a fresh database) of each latency")
	flag.IntVar(&o.latencyPlans, "latency-plans", 0, "plans per run of each latency, lowcode and floor in turn; the median is reported (default 3; quick: 1)")
	flag.DurationVar(&o.loadDuration, "load-duration", 0, "duration of each load scenario (default 10s; quick: 2s)")
	flag.StringVar(&rates, "rates", "", "fixed request rates per second of the load scenarios (default 100,500,1000; quick: 100)")
	flag.IntVar(&o.saturation, "saturation", 16, "concurrent clients of the saturation scenarios")
	flag.IntVar(&o.seed, "seed", 0, "applications created before the load scenarios (default 1000; quick: 200)")
	flag.DurationVar(&o.runtimeFor, "runtime-duration", 0, "duration of each runtime scenario (default 10s; quick: 2s)")
	var dbs string
	flag.StringVar(&dbs, "databases", "sqlite,postgres", "databases of the load part")
	flag.StringVar(&o.profileDir, "profile-dir", "", "start the servers with --pprof-listen and save a CPU profile of each load scenario here")
	flag.BoolVar(&o.keep, "keep", false, "keep the working directory (Terraform logs, platform logs)")
	var compareBase string
	var compareRounds int
	flag.StringVar(&compareBase, "compare-base", "", "instead of the benchmark: the runtime part's saturation figures of the platform of another checkout, this directory (make bench-compare BASE=rev makes one), and of this one, alternately")
	flag.IntVar(&compareRounds, "compare-rounds", 5, "rounds of -compare-base (about 3 minutes each)")
	flag.Parse()
	if compareBase != "" {
		d := o.runtimeFor
		if d == 0 {
			d = 5 * time.Second
		}
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := compareRuntime(ctx, compareBase, compareRounds, d, o.results); err != nil {
			fatal(err)
		}
		return
	}

	def := func(full, quick string) string {
		if o.quick {
			return quick
		}
		return full
	}
	var err error
	if ns == "" {
		ns = def("10,100,1000,5000", "10,30")
	}
	if o.ns, err = parseInts(ns); err != nil {
		fatal(err)
	}
	if latencies == "" {
		latencies = def("0,20,50,100", "50")
	}
	ms, err := parseInts(latencies)
	if err != nil {
		fatal(err)
	}
	for _, m := range ms {
		o.latencies = append(o.latencies, time.Duration(m)*time.Millisecond)
	}
	if o.latencyPlans == 0 {
		o.latencyPlans = map[bool]int{false: 3, true: 1}[o.quick]
	}
	if o.latencyN == 0 {
		o.latencyN = map[bool]int{false: 1000, true: 30}[o.quick]
	}
	if rates == "" {
		rates = def("100,500,1000", "100")
	}
	if o.rates, err = parseInts(rates); err != nil {
		fatal(err)
	}
	if o.mixedN < 0 {
		o.mixedN = map[bool]int{false: 1000, true: 30}[o.quick]
	}
	if o.runs == 0 {
		o.runs = map[bool]int{false: 3, true: 1}[o.quick]
	}
	if o.runsLarge == 0 {
		o.runsLarge = 1
	}
	if o.loadDuration == 0 {
		o.loadDuration = map[bool]time.Duration{false: 10 * time.Second, true: time.Second}[o.quick]
	}
	if o.runtimeFor == 0 {
		o.runtimeFor = map[bool]time.Duration{false: 10 * time.Second, true: time.Second}[o.quick]
	}
	if o.seed == 0 {
		o.seed = map[bool]int{false: 1000, true: 200}[o.quick]
	}
	if o.results == "" {
		o.results = def(filepath.Join("bench", "results"), filepath.Join("bench", "results", "quick"))
	}
	o.largeVars = strings.Split(largeVars, ",")
	o.databases = strings.Split(dbs, ",")
	o.parts = map[string]bool{}
	for _, p := range strings.Split(parts, ",") {
		o.parts[strings.TrimSpace(p)] = true
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fatal(err)
	}
}

// runPlan is what the options say to measure of wl; see runPlan in terraform.go.
func (o options) runPlan(wl workload) runPlan {
	p := runPlan{runs: o.runs, destroyRuns: o.runs, variants: variants}
	switch {
	case wl.Net:
		// Apply and plan only, lowcode and the floor; a fresh database for each run.
		p.runs, p.destroyRuns, p.variants = o.latencyRuns, 0, []string{variantLowcode, variantFloor}
	case wl.N >= o.largeN:
		p.runs, p.variants = o.runsLarge, o.largeVars
		p.destroyRuns = map[bool]int{true: o.runsLarge, false: 0}[o.largeDestroy]
	case wl.Name == "mixed":
		p.runs, p.destroyRuns = 1, 1
	case wl.N >= 1000:
		p.destroyRuns = o.destroyRuns
		if o.dataRuns < o.runs {
			p.variants = []string{variantLowcode, variantFloor}
			if o.dataRuns > 0 {
				p.onceVariant = map[string]bool{variantData: true}
			}
		}
	}
	return p
}

func latencyMs(ds []time.Duration) []int64 {
	var ms []int64
	for _, d := range ds {
		ms = append(ms, d.Milliseconds())
	}
	return ms
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}

func logf(format string, args ...any) {
	fmt.Printf("%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// report is the machine-readable result, written as JSON.
type report struct {
	Command   string         `json:"command"`
	Quick     bool           `json:"quick"`
	Started   time.Time      `json:"started"`
	Seconds   float64        `json:"seconds"`
	Machine   machine        `json:"machine"`
	Settings  map[string]any `json:"settings"`
	Targets   []target       `json:"targets"`
	Terraform struct {
		Summary []tfSummary `json:"summary"`
		Runs    []tfRun     `json:"runs"`
		Errors  []string    `json:"errors,omitempty"`
	} `json:"terraform"`
	Load    []loadResult   `json:"load"`
	Runtime *runtimeReport `json:"runtime,omitempty"`
	// Neighbour is the noisy-neighbour scenario (part neighbour).
	Neighbour *neighbourResult `json:"neighbour,omitempty"`
	Errors    []string         `json:"errors,omitempty"`
	Notes     []string         `json:"notes,omitempty"`
}

type machine struct {
	Cores       int     `json:"cores"`
	MemoryGiB   float64 `json:"memory_gib"`
	CPU         string  `json:"cpu"`
	Kernel      string  `json:"kernel"`
	Go          string  `json:"go"`
	Terraform   string  `json:"terraform"`
	Postgres    string  `json:"postgres,omitempty"`
	LoadAtStart float64 `json:"load_average_at_start"`
}

func describeMachine(tf string) machine {
	m := machine{Cores: runtime.NumCPU(), Go: runtime.Version(), LoadAtStart: loadAverage()}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "MemTotal:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				m.MemoryGiB = float64(int(kb/1024/1024*10+0.5)) / 10
			}
		}
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	if out, err := exec.Command(tf, "version").Output(); err == nil {
		m.Terraform = strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	if d := findPGBin(); d != "" {
		if out, err := exec.Command(filepath.Join(d, "postgres"), "--version").Output(); err == nil {
			m.Postgres = strings.TrimSpace(string(out))
		}
	}
	return m
}

func run(ctx context.Context, o options) error {
	start := time.Now()
	if _, err := os.Stat(filepath.Join("bench", "floorprovider", "main.go")); err != nil {
		return errors.New("run the benchmark from the repository root (make bench)")
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("terraform is not on PATH; install Terraform 1.11 or newer")
	}
	work, err := os.MkdirTemp("", "lowcode-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		defer logf("working directory kept: %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	if err := os.MkdirAll(o.results, 0o755); err != nil {
		return err
	}

	rep := &report{Started: start.UTC(), Quick: o.quick, Machine: describeMachine(tf)}
	rep.Command = "make bench"
	if o.quick {
		rep.Command = "make bench-quick"
	}
	if len(os.Args) > 1 {
		rep.Command += "   (bench " + strings.Join(os.Args[1:], " ") + ")"
	}
	rep.Settings = map[string]any{"n": o.ns, "mixed_n": o.mixedN, "runs": o.runs, "runs_at_large_n": o.runsLarge,
		"large_n": o.largeN, "terraform_parallelism": 10, "load_seconds": o.loadDuration.Seconds(), "rates": o.rates,
		"saturation_clients": o.saturation, "seeded_applications": o.seed, "runtime_seconds": o.runtimeFor.Seconds(),
		"latency_ms": latencyMs(o.latencies), "latency_n": o.latencyN, "latency_runs": o.latencyRuns,
		"latency_plans_per_run": o.latencyPlans}
	logf("machine: %d cores, %.1f GiB, %s; %s; %s; load average %.2f", rep.Machine.Cores, rep.Machine.MemoryGiB,
		rep.Machine.CPU, rep.Machine.Terraform, rep.Machine.Go, rep.Machine.LoadAtStart)

	bin := filepath.Join(work, "bin")
	logf("building the provider, the platform server and the floor provider into %s", bin)
	for _, b := range []struct{ out, pkg string }{
		{"terraform-provider-lowcode", "."},
		{"lowcode-platform", "./internal/platform/cmd/lowcode-platform"},
		{"terraform-provider-floor", "./bench/floorprovider"},
	} {
		// bench/ is its own module: its packages build from there.
		dir, pkg := ".", b.pkg
		if rel, ok := strings.CutPrefix(b.pkg, "./bench/"); ok {
			dir, pkg = "bench", "./"+rel
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, b.out), pkg)
		cmd.Dir = dir
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building %s: %w", b.pkg, err)
		}
	}

	finish := func(quiet bool) error { return output(rep, o, start, quiet) }

	recv, err := startReceiver()
	if err != nil {
		return err
	}
	defer recv.close()

	if o.parts["load"] {
		lb := &loadBench{duration: o.loadDuration, rates: o.rates, saturationConc: o.saturation, seed: o.seed, log: logf,
			profileDir: o.profileDir}
		for _, db := range o.databases {
			rs, err := runLoad(ctx, lb, db, bin, work)
			rep.Load = append(rep.Load, rs...)
			if err != nil {
				logf("FAILED: load on %s: %v", db, err)
				rep.Errors = append(rep.Errors, fmt.Sprintf("load on %s: %v", db, err))
				if ctx.Err() != nil {
					return finish(false)
				}
			}
		}
	}

	if o.parts["runtime"] {
		rt, err := runRuntime(ctx, bin, work, recv, o.runtimeFor, logf)
		rep.Runtime = rt
		if err != nil {
			logf("runtime: %v", err)
			rep.Errors = append(rep.Errors, "runtime: "+err.Error())
		}
	}

	if o.parts["neighbour"] {
		nb, err := runNeighbour(ctx, bin, work, max(o.runtimeFor, 3*time.Second), logf)
		rep.Neighbour = nb
		if err != nil {
			logf("neighbour: %v", err)
			rep.Errors = append(rep.Errors, "neighbour: "+err.Error())
		}
	}

	if o.parts["terraform"] || o.parts["latency"] {
		tb := &terraformBench{terraform: tf, bin: bin, work: work, receiverURL: recv.url, log: logf,
			plan: func(wl workload) runPlan { return o.runPlan(wl) }}
		if err := tb.writeCLIConfig(); err != nil {
			return err
		}
		tb.netPlans = o.latencyPlans
		if tb.certs, err = newBenchCerts(work); err != nil {
			return err
		}
		// Small N first, then the mixed set, then the large N: the most informative results land
		// first if the run is cut short.
		var wls, large []workload
		for _, n := range o.ns {
			if !o.parts["terraform"] {
				break
			}
			if n >= o.largeN {
				large = append(large, appsWorkload(n))
			} else {
				wls = append(wls, appsWorkload(n))
			}
		}
		if o.parts["latency"] {
			// Across a network: the most informative for a user far from the platform, so
			// before the large N.
			for _, tls := range []bool{false, true} {
				for _, l := range o.latencies {
					wls = append(wls, netWorkload(o.latencyN, l, tls))
				}
			}
		}
		if o.mixedN > 0 && o.parts["terraform"] {
			types, err := tb.resourceTypes(ctx)
			if err != nil {
				return err
			}
			wl := mixedWorkload(o.mixedN, types["lowcode_workflow"])
			if wl.Workflows == 0 {
				note := "the provider has no lowcode_workflow resource yet: the mixed set is applications and webhooks only"
				logf("note: %s", note)
				rep.Notes = append(rep.Notes, note)
			}
			rep.Settings["mixed"] = map[string]int{"applications": wl.Applications, "workflows": wl.Workflows, "webhooks": wl.Hooks}
			wls = append(wls, wl)
		}
		for _, wl := range append(wls, large...) {
			runs, err := tb.runWorkload(ctx, wl)
			rep.Terraform.Runs = append(rep.Terraform.Runs, runs...)
			rep.Terraform.Summary = summarize(rep.Terraform.Runs)
			if err != nil {
				logf("FAILED: %v", err)
				rep.Terraform.Errors = append(rep.Terraform.Errors, err.Error())
				if ctx.Err() != nil {
					return finish(false)
				}
			}
			if err := finish(true); err != nil { // the results so far, in case the run is cut short
				return err
			}
		}
	}

	return finish(false)
}

// output writes the report: quietly (JSON, plot, summary only) after each step of the
// Terraform part, so that an interrupted run keeps what it measured, and with the tables on
// the terminal at the end.
func output(rep *report, o options, start time.Time, quiet bool) error {
	rep.Targets = evaluateTargets(rep)
	rep.Seconds = time.Since(start).Seconds()
	if !quiet {
		fmt.Println()
		for _, n := range rep.Notes {
			fmt.Println("Note:", n)
		}
		if len(rep.Terraform.Summary) > 0 {
			fmt.Println("Terraform, default parallelism (10); median of the runs; ×floor = median wall time over the no-I/O floor provider's")
			printTerraformTable(os.Stdout, rep.Terraform.Summary)
			fmt.Println()
		}
		if len(rep.Load) > 0 {
			fmt.Println("Platform API under load (vegeta, loopback, separate process from the server)")
			printLoadTable(os.Stdout, rep.Load)
			fmt.Println()
		}
		if rep.Runtime != nil {
			printRuntime(os.Stdout, rep.Runtime)
			fmt.Println()
		}
		if rep.Neighbour != nil {
			printNeighbour(os.Stdout, rep.Neighbour)
			fmt.Println()
		}
		fmt.Println("Targets")
		printTargets(os.Stdout, rep.Targets)
	}
	jsonPath := filepath.Join(o.results, "results.json")
	if err := writeJSON(jsonPath, rep); err != nil {
		return err
	}
	written := []string{jsonPath}
	if len(rep.Terraform.Summary) > 0 {
		svg := filepath.Join(o.results, "terraform.svg")
		if err := writePlot(svg, rep.Terraform.Summary); err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		written = append(written, svg)
	}
	md := filepath.Join(o.results, "summary.md")
	if err := os.WriteFile(md, []byte(markdownSummary(rep)), 0o644); err != nil {
		return err
	}
	written = append(written, md)
	if quiet {
		return nil
	}
	fmt.Printf("\nwrote %s in %s\n", strings.Join(written, ", "), time.Since(start).Round(time.Second))
	if n := len(rep.Errors) + len(rep.Terraform.Errors); n > 0 {
		return fmt.Errorf("%d part(s) failed; see above", n)
	}
	return nil
}

// runLoad starts a platform on a fresh database of the kind db and runs the load scenarios.
func runLoad(ctx context.Context, lb *loadBench, db, bin, work string) ([]loadResult, error) {
	dir := filepath.Join(work, "load-"+db)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	url := "sqlite://" + filepath.Join(dir, "platform.db")
	if db == "postgres" {
		pg, err := startPostgres(ctx, dir)
		if err != nil {
			return nil, err
		}
		defer pg.stop()
		url = pg.url()
	}
	var extra []string
	if lb.profileDir != "" {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		extra = append(extra, "--pprof-listen", addr)
		lb.pprofURL = "http://" + addr + "/debug/pprof/profile"
	}
	platform, err := startPlatform(ctx, bin, dir, url, extra...)
	if err != nil {
		return nil, err
	}
	defer platform.stop()
	logf("load on %s: seeding %d applications, then %s per scenario", db, lb.seed, lb.duration)
	return lb.run(ctx, db, platform)
}

func markdownSummary(rep *report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Command: `%s` — started %s, took %s.\n\n", rep.Command, rep.Started.Format(time.RFC3339),
		(time.Duration(rep.Seconds) * time.Second).Round(time.Second))
	m := rep.Machine
	fmt.Fprintf(&b, "Machine: %d cores (%s), %.1f GiB memory, Linux %s, %s, %s, %s; load average at start %.2f.\n\n",
		m.Cores, m.CPU, m.MemoryGiB, m.Kernel, m.Go, m.Terraform, m.Postgres, m.LoadAtStart)
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "Note: %s.\n\n", n)
	}
	if len(rep.Terraform.Summary) > 0 {
		b.WriteString(markdownTable(rep.Terraform.Summary))
		b.WriteString("\n")
		if t := markdownLatencyTable(rep.Terraform.Summary); t != "" {
			b.WriteString("Across a network (a proxy holds each request; the floor does no I/O and is measured beside each):\n\n" + t + "\n")
		}
	}
	if len(rep.Load) > 0 {
		b.WriteString(markdownLoadTable(rep.Load))
		b.WriteString("\n")
	}
	if rep.Runtime != nil {
		b.WriteString(markdownRuntime(rep.Runtime))
		b.WriteString("\n")
	}
	if rep.Neighbour != nil {
		b.WriteString(markdownNeighbour(rep.Neighbour))
		b.WriteString("\n")
	}
	b.WriteString("| target | goal | measured | |\n|---|---|---|---|\n")
	for _, t := range rep.Targets {
		status := "not measured"
		if t.Met != nil {
			status = map[bool]string{true: "met", false: "**missed**"}[*t.Met]
		}
		note := status
		if t.Note != "" {
			note += " — " + t.Note
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.Name, t.Goal, t.Measured, note)
	}
	return b.String()
}
