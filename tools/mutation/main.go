// Command mutation runs gremlins (mutation testing) on each package that guards users, one
// package at a time, and prints one table: killed, lived, not covered, efficacy and mutant
// coverage per package. It exits non-zero when a package misses a threshold, so CI enforces it.
//
// Run it from the repository root through `make mutation`, which is
//
//	go -C tools/mutation run . -root ../..
//
// Counting. A mutant that makes the tests time out is detected (the code under it loops or
// stalls), so it counts as killed, as PIT and Stryker count it; the table shows how many. A
// lived mutant that changes nothing a caller can observe may be accepted as equivalent by a
// comment on its line, or on the comment lines right above it:
//
//	// mutation: equivalent CONDITIONALS_BOUNDARY: wait is never 0 here, because …
//
// It then counts neither for nor against efficacy, and is listed with its reason at the end of
// the run so that every acceptance stays visible. A marker whose mutant is killed is stale and
// reported.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// guarded is what `make mutation` measures: the code between users and harm.
var guarded = []pkg{
	{Dir: "internal/rules/expression", What: "sandbox"},
	{Dir: "internal/platform/netguard", What: "SSRF guard"},
	{Dir: "internal/platform/authz", What: "authorization"},
	{Dir: "internal/rules/classification", What: "classification and redaction"},
	{Dir: "internal/rules/signing", What: "webhook signing"},
	{Dir: "internal/client/retrypolicy", What: "client retries"},
	{Dir: "internal/rules/cronspec", What: "schedule limits"},
}

type pkg struct {
	Dir  string // relative to the repository root
	What string
}

