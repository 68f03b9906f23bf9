package expression

import (
	"reflect"
	"strings"
	"testing"
)

func TestValidateFieldPath(t *testing.T) {
	cases := []struct {
		path    string
		wantErr string
	}{
		{path: "amount"},
		{path: "order.total"},
		{path: "order_2.line-items.x9"},
		{path: "", wantErr: "empty"},
		{path: "order..total", wantErr: "empty segment at position 2"},
		{path: ".total", wantErr: "empty segment at position 1"},
		{path: "order.", wantErr: "empty segment"},
		{path: "order total", wantErr: `character ' '`},
		{path: "items[0]", wantErr: `character '['`},
		{path: "naïve", wantErr: `character 'ï'`},
		{path: strings.Repeat("a", MaxFieldPathLength+1), wantErr: "longer than"},
		{path: strings.Repeat("a", MaxFieldPathLength)},
		// The ends of each character range, and their neighbours outside it.
		{path: "az.AZ.09._-"},
		{path: "a`", wantErr: "character '`'"},
		{path: "a{", wantErr: "character '{'"},
		{path: "a@", wantErr: "character '@'"},
		{path: "a[", wantErr: "character '['"},
		{path: "a/", wantErr: "character '/'"},
		{path: "a:", wantErr: "character ':'"},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			err := ValidateFieldPath(tc.path)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidateFieldPath(%q) = %v, want nil", tc.path, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("ValidateFieldPath(%q) = %v, want error containing %q", tc.path, err, tc.wantErr)
			}
		})
	}
}

func TestSetPath(t *testing.T) {
	cases := []struct {
		name    string
		doc     map[string]any
		path    string
		value   any
		want    map[string]any
		wantErr string
	}{
		{name: "top level", doc: map[string]any{}, path: "a", value: 1, want: map[string]any{"a": 1}},
		{name: "creates intermediates", doc: map[string]any{}, path: "order.totals.net", value: 5,
			want: map[string]any{"order": map[string]any{"totals": map[string]any{"net": 5}}}},
		{name: "keeps siblings", doc: map[string]any{"order": map[string]any{"id": "o1"}}, path: "order.total", value: 9,
			want: map[string]any{"order": map[string]any{"id": "o1", "total": 9}}},
		{name: "overwrites leaf", doc: map[string]any{"a": map[string]any{"b": 1}}, path: "a.b", value: "x",
			want: map[string]any{"a": map[string]any{"b": "x"}}},
		{name: "replaces null intermediate", doc: map[string]any{"a": nil}, path: "a.b", value: 1,
			want: map[string]any{"a": map[string]any{"b": 1}}},
		{name: "intermediate is a string", doc: map[string]any{"order": "o1"}, path: "order.total", value: 1,
			want: map[string]any{"order": "o1"}, wantErr: `"order" is a string, not an object`},
		{name: "deep intermediate is an array", doc: map[string]any{"a": map[string]any{"b": []any{1}}}, path: "a.b.c.d", value: 1,
			want: map[string]any{"a": map[string]any{"b": []any{1}}}, wantErr: `"a.b" is an array`},
		{name: "invalid path", doc: map[string]any{}, path: "a..b", value: 1, want: map[string]any{}, wantErr: "empty segment"},
		{name: "nil document", doc: nil, path: "a", value: 1, wantErr: "document is nil"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := SetPath(tc.doc, tc.path, tc.value)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("SetPath error = %v, want it to contain %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatalf("SetPath: %v", err)
			}
			if !reflect.DeepEqual(tc.doc, tc.want) {
				t.Errorf("doc = %#v, want %#v", tc.doc, tc.want)
			}
		})
	}
}

func TestGetPath(t *testing.T) {
	doc := map[string]any{"order": map[string]any{"total": 10.0, "tags": []any{"a"}, "note": nil}}
	cases := []struct {
		path   string
		want   any
		wantOK bool
	}{
		{path: "order.total", want: 10.0, wantOK: true},
		{path: "order.note", want: nil, wantOK: true},
		{path: "order.missing", wantOK: false},
		{path: "order.tags.0", wantOK: false},
		{path: "order.total.x", wantOK: false},
		{path: "nothing.here", wantOK: false},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			got, ok := GetPath(doc, tc.path)
			if ok != tc.wantOK || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("GetPath(%q) = %v, %v; want %v, %v", tc.path, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}
