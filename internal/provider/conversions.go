package provider

// Conversions between Terraform values (state, plan and configuration) and the API's Go
// values. Reading a collection refuses null elements with the same error as plan time
// (nullAtApply, in validators_collections.go).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// timeString renders an API time for state.
func timeString(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339Nano))
}

// optionalTime renders an optional API time.
func optionalTime(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return timeString(*t)
}

// stringPtr returns nil for a null or unknown value, for optional API fields.
func stringPtr(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

func boolPtr(v types.Bool) *bool {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	b := v.ValueBool()
	return &b
}

// stringOrNull maps an optional API string to state.
func stringOrNull(p *string) types.String {
	if p == nil {
		return types.StringNull()
	}
	return types.StringValue(*p)
}

// stringMap maps an API string map to state; an absent map is empty, matching the schema
// default of optional map attributes.
func stringMap(m map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func stringValues(items []string) []attr.Value {
	elems := make([]attr.Value, len(items))
	for i, s := range items {
		elems[i] = types.StringValue(s)
	}
	return elems
}

// stringSet and stringList map API string slices to state; nil is an empty collection.
func stringSet(items []string) types.Set {
	return types.SetValueMust(types.StringType, stringValues(items))
}

func stringList(items []string) types.List {
	return types.ListValueMust(types.StringType, stringValues(items))
}

// applicationIDValue maps an API application id to state: "" (platform-wide) is null, so that
// an unset optional application_id matches what the server reads back.
func applicationIDValue(id string) types.String {
	if id == "" {
		return types.StringNull()
	}
	return types.StringValue(id)
}

// stringMapFrom reads a known map of strings; null or unknown gives an empty map.
func stringMapFrom(ctx context.Context, attribute string, m types.Map, diags *diag.Diagnostics) map[string]string {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	keys := make([]string, 0, len(m.Elements()))
	elems := make([]attr.Value, 0, len(m.Elements()))
	for k, v := range m.Elements() {
		keys, elems = append(keys, k), append(elems, v)
	}
	if nullAtApply(attribute, elems, func(i int) string { return fmt.Sprintf("key %q", keys[i]) }, diags) {
		diags.Append(m.ElementsAs(ctx, &out, false)...)
	}
	return out
}

// stringsFromSet and stringsFromList read a known collection of strings from a plan or
// config; null or unknown gives nil.
func stringsFromSet(ctx context.Context, attribute string, v types.Set, diags *diag.Diagnostics) []string {
	var out []string
	if v.IsNull() || v.IsUnknown() {
		return out
	}
	if nullAtApply(attribute, v.Elements(), func(int) string { return "an element" }, diags) {
		diags.Append(v.ElementsAs(ctx, &out, false)...)
	}
	return out
}

func stringsFromList(ctx context.Context, attribute string, v types.List, diags *diag.Diagnostics) []string {
	var out []string
	if v.IsNull() || v.IsUnknown() {
		return out
	}
	if nullAtApply(attribute, v.Elements(), func(i int) string { return fmt.Sprintf("index %d", i) }, diags) {
		diags.Append(v.ElementsAs(ctx, &out, false)...)
	}
	return out
}

// stringIsSet reports whether v holds a known, non-null string.
func stringIsSet(v attr.Value) bool {
	s, ok := v.(types.String)
	return ok && !s.IsNull() && !s.IsUnknown()
}

func stringOr(v types.String, fallback string) string {
	if v.IsNull() || v.ValueString() == "" {
		return fallback
	}
	return v.ValueString()
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func stringOrDefault(p *string, fallback string) string {
	if p == nil || *p == "" {
		return fallback
	}
	return *p
}

// decodeJSONObject decodes one JSON object, keeping numbers exact.
func decodeJSONObject(raw string) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the JSON value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("got a JSON %s, not an object", jsonKind(v))
	}
	return obj, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	default:
		return "null"
	}
}
