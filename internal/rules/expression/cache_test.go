package expression

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// A short source is compiled once and its program shared by later Compiles, each of which
// gets a Program of its own (so "matches" patterns are cached per Program, as before); a
// source longer than maxCachedSource is compiled every time and never kept.
func TestCompileKeepsShortPrograms(t *testing.T) {
	compiled.Purge()
	short := `name matches "^a" ? amount * 2 : 0`
	atLimit := "1" + strings.Repeat(" + 1", (maxCachedSource-1)/4)
	atLimit += strings.Repeat(" ", maxCachedSource-len(atLimit))
	tooLong := atLimit + " "
	if len(atLimit) != maxCachedSource || len(tooLong) != maxCachedSource+1 {
		t.Fatalf("test sources of %d and %d bytes, want %d and %d", len(atLimit), len(tooLong), maxCachedSource, maxCachedSource+1)
	}
	for _, tc := range []struct {
		src  string
		kept bool
	}{{short, true}, {atLimit, true}, {tooLong, false}} {
		first, err := Compile(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		second, err := Compile(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if first == second {
			t.Errorf("%d bytes: two Compiles returned the same Program; each must have its own", len(tc.src))
		}
		if shared := first.program == second.program; shared != tc.kept {
			t.Errorf("%d bytes: program shared %v, want %v", len(tc.src), shared, tc.kept)
		}
		if _, inCache := compiled.Peek(tc.src); inCache != tc.kept {
			t.Errorf("%d bytes: kept %v, want %v", len(tc.src), inCache, tc.kept)
		}
		if second.Source() != tc.src {
			t.Errorf("Source() = %q, want %q", second.Source(), tc.src)
		}
	}

	// The shared program gives the same results, and patterns stay with their Program.
	first, _ := Compile(short)
	second, _ := Compile(short)
	for _, p := range []*Program{first, second} {
		got, err := p.Eval(context.Background(), map[string]any{"name": "ab", "amount": 21})
		if err != nil || got != 42 {
			t.Fatalf("Eval = %v, %v; want 42", got, err)
		}
	}
	if first.patternCount.Load() != 1 || second.patternCount.Load() != 1 {
		t.Errorf("patterns cached: %d and %d, want 1 in each Program", first.patternCount.Load(), second.patternCount.Load())
	}
}

// An expression that does not compile is not kept: it fails the same way every time.
func TestCompileKeepsNoFailure(t *testing.T) {
	compiled.Purge()
	for range 2 {
		if _, err := Compile("amount +"); err == nil {
			t.Fatal(`"amount +" compiled`)
		}
	}
	if n := compiled.Len(); n != 0 {
		t.Fatalf("%d programs kept after failed compiles, want 0", n)
	}
}

// The cache holds at most maxCachedPrograms programs, the least recently used making way.
func TestCompiledProgramsAreBounded(t *testing.T) {
	compiled.Purge()
	keep := "amount > 0"
	if _, err := Compile(keep); err != nil {
		t.Fatal(err)
	}
	for i := range maxCachedPrograms + 10 {
		if _, err := Compile(fmt.Sprintf("amount > %d", i+1)); err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 {
			_, _ = Compile(keep) // recently used
		}
	}
	if n := compiled.Len(); n != maxCachedPrograms {
		t.Fatalf("%d programs kept, want the bound %d", n, maxCachedPrograms)
	}
	if !compiled.Contains(keep) {
		t.Error("a program used recently was evicted")
	}
	if compiled.Contains("amount > 1") {
		t.Error("the least recently used program was kept")
	}
}

// Programs from the cache evaluate concurrently (run with -race).
func TestCachedProgramsRunConcurrently(t *testing.T) {
	compiled.Purge()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			for j := range 50 {
				p, err := Compile(`filter(items, # > limit) | len()`)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := p.Eval(context.Background(), map[string]any{"items": []any{1, 2, 3, 4, i, j}, "limit": 2})
				want := 2
				if i > 2 {
					want++
				}
				if j > 2 {
					want++
				}
				if err != nil || got != want {
					t.Errorf("Eval = %v, %v; want %d", got, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
}