// report is the part of gremlins' JSON output (-o) read here.
type report struct {
	Files []struct {
		FileName  string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

// row is one package's result.
type row struct {
	pkg                                        pkg
	killed, timedOut, lived, notCovered, equiv int
	notViable                                  int
	livedAt, notCoveredAt, timedOutAt          []string
	accepted                                   []string // "file:line:col TYPE: reason"
	stale                                      []string
	elapsed                                    time.Duration
	err                                        error
}

// efficacy is detected / (detected + lived), equivalents left out; 100 when nothing ran.
func (r row) efficacy() float64 {
	detected := r.killed + r.timedOut
	if detected+r.lived == 0 {
		return 100
	}
	return 100 * float64(detected) / float64(detected+r.lived)
}

// maxTimedOut is how many timeouts a package may have before its figures are distrusted:
// a tenth of its tested mutants, and at least 2.
func maxTimedOut(r row) int {
	return max(2, (r.killed+r.timedOut+r.lived)/10)
}

// coverage is the share of mutants some test runs.
func (r row) coverage() float64 {
	covered := r.killed + r.timedOut + r.lived + r.equiv
	if covered+r.notCovered == 0 {
		return 100
	}
	return 100 * float64(covered) / float64(covered+r.notCovered)
}

func main() {
	root := flag.String("root", ".", "the repository root")
	only := flag.String("only", "", "a regular expression: measure only the packages whose directory matches")
	minEfficacy := flag.Float64("efficacy", 90, "the least efficacy (percent) each package must reach")
	minCoverage := flag.Float64("coverage", 85, "the least mutant coverage (percent) each package must reach")
	workers := flag.Int("workers", 2, "mutants tested at once (gremlins --workers)")
	timeoutCoefficient := flag.Int("timeout-coefficient", 10, "a mutant's test run may take this many times the coverage run before it counts as timed out")
	flag.Parse()

	if err := run(*root, *only, *minEfficacy, *minCoverage, *workers, *timeoutCoefficient); err != nil {
		fmt.Fprintln(os.Stderr, "mutation:", err)
		os.Exit(1)
	}
}

func run(root, only string, minEfficacy, minCoverage float64, workers, timeoutCoefficient int) error {
	root, err := filepath.Abs(root)
	if err != nil {
		return err
	}
	match, err := regexp.Compile(only)
	if err != nil {
		return fmt.Errorf("-only: %w", err)
	}
	tmp, err := os.MkdirTemp("", "mutation-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	start := time.Now()
	var rows []row
	for _, p := range guarded {
		if !match.MatchString(p.Dir) {
			continue
		}
		fmt.Printf("==> gremlins on %s (%s)\n", p.Dir, p.What)
		rows = append(rows, measure(root, tmp, p, workers, timeoutCoefficient))
	}
	if len(rows) == 0 {
		return fmt.Errorf("-only %q matches no guarded package", only)
	}

	failed := print(rows, minEfficacy, minCoverage)
	fmt.Printf("\n%d packages in %s; thresholds: efficacy >= %.0f%%, mutant coverage >= %.0f%%\n",
		len(rows), time.Since(start).Round(time.Second), minEfficacy, minCoverage)
	if len(failed) > 0 {
		return fmt.Errorf("below the threshold: %s; kill the lived mutants listed above with tests "+
			"(or, for one that changes nothing observable, mark it equivalent with a reason; see tools/mutation/main.go)",
			strings.Join(failed, ", "))
	}
	return nil
}

// measure runs gremlins on one package and counts its mutants.
func measure(root, tmp string, p pkg, workers, timeoutCoefficient int) row {
	r := row{pkg: p}
	out := filepath.Join(tmp, strings.ReplaceAll(p.Dir, "/", "_")+".json")
	cmd := exec.Command("go", "tool", "-modfile=tools/mutation/go.mod", "gremlins", "unleash",
		"--silent",
		"--workers", fmt.Sprint(workers),
		"--timeout-coefficient", fmt.Sprint(timeoutCoefficient),
		"--output", out,
		"./"+p.Dir)
	cmd.Dir = root
	// A mutant is killed by the tests, not by go vet, which go test also runs by default (and
	// which costs as much as the build). gremlins' first, unmutated run sets the timeout of
	// every mutant's run, which builds and links a test binary: -count=1 keeps that first run
	// from being a cached result, and a linker flag no other run used (-X of an unused name)
	// makes it link afresh, so that a package with very fast tests does not get a timeout too
	// short for a build (all 21 of authz's mutants timed out on a busy machine before).
	nonce := fmt.Sprintf("-ldflags=-X=main.mutationRun=%d", time.Now().UnixNano())
	cmd.Env = append(os.Environ(), "GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -vet=off -count=1 "+nonce))
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	began := time.Now()
	err := cmd.Run()
	r.elapsed = time.Since(began)
	if err != nil {
		r.err = fmt.Errorf("gremlins: %w\n%s", err, logs.String())
		return r
	}
	data, err := os.ReadFile(out)
	if err != nil {
		r.err = fmt.Errorf("gremlins wrote no report: %w\n%s", err, logs.String())
		return r
	}
	var rep report
	if err := json.Unmarshal(data, &rep); err != nil {
		r.err = fmt.Errorf("reading gremlins' report: %w", err)
		return r
	}
	markers := map[string][]marker{}
	for _, f := range rep.Files {
		path := filepath.Join(root, p.Dir, f.FileName)
		if _, seen := markers[path]; !seen {
			if markers[path], err = readMarkers(path); err != nil {
				r.err = err
				return r
			}
		}
		for _, m := range f.Mutations {
			at := fmt.Sprintf("%s:%d:%d %s", filepath.Join(p.Dir, f.FileName), m.Line, m.Column, m.Type)
			switch m.Status {
			case "KILLED":
				r.killed++
				if mk := find(markers[path], m.Line, m.Type); mk != nil {
					r.stale = append(r.stale, at+" is killed but marked equivalent at line "+fmt.Sprint(mk.line))
				}
			case "TIMED OUT":
				r.timedOut++
				r.timedOutAt = append(r.timedOutAt, at)
			case "LIVED":
				if mk := find(markers[path], m.Line, m.Type); mk != nil {
					r.equiv++
					r.accepted = append(r.accepted, at+": "+mk.reason)
					continue
				}
				r.lived++
				r.livedAt = append(r.livedAt, at)
			case "NOT COVERED":
				r.notCovered++
				r.notCoveredAt = append(r.notCoveredAt, at)
			case "NOT VIABLE":
				r.notViable++
			default: // RUNNABLE or SKIPPED would mean gremlins did not run the mutant
				r.err = fmt.Errorf("%s: unexpected status %q", at, m.Status)
				return r
			}
		}
	}
	return r
}

// marker is an equivalence comment: on line, or on the comment lines right above it.
type marker struct {
	line       int // the code line it applies to
	types      []string
	reason     string
	markerLine int
}

var markerRE = regexp.MustCompile(`//\s*mutation: equivalent ([A-Z_]+(?:,\s*[A-Z_]+)*):\s*(.+)$`)

// readMarkers finds the equivalence comments of a Go file and the code line each applies to.
func readMarkers(path string) ([]marker, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		out     []marker
		pending []marker // markers on comment-only lines, waiting for their code line
		n       int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		text := strings.TrimSpace(sc.Text())
		m := markerRE.FindStringSubmatch(text)
		commentOnly := strings.HasPrefix(text, "//")
		if m != nil {
			mk := marker{types: strings.Split(strings.ReplaceAll(m[1], " ", ""), ","), reason: m[2], markerLine: n}
			if commentOnly {
				pending = append(pending, mk)
				continue
			}
			mk.line = n
			out = append(out, mk)
		}
		if commentOnly {
			continue // a plain comment between a marker and its code keeps the marker pending
		}
		for _, mk := range pending {
			mk.line = n
			out = append(out, mk)
		}
		pending = nil
	}
	return out, sc.Err()
}

func find(markers []marker, line int, typ string) *marker {
	for i, mk := range markers {
		if mk.line == line && slices.Contains(mk.types, typ) {
			return &markers[i]
		}
	}
	return nil
}

// print writes the table and the details, and returns the packages below a threshold.
func print(rows []row, minEfficacy, minCoverage float64) (failed []string) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, "| package \t guards \t killed \t lived \t not covered \t efficacy \t coverage \t timed out \t equivalent \t time \t \t")
	fmt.Fprintln(tw, "|---\t---\t---\t---\t---\t---\t---\t---\t---\t---\t---\t")
	for _, r := range rows {
		if r.err != nil {
			fmt.Fprintf(tw, "| %s \t %s \t - \t - \t - \t - \t - \t - \t - \t %s \t ERROR \t\n", r.pkg.Dir, r.pkg.What, r.elapsed.Round(time.Second))
			failed = append(failed, r.pkg.Dir)
			continue
		}
		verdict := "ok"
		switch {
		case r.efficacy() < minEfficacy || r.coverage() < minCoverage:
			verdict = "**BELOW**"
			failed = append(failed, r.pkg.Dir)
		case r.timedOut > maxTimedOut(r):
			// Timeouts count as killed, which is right for a mutant that loops and wrong for
			// one that only ran on a machine too busy to finish in time: many timeouts mean
			// the figures cannot be trusted.
			verdict = "**TIMEOUTS**"
			failed = append(failed, r.pkg.Dir+" (too many timeouts: a busy machine? raise -timeout-coefficient)")
		}
		fmt.Fprintf(tw, "| %s \t %s \t %d \t %d \t %d \t %.1f%% \t %.1f%% \t %d \t %d \t %s \t %s \t\n", r.pkg.Dir, r.pkg.What,
			r.killed+r.timedOut, r.lived, r.notCovered, r.efficacy(), r.coverage(), r.timedOut, r.equiv, r.elapsed.Round(time.Second), verdict)
	}
	_ = tw.Flush()

	for _, r := range rows {
		if r.err != nil {
			fmt.Printf("\n%s: %v\n", r.pkg.Dir, r.err)
		}
		list(r.pkg.Dir+": lived (no test noticed the change)", r.livedAt)
		list(r.pkg.Dir+": not covered (no test runs this code)", r.notCoveredAt)
		list(r.pkg.Dir+": timed out (counted as killed)", r.timedOutAt)
		list(r.pkg.Dir+": accepted as equivalent", r.accepted)
		list(r.pkg.Dir+": stale equivalence markers", r.stale)
	}
	return failed
}

func list(title string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Printf("\n%s:\n", title)
	for _, it := range items {
		fmt.Println("  " + it)
	}
}
