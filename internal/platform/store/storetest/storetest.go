// Package storetest holds what tests need to run on every database the store supports: the
// list of dialects with a fresh database for each (the one way to say "on every dialect", for
// store tests and platform tests alike), and the store's conformance suite, Run, which every
// dialect passes. It follows riverqueue/river's riverdrivertest: one suite of behaviours,
// exercised by each driver, instead of each test file looping over databases its own way.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/pgtest"
)

// Dialect is a database the store supports, able to give a test a fresh, empty database.
type Dialect struct {
	Name   store.Dialect
	newURL func(tb testing.TB) string
}

// URL returns the URL of a fresh, empty database of the dialect, removed when the test ends:
// a SQLite file in the test's temporary directory, or a database on pgtest's throw-away
// PostgreSQL cluster. Several servers may open the same URL (replicas, restarts).
func (d Dialect) URL(tb testing.TB) string {
	tb.Helper()
	return d.newURL(tb)
}

// Open opens a store on a fresh database of the dialect, closed when the test ends.
func (d Dialect) Open(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), d.URL(tb))
	if err != nil {
		tb.Fatalf("opening a %s store: %v", d.Name, err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

// Dialects lists every dialect the store supports: SQLite, then PostgreSQL. A test binary
// that uses PostgreSQL runs pgtest.Main from its TestMain.
func Dialects() []Dialect {
	return []Dialect{
		{Name: store.SQLite, newURL: func(tb testing.TB) string {
			return "sqlite://" + filepath.Join(tb.TempDir(), "store.db")
		}},
		{Name: store.Postgres, newURL: func(tb testing.TB) string { return pgtest.Start(tb) }},
	}
}

// Each runs test once per dialect, as parallel subtests named after the dialect.
func Each(t *testing.T, test func(t *testing.T, d Dialect)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d.Name), func(t *testing.T) {
			t.Parallel()
			test(t, d)
		})
	}
}

// Run is the store's conformance suite: every behaviour the platform relies on, asserted on the
// store that open returns (a fresh, empty one on each call). Each behaviour is a parallel
// subtest with its own store.
func Run(t *testing.T, open func(t *testing.T) *store.Store) {
	t.Helper()
	for _, c := range []struct {
		name string
		test func(t *testing.T, st *store.Store)
	}{
		{"ObjectsCRUD", objectsCRUD},
		{"UniqueNames", uniqueNames},
		{"ReferencesRestrictDelete", referencesRestrictDelete},
		{"EveryKind", everyKind},
		{"Pagination", pagination},
		{"NewestFirst", newestFirst},
		{"Filters", filters},
		{"InLists", inLists},
		{"VisibleAssignments", visibleAssignments},
		{"Authenticate", authenticate},
		{"Idempotency", idempotency},
		{"AccessHistory", accessHistory},
		{"Webhooks", webhooks},
		{"ExecutionQueue", executionQueue},
		{"FairClaims", fairClaims},
		{"DeliveryQueue", deliveryQueue},
		{"GroupedWrites", groupedWrites},
		{"ScheduleFires", scheduleFires},
		{"EventTypes", eventTypes},
		{"ExecutionStats", executionStats},
		{"ExecutionStatsByWorkflow", executionStatsByWorkflow},
		{"SwapBreached", swapBreached},
		{"PageBytes", pageBytes},
		{"FanOutRoots", fanOutRoots},
		{"DeepExecutionRecord", deepExecutionRecord},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.test(t, open(t))
		})
	}
}
