// Command testsummary reads the output of `go test -json` and prints one line with the number
// of tests that passed, were skipped and failed, for the CLI matrix (.ci/matrix.sh). With
// -skipped it also writes the names of the skipped tests, one per line, so the matrix can find
// a test that no CLI runs.
//
//	go test -json ./internal/provider/... > run.json
//	go run ./internal/testutil/testsummary -label "Terraform 1.15.9" -skipped skipped.txt run.json
//
// It exits 1 when a test or a package failed, or when the run holds no test at all.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// event is the part of a test2json event the summary needs.
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

// summary counts a run's outcomes. Subtests count as tests of their own: a parent whose
// subtests skip still passes, and a skipped subtest must show.
type summary struct {
	Passed, Skipped, Failed []string
	// FailedPackages are packages that failed outside any test (a build error, a panic, a
	// timeout), so a run that never started its tests is not read as a clean one.
	FailedPackages []string
	// output keeps the last maxOutput bytes each test (or package, under its own name) printed,
	// to show what failed.
	output map[string]string
}

// maxLine bounds one line of go test output, so a test that prints a huge line cannot make
// the summary read without end.
const maxLine = 16 << 20

// maxOutput bounds what is kept of one test's output; the end of it says what failed.
const maxOutput = 64 << 10

func summarize(r io.Reader) (summary, error) {
	s := summary{output: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] != '{' {
			continue // not an event: go test -json passes through what a build prints
		}
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			return s, fmt.Errorf("reading go test -json output: %w", err)
		}
		name := e.Package + "." + e.Test
		if e.Test == "" {
			name = e.Package
		}
		if e.Action == "output" {
			out := s.output[name] + e.Output
			if len(out) > maxOutput {
				out = out[len(out)-maxOutput:]
			}
			s.output[name] = out
		}
		switch {
		case e.Test == "" && e.Action == "fail":
			s.FailedPackages = append(s.FailedPackages, e.Package)
		case e.Test == "":
		case e.Action == "pass":
			s.Passed = append(s.Passed, name)
		case e.Action == "skip":
			s.Skipped = append(s.Skipped, name)
		case e.Action == "fail":
			s.Failed = append(s.Failed, name)
		}
	}
	if err := sc.Err(); err != nil {
		return s, fmt.Errorf("reading go test -json output: %w", err)
	}
	slices.Sort(s.Skipped)
	return s, nil
}

// Failures is what each failed test and package printed, as go test prints it.
func (s summary) Failures() string {
	var b strings.Builder
	for _, name := range append(slices.Clone(s.Failed), s.FailedPackages...) {
		fmt.Fprintf(&b, "--- %s\n%s", name, s.output[name])
	}
	return b.String()
}

// Line is the matrix's line for one CLI.
func (s summary) Line(label string) string {
	line := fmt.Sprintf("%-20s passed %4d  skipped %4d  failed %4d", label, len(s.Passed), len(s.Skipped), len(s.Failed))
	if len(s.FailedPackages) > 0 {
		line += "  failed packages: " + strings.Join(s.FailedPackages, ", ")
	}
	return line
}

// OK says whether the run is green: something ran and nothing failed.
func (s summary) OK() error {
	switch {
	case len(s.Failed) > 0 || len(s.FailedPackages) > 0:
		return fmt.Errorf("failed: %s", strings.Join(append(slices.Clone(s.Failed), s.FailedPackages...), ", "))
	case len(s.Passed) == 0:
		return errors.New("no test passed: check that TF_ACC=1 is set and the packages hold tests")
	}
	return nil
}

func main() {
	label := flag.String("label", "tests", "what the line is about, e.g. the CLI and its version")
	skipped := flag.String("skipped", "", "write the skipped tests' names to this file, one per line")
	failures := flag.Bool("failures", false, "print what each failed test printed instead of the summary line")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: testsummary [-label L] [-skipped FILE] [-failures] GO-TEST-JSON-FILE")
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	s, err := summarize(f)
	f.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if *failures {
		fmt.Print(s.Failures())
		return
	}
	if *skipped != "" {
		text := strings.Join(s.Skipped, "\n")
		if text != "" {
			text += "\n"
		}
		if err := os.WriteFile(*skipped, []byte(text), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	fmt.Println(s.Line(*label))
	if err := s.OK(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", *label, err)
		os.Exit(1)
	}
}
