package main

import (
	"fmt"
	"math"
)

func ptrBool(b bool) *bool { return &b }

// evaluateTargets checks the figures of rep against the goals.
func evaluateTargets(rep *report) []target {
	var ts []target
	find := func(workload string, n int, variant, phase string) *tfSummary {
		for i := range rep.Terraform.Summary {
			s := &rep.Terraform.Summary[i]
			if s.Workload == workload && s.N == n && s.Variant == variant && s.Phase == phase {
				return s
			}
		}
		return nil
	}
	ratio := func(phase string, goal float64) target {
		t := target{Name: fmt.Sprintf("%s at N=1000, × the no-I/O floor", phase), Goal: fmt.Sprintf("≤ %.1f×", goal)}
		if s := find("applications", 1000, variantLowcode, phase); s != nil && s.RatioToFloor > 0 {
			t.Value, t.Measured, t.Met = s.RatioToFloor, fmt.Sprintf("%.2f×", s.RatioToFloor), ptrBool(s.RatioToFloor <= goal)
		} else {
			t.Measured = "not run"
		}
		return t
	}
	ts = append(ts, ratio(phasePlan, 1.3), ratio(phaseApply, 1.5))
	for _, wl := range []string{"net-50ms", "tls-50ms"} {
		t := target{Name: fmt.Sprintf("plan at N=1000, each request held 50 ms%s, × the floor",
			map[string]string{"net-50ms": "", "tls-50ms": " (TLS)"}[wl]), Goal: "≤ 1.5×", Measured: "not run"}
		if s := find(wl, 1000, variantLowcode, phasePlan); s != nil && s.RatioToFloor > 0 {
			t.Value, t.Measured, t.Met = s.RatioToFloor, fmt.Sprintf("%.2f× (%.2f s)", s.RatioToFloor, s.MedianSeconds), ptrBool(s.RatioToFloor <= 1.5)
		}
		ts = append(ts, t)
	}

	// Flatness: what our code costs per object, from N=100 (or the smallest N measured, as in
	// quick mode) to the largest N, must not grow.
	// Our code's share is measured three ways: the server's CPU per object, the provider's CPU
	// per object, and the wall time per object over the floor's. The goal allows 1.5× for
	// noise; a quadratic step from 100 to 5000 would be 50×.
	maxN, baseN := 0, 0
	for _, s := range rep.Terraform.Summary {
		if s.Workload != "applications" {
			continue
		}
		maxN = max(maxN, s.N)
		if baseN != 100 && (s.N == 100 || baseN == 0 || s.N < baseN) {
			baseN = s.N
		}
	}
	for _, m := range []struct {
		name string
		get  func(*tfSummary) float64
	}{
		{"server CPU per object", func(s *tfSummary) float64 { return s.ServerCPUPerResourceMs }},
		{"provider CPU per object", func(s *tfSummary) float64 { return s.ProviderCPUPerResourceMs }},
	} {
		for _, ph := range phases {
			t := target{Name: fmt.Sprintf("%s, %s: N=%d vs N=%d", m.name, ph, maxN, baseN), Goal: "flat (≤ 1.5×)"}
			lo, hi := find("applications", baseN, variantLowcode, ph), find("applications", maxN, variantLowcode, ph)
			if lo == nil || hi == nil || maxN <= baseN || m.get(lo) <= 0 {
				t.Measured = "not run"
			} else {
				g := m.get(hi) / m.get(lo)
				t.Value = g
				t.Measured = fmt.Sprintf("%.2f× (%.2f → %.2f ms)", g, m.get(lo), m.get(hi))
				t.Met = ptrBool(g <= 1.5)
			}
			ts = append(ts, t)
		}
	}
	for _, ph := range phases {
		t := target{Name: fmt.Sprintf("wall time over the floor per object, %s: N=%d vs N=%d", ph, maxN, baseN), Goal: "flat (≤ 1.5×)"}
		lo, hi := find("applications", baseN, variantLowcode, ph), find("applications", maxN, variantLowcode, ph)
		if lo == nil || hi == nil || maxN <= baseN || lo.RatioToFloor == 0 || hi.RatioToFloor == 0 {
			t.Measured = "not run (needs the floor at both N)"
		} else {
			t.Measured = fmt.Sprintf("%.2f → %.2f ms", lo.ExcessPerResourceMs, hi.ExcessPerResourceMs)
			if lo.ExcessPerResourceMs > 0 {
				t.Value = hi.ExcessPerResourceMs / lo.ExcessPerResourceMs
				t.Measured = fmt.Sprintf("%.2f× (%s)", t.Value, t.Measured)
				t.Met = ptrBool(t.Value <= 1.5)
			}
			t.Note = "informational: the difference of two noisy wall times"
		}
		ts = append(ts, t)
	}

	get := target{Name: "GET p99 at 1,000 requests/s on SQLite", Goal: "< 5 ms", Measured: "not run"}
	for _, r := range rep.Load {
		if r.Database == "sqlite" && r.Operation == "get" && r.Rate == 1000 {
			get.Value, get.Measured = r.P99Ms, fmt.Sprintf("%.2f ms (%d errors)", r.P99Ms, r.Errors)
			get.Met = ptrBool(r.P99Ms < 5 && r.Errors == 0)
		}
	}
	ts = append(ts, get)

	exe := target{Name: "three-step workflow executions per second", Goal: "≥ 200/s", Measured: "not run"}
	del := target{Name: "webhook deliveries per second", Goal: "≥ 500/s", Measured: "not run"}
	if rt := rep.Runtime; rt != nil {
		best := func(rs []runtimeResult) (float64, float64, bool) {
			v, p99, ok := 0.0, math.NaN(), false
			for _, r := range rs {
				if r.PerSecond > v {
					v, p99, ok = r.PerSecond, r.P99Ms, true
				}
			}
			return v, p99, ok
		}
		if !rt.ExecutionsAvailable {
			exe.Measured, exe.Note = "unavailable", rt.ExecutionsNote
		} else if v, p99, ok := best(rt.Executions); ok {
			exe.Value, exe.Measured, exe.Met = v, fmt.Sprintf("%.0f/s (trigger-to-finish p99 %.0f ms)", v, p99), ptrBool(v >= 200)
		}
		if !rt.DeliveriesAvailable {
			del.Measured, del.Note = "unavailable", rt.DeliveriesNote
		} else if v, p99, ok := best(rt.Deliveries); ok {
			del.Value, del.Measured, del.Met = v, fmt.Sprintf("%.0f/s (event-to-delivery p99 %.0f ms)", v, p99), ptrBool(v >= 500)
		}
	}
	nb := target{Name: "a quiet application's trigger-to-finish p99 while another floods (CPU-heavy steps, slow receivers)",
		Goal: "< 1 s", Measured: "not run"}
	if r := rep.Neighbour; r != nil && r.Quiet > 0 {
		nb.Value, nb.Measured = r.P99Ms, fmt.Sprintf("%.0f ms (p50 %.0f ms, %d executions, %d failed, %d unfinished)",
			r.P99Ms, r.P50Ms, r.Quiet, r.QuietFailed, r.QuietUnfinished)
		nb.Met = ptrBool(r.P99Ms < 1000 && r.QuietFailed == 0 && r.QuietUnfinished == 0)
	}
	return append(ts, exe, del, nb)
}
