package expression

import (
	"fmt"
	"strings"
)

// MaxFieldPathLength matches the API's limit on transform field paths.
const MaxFieldPathLength = 200

// ValidateFieldPath checks a dotted field path such as "order.total":
// non-empty segments of ASCII letters, digits, "_" and "-".
func ValidateFieldPath(path string) error {
	if path == "" {
		return fmt.Errorf("field path is empty")
	}
	if len(path) > MaxFieldPathLength {
		return fmt.Errorf("field path is longer than %d characters", MaxFieldPathLength)
	}
	for i, seg := range strings.Split(path, ".") {
		if seg == "" {
			return fmt.Errorf("field path %q has an empty segment at position %d", path, i+1)
		}
		for _, r := range seg {
			if !isFieldChar(r) {
				return fmt.Errorf("field path %q has the character %q; use letters, digits, \"_\" and \"-\" separated by dots", path, r)
			}
		}
	}
	return nil
}

func isFieldChar(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
}

// GetPath returns the value at a dotted path and whether it exists.
func GetPath(doc map[string]any, path string) (any, bool) {
	var cur any = doc
	for _, seg := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[seg]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

// SetPath sets the value at a dotted path, creating missing (or null)
// intermediate objects. It fails, changing nothing, when the path is invalid or an
// intermediate value exists but is not an object.
func SetPath(doc map[string]any, path string, v any) error {
	if err := ValidateFieldPath(path); err != nil {
		return err
	}
	if doc == nil {
		return fmt.Errorf("cannot set %q: the document is nil", path)
	}
	segs := strings.Split(path, ".")
	// Check the whole path first so a failure leaves doc untouched.
	cur := doc
	for i, seg := range segs[:len(segs)-1] {
		next, ok := cur[seg]
		if !ok || next == nil {
			break
		}
		m, ok := next.(map[string]any)
		if !ok {
			return fmt.Errorf("cannot set %q: %q is %s, not an object", path, strings.Join(segs[:i+1], "."), describe(next))
		}
		cur = m
	}
	cur = doc
	for _, seg := range segs[:len(segs)-1] {
		m, ok := cur[seg].(map[string]any)
		if !ok {
			m = map[string]any{}
			cur[seg] = m
		}
		cur = m
	}
	cur[segs[len(segs)-1]] = v
	return nil
}

// describe names a value's kind with an article, for error messages.
func describe(v any) string {
	switch t := typeName(v); t {
	case "array", "object":
		return "an " + t
	default:
		return "a " + t
	}
}
