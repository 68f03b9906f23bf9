package main

import (
	"slices"
	"strings"
	"testing"
)

func TestSummarize(t *testing.T) {
	const p = `{"Action":"start","Package":"example.com/p"}`
	cases := []struct {
		name                  string
		input                 string
		passed, skipped, fail int
		failedPackages        []string
		skippedNames          []string
		ok                    bool
	}{
		{
			name: "passes, a skipped subtest, output lines",
			input: p + `
{"Action":"run","Package":"example.com/p","Test":"TestA"}
{"Action":"output","Package":"example.com/p","Test":"TestA","Output":"=== RUN TestA\n"}
{"Action":"skip","Package":"example.com/p","Test":"TestA/actions"}
{"Action":"pass","Package":"example.com/p","Test":"TestA/resources"}
{"Action":"pass","Package":"example.com/p","Test":"TestA"}
{"Action":"skip","Package":"example.com/p","Test":"TestB"}
{"Action":"pass","Package":"example.com/p"}`,
			passed: 2, skipped: 2, skippedNames: []string{"example.com/p.TestA/actions", "example.com/p.TestB"}, ok: true,
		},
		{
			name: "a failed test",
			input: p + `
{"Action":"output","Package":"example.com/p","Test":"TestA","Output":"    a_test.go:9: plan not empty\n"}
{"Action":"fail","Package":"example.com/p","Test":"TestA"}
{"Action":"pass","Package":"example.com/p","Test":"TestB"}
{"Action":"fail","Package":"example.com/p"}`,
			passed: 1, fail: 1, failedPackages: []string{"example.com/p"},
		},
		{
			name: "a package that does not build has no test events",
			input: `# example.com/p
p.go:3:1: syntax error
{"Action":"fail","Package":"example.com/p"}`,
			failedPackages: []string{"example.com/p"},
		},
		{
			name:    "everything skipped (TF_ACC unset) is not green",
			input:   p + "\n" + `{"Action":"skip","Package":"example.com/p","Test":"TestAcc"}`,
			skipped: 1, skippedNames: []string{"example.com/p.TestAcc"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := summarize(strings.NewReader(c.input))
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Passed) != c.passed || len(s.Skipped) != c.skipped || len(s.Failed) != c.fail {
				t.Errorf("passed/skipped/failed = %d/%d/%d, want %d/%d/%d", len(s.Passed), len(s.Skipped), len(s.Failed), c.passed, c.skipped, c.fail)
			}
			if !slices.Equal(s.FailedPackages, c.failedPackages) {
				t.Errorf("failed packages = %v, want %v", s.FailedPackages, c.failedPackages)
			}
			if !slices.Equal(s.Skipped, c.skippedNames) {
				t.Errorf("skipped = %v, want %v", s.Skipped, c.skippedNames)
			}
			if c.fail > 0 && !strings.Contains(s.Failures(), "a_test.go:9: plan not empty") {
				t.Errorf("Failures() lacks the failed test's output:\n%s", s.Failures())
			}
			for _, name := range s.Failed {
				if !strings.Contains(s.Failures(), "--- "+name+"\n") {
					t.Errorf("Failures() does not name %s:\n%s", name, s.Failures())
				}
			}
			if err := s.OK(); (err == nil) != c.ok {
				t.Errorf("OK() = %v, want ok=%v", err, c.ok)
			}
		})
	}
}
