// Package gobin builds this module's commands for tests that run them as real processes
// (the platform server to kill and restart, the provider for the Terraform CLI). Each package
// is built once per test binary into one temporary directory; call Cleanup from TestMain to
// remove it.
package gobin

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sync"
	"testing"
)

// Module is this repository's module path.
const Module = "github.com/lowcode-platform/terraform-provider-lowcode"

// The packages tests run.
const (
	Platform = Module + "/internal/platform/cmd/lowcode-platform"
	Provider = Module
)

var (
	mu     sync.Mutex
	dir    string
	builds = map[string]*build{}
)

type build struct {
	once sync.Once
	path string
	out  []byte
	err  error
}

// Build returns the path of the binary of pkg (an import path of this module), building it
// on first use. The binary is named after the last element of the import path, except the
// module root, which is terraform-provider-lowcode as Terraform's dev_overrides expects.
func Build(t testing.TB, pkg string) string {
	t.Helper()
	mu.Lock()
	if dir == "" {
		d, err := os.MkdirTemp("", "gobin-") //nolint:usetesting // built once per test binary, outliving any one test
		if err != nil {
			mu.Unlock()
			t.Fatal(err)
		}
		dir = d
	}
	b := builds[pkg]
	if b == nil {
		b = &build{}
		builds[pkg] = b
	}
	out := dir
	mu.Unlock()

	b.once.Do(func() {
		name := path.Base(pkg)
		if pkg == Module {
			name = "terraform-provider-lowcode"
		}
		b.path = filepath.Join(out, name)
		b.out, b.err = exec.Command("go", "build", "-o", b.path, pkg).CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, b.err, b.out)
	}
	return b.path
}

// Cleanup removes the binaries built so far.
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	if dir != "" {
		_ = os.RemoveAll(dir)
		dir = ""
		builds = map[string]*build{}
	}
}
