package main

import (
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// tfSummary is the median of the runs of one command for one variant at one N.
type tfSummary struct {
	Workload string `json:"workload"`
	N        int    `json:"n"`
	Variant  string `json:"variant"`
	Phase    string `json:"phase"`
	Runs     int    `json:"runs"`
	// MedianSeconds, MinSeconds and MaxSeconds are wall times.
	MedianSeconds float64 `json:"median_seconds"`
	MinSeconds    float64 `json:"min_seconds"`
	MaxSeconds    float64 `json:"max_seconds"`
	// RatioToFloor is MedianSeconds over the floor provider's at the same N and command.
	RatioToFloor float64 `json:"ratio_to_floor"`
	// PerResourceMs is MedianSeconds per object, in milliseconds.
	PerResourceMs float64 `json:"per_resource_ms"`
	// ExcessPerResourceMs is (median - floor's median) per object: what our client, server and
	// schema code add to each object, in wall time.
	ExcessPerResourceMs float64 `json:"excess_per_resource_ms"`
	// Median CPU time per object of the provider plugin(s) and of the platform server.
	ProviderCPUPerResourceMs float64 `json:"provider_cpu_per_resource_ms"`
	ServerCPUPerResourceMs   float64 `json:"server_cpu_per_resource_ms"`
	// Requests is the median number of requests through the latency scenario's proxy.
	Requests float64 `json:"requests,omitempty"`
	// Highest peak RSS over the runs.
	ProviderPeakRSSMiB  float64 `json:"provider_peak_rss_mib"`
	ServerPeakRSSMiB    float64 `json:"server_peak_rss_mib"`
	TerraformPeakRSSMiB float64 `json:"terraform_peak_rss_mib"`
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func summarize(runs []tfRun) []tfSummary {
	type key struct {
		workload string
		n        int
		variant  string
		phase    string
	}
	groups := map[key][]tfRun{}
	var order []key
	for _, r := range runs {
		k := key{r.Workload, r.N, r.Variant, r.Phase}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	byKey := map[key]*tfSummary{}
	var out []tfSummary
	for _, k := range order {
		g := groups[k]
		var wall, pcpu, scpu, reqs []float64
		s := tfSummary{Workload: k.workload, N: k.n, Variant: k.variant, Phase: k.phase, Runs: len(g)}
		for _, r := range g {
			wall = append(wall, r.WallSeconds)
			pcpu = append(pcpu, r.ProviderCPUSeconds)
			scpu = append(scpu, r.ServerCPUSeconds)
			reqs = append(reqs, float64(r.Requests))
			s.ProviderPeakRSSMiB = max(s.ProviderPeakRSSMiB, float64(r.ProviderPeakRSSKiB)/1024)
			s.ServerPeakRSSMiB = max(s.ServerPeakRSSMiB, float64(r.ServerPeakRSSKiB)/1024)
			s.TerraformPeakRSSMiB = max(s.TerraformPeakRSSMiB, float64(r.TerraformPeakRSSKiB)/1024)
		}
		s.MedianSeconds, s.MinSeconds, s.MaxSeconds = median(wall), slices.Min(wall), slices.Max(wall)
		s.PerResourceMs = 1000 * s.MedianSeconds / float64(k.n)
		s.ProviderCPUPerResourceMs = 1000 * median(pcpu) / float64(k.n)
		s.ServerCPUPerResourceMs = 1000 * median(scpu) / float64(k.n)
		s.Requests = median(reqs)
		out = append(out, s)
	}
	for i := range out {
		byKey[key{out[i].Workload, out[i].N, out[i].Variant, out[i].Phase}] = &out[i]
	}
	for i := range out {
		s := &out[i]
		if f := byKey[key{s.Workload, s.N, variantFloor, s.Phase}]; f != nil && f.MedianSeconds > 0 {
			s.RatioToFloor = s.MedianSeconds / f.MedianSeconds
			s.ExcessPerResourceMs = 1000 * (s.MedianSeconds - f.MedianSeconds) / float64(s.N)
		}
	}
	return out
}

// printTerraformTable writes the Terraform part as a table.
func printTerraformTable(w io.Writer, sums []tfSummary) {
	fmt.Fprintf(w, "%-12s %5s %-7s %-14s %4s %9s %7s %9s %9s %9s %9s %9s\n", "workload", "N", "command", "variant", "runs",
		"median s", "×floor", "ms/obj", "prov MiB", "srv MiB", "prov cpu", "srv cpu")
	fmt.Fprintf(w, "%-12s %5s %-7s %-14s %4s %9s %7s %9s %9s %9s %9s %9s\n", "", "", "", "", "", "", "", "", "peak", "peak",
		"ms/obj", "ms/obj")
	for _, s := range sums {
		prov, srv, pcpu, scpu := "-", "-", "-", "-"
		if s.Variant != variantData {
			prov = fmt.Sprintf("%.0f", s.ProviderPeakRSSMiB)
			pcpu = fmt.Sprintf("%.2f", s.ProviderCPUPerResourceMs)
		}
		if s.Variant == variantLowcode {
			srv = fmt.Sprintf("%.0f", s.ServerPeakRSSMiB)
			scpu = fmt.Sprintf("%.2f", s.ServerCPUPerResourceMs)
		}
		fmt.Fprintf(w, "%-12s %5d %-7s %-14s %4d %9.2f %7.2f %9.2f %9s %9s %9s %9s\n", s.Workload, s.N, s.Phase, s.Variant,
			s.Runs, s.MedianSeconds, s.RatioToFloor, s.PerResourceMs, prov, srv, pcpu, scpu)
	}
}

func printLoadTable(w io.Writer, rs []loadResult) {
	fmt.Fprintf(w, "%-8s %-6s %-9s %8s %9s %9s %9s %7s %8s %8s\n", "database", "op", "rate/s", "requests", "ok/s", "p50 ms",
		"p99 ms", "max ms", "errors", "srv cpu")
	for _, r := range rs {
		rate := fmt.Sprint(r.Rate)
		if r.Rate == 0 {
			rate = fmt.Sprintf("max/%d", r.Workers)
		}
		fmt.Fprintf(w, "%-8s %-6s %-9s %8d %9.0f %9.2f %9.2f %7.0f %8d %7.0f%%\n", r.Database, r.Operation, rate, r.Requests,
			r.Throughput, r.P50Ms, r.P99Ms, r.MaxMs, r.Errors, 100*r.ServerCPUSeconds/max(r.Seconds, 1e-9))
	}
}

// target is one of the goals and whether this run met it.
type target struct {
	Name     string  `json:"name"`
	Goal     string  `json:"goal"`
	Measured string  `json:"measured"`
	Value    float64 `json:"value"`
	Met      *bool   `json:"met"` // nil: not measured in this run
	Note     string  `json:"note,omitempty"`
}

func printTargets(w io.Writer, ts []target) {
	for _, t := range ts {
		status := "n/a "
		if t.Met != nil {
			status = map[bool]string{true: "MET ", false: "MISS"}[*t.Met]
		}
		fmt.Fprintf(w, "  [%s] %-48s goal %-22s measured %s", status, t.Name, t.Goal, t.Measured)
		if t.Note != "" {
			fmt.Fprintf(w, "  (%s)", t.Note)
		}
		fmt.Fprintln(w)
	}
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// writePlot draws the median wall time of apply and of plan against N, log-log, for each
// variant, side by side, as SVG.
func writePlot(path string, sums []tfSummary) error {
	colors := map[string]color.Color{
		variantLowcode: color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
		variantFloor:   color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
		variantData:    color.RGBA{R: 0x7f, G: 0x7f, B: 0x7f, A: 0xff},
	}
	var row []*plot.Plot
	for _, ph := range []string{phaseApply, phasePlan} {
		p := plot.New()
		p.Title.Text = "terraform " + ph + map[string]string{phaseApply: " (create)", phasePlan: " (refresh, no changes)"}[ph]
		p.X.Label.Text = "N (lowcode_application resources)"
		p.Y.Label.Text = "median wall time (s)"
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
		p.Legend.Top, p.Legend.Left = true, true
		p.Add(plotter.NewGrid())
		drawn := false
		for _, v := range variants {
			var pts plotter.XYs
			for _, s := range sums {
				if s.Workload == "applications" && s.Phase == ph && s.Variant == v && s.MedianSeconds > 0 {
					pts = append(pts, plotter.XY{X: float64(s.N), Y: s.MedianSeconds})
				}
			}
			if len(pts) == 0 {
				continue
			}
			sort.Slice(pts, func(i, j int) bool { return pts[i].X < pts[j].X })
			line, points, err := plotter.NewLinePoints(pts)
			if err != nil {
				return err
			}
			line.Color, points.Color = colors[v], colors[v]
			if v == variantData {
				line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			p.Add(line, points)
			drawn = true
			name := map[string]string{variantLowcode: "terraform-provider-lowcode + platform (SQLite)",
				variantFloor: "floor provider (no I/O)", variantData: "terraform_data (built-in)"}[v]
			p.Legend.Add(name, line, points)
		}
		if drawn { // a log scale needs points: none when only the latency scenario ran
			row = append(row, p)
		}
	}
	if p, err := latencyPlot(sums, colors); err != nil {
		return err
	} else if p != nil {
		row = append(row, p)
	}
	if len(row) == 0 {
		return nil
	}
	canvas := vgsvg.New(vg.Length(len(row))*5.5*vg.Inch, 4.5*vg.Inch)
	dc := draw.New(canvas)
	tiles := draw.Tiles{Rows: 1, Cols: len(row), PadX: vg.Inch / 4, PadTop: vg.Inch / 8, PadBottom: vg.Inch / 8,
		PadLeft: vg.Inch / 8, PadRight: vg.Inch / 8}
	cs := plot.Align([][]*plot.Plot{row}, tiles, dc)
	for i, p := range row {
		p.Draw(cs[0][i])
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := canvas.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// latencyOf reads the latency of a network workload from its name ("net-50ms", "tls-50ms").
func latencyOf(workload string) (ms int, tls, ok bool) {
	for _, prefix := range []string{"net", "tls"} {
		if _, err := fmt.Sscanf(workload, prefix+"-%dms", &ms); err == nil {
			return ms, prefix == "tls", true
		}
	}
	return 0, false, false
}

// latencyPlot draws wall time against the time each request is held, for plan and apply of
// lowcode (plain and TLS) and of the floor; nil when no network workload ran.
func latencyPlot(sums []tfSummary, colors map[string]color.Color) (*plot.Plot, error) {
	type series struct {
		variant, phase string
		tls            bool
	}
	pts := map[series]plotter.XYs{}
	n := 0
	for _, s := range sums {
		ms, tls, ok := latencyOf(s.Workload)
		if !ok || s.MedianSeconds <= 0 || (s.Variant == variantFloor && tls) {
			continue
		}
		n = s.N
		k := series{s.Variant, s.Phase, tls}
		pts[k] = append(pts[k], plotter.XY{X: float64(ms), Y: s.MedianSeconds})
	}
	if len(pts) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("across a network, N = %d", n)
	p.X.Label.Text = "ms the proxy holds each request"
	p.Y.Label.Text = "median wall time (s)"
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	for _, k := range []series{{variantLowcode, phaseApply, false}, {variantLowcode, phaseApply, true}, {variantFloor, phaseApply, false},
		{variantLowcode, phasePlan, false}, {variantLowcode, phasePlan, true}, {variantFloor, phasePlan, false}} {
		xy := pts[k]
		if len(xy) == 0 {
			continue
		}
		sort.Slice(xy, func(i, j int) bool { return xy[i].X < xy[j].X })
		line, points, err := plotter.NewLinePoints(xy)
		if err != nil {
			return nil, err
		}
		line.Color, points.Color = colors[k.variant], colors[k.variant]
		if k.phase == phasePlan {
			line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			points.Shape = draw.BoxGlyph{}
		}
		if k.tls {
			points.Shape = draw.TriangleGlyph{}
			line.Color = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
			points.Color = line.Color
		}
		name := map[string]string{variantLowcode: "lowcode", variantFloor: "floor"}[k.variant] + " " + k.phase
		if k.tls {
			name += " (TLS)"
		}
		p.Legend.Add(name, line, points)
		p.Add(line, points)
	}
	// Room above the lines for the legend.
	p.Y.Min, p.Y.Max = 0, p.Y.Max*1.6
	return p, nil
}

// markdownLatencyTable renders the network workloads: lowcode against the floor of the same
// workload, per command, with the requests that crossed the proxy.
func markdownLatencyTable(sums []tfSummary) string {
	var b strings.Builder
	for _, s := range sums {
		ms, tls, ok := latencyOf(s.Workload)
		if !ok || s.Variant != variantLowcode {
			continue
		}
		if b.Len() == 0 {
			b.WriteString("| each request held | TLS | N | command | lowcode s | floor s | × floor | requests |\n")
			b.WriteString("|---:|---|---:|---|---:|---:|---:|---:|\n")
		}
		floor, ratio := "–", "–"
		if s.RatioToFloor > 0 {
			floor, ratio = fmt.Sprintf("%.2f", s.MedianSeconds/s.RatioToFloor), fmt.Sprintf("%.2f", s.RatioToFloor)
		}
		fmt.Fprintf(&b, "| %d ms | %s | %d | %s | %.2f | %s | %s | %.0f |\n", ms, map[bool]string{true: "yes", false: "no"}[tls],
			s.N, s.Phase, s.MedianSeconds, floor, ratio, s.Requests)
	}
	return b.String()
}

// markdownTable renders the Terraform summary for BENCHMARKS.md.
func markdownTable(sums []tfSummary) string {
	var b strings.Builder
	b.WriteString("| workload | N | command | variant | runs | median s | × floor | ms/object | provider peak MiB | server peak MiB | provider CPU ms/obj | server CPU ms/obj |\n")
	b.WriteString("|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, s := range sums {
		prov, srv, pcpu, scpu := "–", "–", "–", "–"
		if s.Variant != variantData {
			prov, pcpu = fmt.Sprintf("%.0f", s.ProviderPeakRSSMiB), fmt.Sprintf("%.2f", s.ProviderCPUPerResourceMs)
		}
		if s.Variant == variantLowcode {
			srv, scpu = fmt.Sprintf("%.0f", s.ServerPeakRSSMiB), fmt.Sprintf("%.2f", s.ServerCPUPerResourceMs)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %d | %.2f | %.2f | %.2f | %s | %s | %s | %s |\n", s.Workload, s.N, s.Phase,
			s.Variant, s.Runs, s.MedianSeconds, s.RatioToFloor, s.PerResourceMs, prov, srv, pcpu, scpu)
	}
	return b.String()
}

func markdownLoadTable(rs []loadResult) string {
	var b strings.Builder
	b.WriteString("| database | operation | rate/s | requests | ok/s | p50 ms | p99 ms | max ms | errors | server CPU |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rs {
		rate := fmt.Sprint(r.Rate)
		if r.Rate == 0 {
			rate = fmt.Sprintf("saturation (%d conc.)", r.Workers)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %.0f | %.2f | %.2f | %.0f | %d | %.0f%% |\n", r.Database, r.Operation, rate,
			r.Requests, r.Throughput, r.P50Ms, r.P99Ms, r.MaxMs, r.Errors, 100*r.ServerCPUSeconds/max(r.Seconds, 1e-9))
	}
	return b.String()
}
