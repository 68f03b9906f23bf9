package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// compareRuntime measures the runtime part's saturation figures (executions/s and
// deliveries/s at "max") of the platform built from another checkout, base (such as the commit
// before a change), and of this one, alternately, rounds times, and reports every round and
// the ratio of the medians. The shared machine is noisy (the same build varies by a quarter
// from one run to the next), so only figures measured side by side, at the same time,
// compare; alternating spreads the noise over both, and each round swaps which runs first, so
// neither build always runs on a machine the other has just warmed or loaded.
func compareRuntime(ctx context.Context, base string, rounds int, d time.Duration, results string) error {
	if rounds < 1 {
		return fmt.Errorf("-compare-rounds %d: give at least 1", rounds)
	}
	if _, err := os.Stat(filepath.Join(base, "internal", "platform", "cmd", "lowcode-platform")); err != nil {
		return fmt.Errorf("-compare-base %s is not a checkout of this repository (no internal/platform/cmd/lowcode-platform): %w", base, err)
	}
	work, err := os.MkdirTemp("", "lowcode-bench-compare-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	sides := []struct{ name, root string }{{"base", base}, {"this", "."}}
	for _, s := range sides {
		logf("building the platform server of %s (%s)", s.name, s.root)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(work, s.name, "lowcode-platform"), "./internal/platform/cmd/lowcode-platform")
		cmd.Dir = s.root
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building the platform server of %s: %w", s.name, err)
		}
	}
	recv, err := startReceiver()
	if err != nil {
		return err
	}
	defer recv.close()

	figures := map[string]map[string][]float64{}
	var table strings.Builder
	fmt.Fprintf(&table, "| round | build | executions/s | deliveries/s |\n|---|---|---:|---:|\n")
	for round := 1; round <= rounds; round++ {
		order := sides
		if round%2 == 0 {
			order = []struct{ name, root string }{sides[1], sides[0]}
		}
		for _, s := range order {
			dir := filepath.Join(work, s.name, fmt.Sprint(round))
			rep, err := runRuntime(ctx, filepath.Join(work, s.name), dir, recv, d, func(string, ...any) {})
			if err != nil {
				return fmt.Errorf("round %d, %s: %w", round, s.name, err)
			}
			exe, dlv := saturation(rep.Executions), saturation(rep.Deliveries)
			if exe == 0 || dlv == 0 {
				return fmt.Errorf("round %d, %s: the runtime part measured no saturation figure", round, s.name)
			}
			if figures[s.name] == nil {
				figures[s.name] = map[string][]float64{}
			}
			figures[s.name]["executions"] = append(figures[s.name]["executions"], exe)
			figures[s.name]["deliveries"] = append(figures[s.name]["deliveries"], dlv)
			logf("compare: round %d of %d  %-4s  executions %6.0f/s  deliveries %6.0f/s", round, rounds, s.name, exe, dlv)
			fmt.Fprintf(&table, "| %d | %s | %.0f | %.0f |\n", round, s.name, exe, dlv)
		}
	}

	var summary strings.Builder
	fmt.Fprintf(&summary, "| figure | base median | this median | this / base |\n|---|---:|---:|---:|\n")
	for _, f := range []string{"executions", "deliveries"} {
		b, t := median(figures["base"][f]), median(figures["this"][f])
		fmt.Fprintf(&summary, "| %s/s at saturation | %.0f | %.0f | %.2f |\n", f, b, t, t/b)
		logf("compare: %s/s  base median %.0f  this median %.0f  this/base %.2f", f, b, t, t/b)
	}
	if results == "" {
		return nil
	}
	if err := os.MkdirAll(results, 0o755); err != nil {
		return err
	}
	out := filepath.Join(results, "compare.md")
	text := fmt.Sprintf("# Runtime saturation: this checkout (%s) against %s\n\n%d rounds of %s scenarios, alternating, finished %s.\n\n%s\n%s",
		revision("."), revision(base), rounds, d, time.Now().UTC().Format(time.RFC3339), summary.String(), table.String())
	if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
		return errors.Join(errors.New("writing "+out), err)
	}
	logf("compare: written to %s", out)
	return nil
}

// revision names the commit a checkout is at (with "+changes" when it has uncommitted ones),
// or its directory when git cannot tell.
func revision(dir string) string {
	out, err := exec.Command("git", "-C", dir, "describe", "--always", "--dirty=+changes").Output()
	if err != nil {
		return dir
	}
	return strings.TrimSpace(string(out))
}

// saturation is the per-second figure of the unpaced ("max") scenario, or 0.
func saturation(rs []runtimeResult) float64 {
	for _, r := range rs {
		if r.Rate == 0 {
			return r.PerSecond
		}
	}
	return 0
}
