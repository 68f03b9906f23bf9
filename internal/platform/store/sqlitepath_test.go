package store_test

import (
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

func TestSQLitePath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url, want string
		ok        bool
	}{
		{"sqlite://data/lowcode.db", "data/lowcode.db", true},
		{"sqlite:///var/lib/lowcode.db?_pragma=x", "/var/lib/lowcode.db", true},
		{"file:lowcode.db", "lowcode.db", true},
		{"lowcode.db", "lowcode.db", true},
		{"sqlite://:memory:", "", false},
		{"file::memory:?cache=shared", "", false},
		{"file:shared?mode=memory", "", false},
		{"mysql://x/y", "", false},
	}
	for _, tc := range cases {
		got, err := store.SQLitePath(tc.url)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("SQLitePath(%q) = %q, %v; want %q (ok %v)", tc.url, got, err, tc.want, tc.ok)
		}
	}
}
