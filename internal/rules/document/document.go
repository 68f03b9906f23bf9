// Package document bounds JSON documents: the bytes of their encoding and how deeply they
// nest. The platform checks every document a workflow produces (execution input, the document
// after each step, step outputs, the execution output, event payloads and delivery bodies)
// before it stores or sends it, so that one workflow cannot fill the memory or the database,
// or store a record that a JSON decoder refuses to read back.
package document

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"
)

// Defaults. A document may be as large as the largest request body the API accepts (1 MiB), so
// that anything a caller may send can flow through a workflow. 64 levels is far deeper than
// business data nests (a few levels, a dozen at most), and far below the 10,000 levels at
// which encoding/json refuses to decode: the platform's records wrap a document in a few
// levels of their own and must always decode again.
const (
	DefaultMaxBytes = 1 << 20
	DefaultMaxDepth = 64
)

// Limits bounds a document. A zero limit takes its default. BytesSetting and DepthSetting
// name the settings that change the limits, for messages (such as --max-document-bytes).
type Limits struct {
	MaxBytes     int64
	MaxDepth     int
	BytesSetting string
	DepthSetting string
}

// LimitError reports a document over a limit: its bytes or its depth, the limit and the
// setting that changes it. The walk stops as soon as a limit is passed, so the document's
// full size is not known, only that it passes the limit.
type LimitError struct {
	Depth   bool
	Limit   int64
	Setting string
}

func (e *LimitError) Error() string {
	setting := ""
	if e.Setting != "" {
		setting = " (" + e.Setting + ")"
	}
	if e.Depth {
		return fmt.Sprintf("the document would nest deeper than %d levels, the limit%s", e.Limit, setting)
	}
	return fmt.Sprintf("the document would be larger than %d bytes, the limit%s", e.Limit, setting)
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	return l
}

// Check measures v as encoding/json would encode it and returns a *LimitError when it is larger
// or deeper than the limits. It walks the value without encoding it and stops as soon as a
// limit is passed, so a document of gigabytes costs no more to refuse than one just over the
// limit. Values other than the JSON types (maps, slices, strings, numbers, booleans, nil) are
// measured by encoding them.
func (l Limits) Check(v any) error {
	l = l.withDefaults()
	c := counter{limits: l}
	if err := c.value(v, 0); err != nil {
		return err
	}
	return nil
}

// Size returns the bytes of v's JSON encoding, counting no further than limit bytes (a result
// over limit means "more than limit").
func Size(v any, limit int64) (int64, error) {
	c := counter{limits: Limits{MaxBytes: limit, MaxDepth: math.MaxInt}}
	err := c.value(v, 0)
	var le *LimitError
	if errors.As(err, &le) {
		return c.n, nil
	}
	return c.n, err
}

// counter measures a value's encoding against limits.
type counter struct {
	limits Limits
	n      int64
	buf    [64]byte
}

func (c *counter) add(n int) error {
	c.n += int64(n)
	if c.n > c.limits.MaxBytes {
		return &LimitError{Limit: c.limits.MaxBytes, Setting: c.limits.BytesSetting}
	}
	return nil
}

func (c *counter) value(v any, depth int) error {
	switch x := v.(type) {
	case nil:
		return c.add(4)
	case bool:
		if x {
			return c.add(4)
		}
		return c.add(5)
	case string:
		return c.add(quotedLen(x))
	case float64:
		return c.float(x, 64)
	case float32:
		return c.float(float64(x), 32)
	case int:
		return c.add(len(strconv.AppendInt(c.buf[:0], int64(x), 10)))
	case int64:
		return c.add(len(strconv.AppendInt(c.buf[:0], x, 10)))
	case json.Number:
		return c.add(len(x))
	case map[string]any:
		if depth+1 > c.limits.MaxDepth {
			return c.tooDeep()
		}
		if err := c.add(2 + max(len(x)-1, 0)); err != nil { // braces and commas
			return err
		}
		for k, e := range x {
			if err := c.add(quotedLen(k) + 1); err != nil {
				return err
			}
			if err := c.value(e, depth+1); err != nil {
				return err
			}
		}
		return nil
	case []any:
		if depth+1 > c.limits.MaxDepth {
			return c.tooDeep()
		}
		if x == nil {
			return c.add(4)
		}
		if err := c.add(2 + max(len(x)-1, 0)); err != nil {
			return err
		}
		for _, e := range x {
			if err := c.value(e, depth+1); err != nil {
				return err
			}
		}
		return nil
	case *map[string]any:
		if x == nil {
			return c.add(4)
		}
		return c.value(*x, depth)
	}
	return c.other(v, depth)
}

func (c *counter) tooDeep() error {
	return &LimitError{Depth: true, Limit: int64(c.limits.MaxDepth), Setting: c.limits.DepthSetting}
}

// other measures a value of another type through its JSON form, decoded again into the JSON
// types (so that its nesting is measured too).
func (c *counter) other(v any, depth int) error {
	if rv := reflect.ValueOf(v); (rv.Kind() == reflect.Map || rv.Kind() == reflect.Slice || rv.Kind() == reflect.Pointer) && rv.IsNil() {
		return c.add(4)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("the value cannot be stored in a JSON document: %w", err)
	}
	if int64(len(b)) > c.limits.MaxBytes-c.n {
		return c.add(len(b))
	}
	var plain any
	if err := json.Unmarshal(b, &plain); err != nil {
		return c.tooDeep()
	}
	return c.value(plain, depth)
}

// float counts a number as encoding/json writes it (ES6 style: exponent form below 1e-6 and
// from 1e21).
func (c *counter) float(f float64, bits int) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("the value %v cannot be stored in a JSON document", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	b := strconv.AppendFloat(c.buf[:0], f, format, -1, bits)
	n := len(b)
	if format == 'e' && n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
		n-- // e-09 is written e-9
	}
	return c.add(n)
}

// asciiExtra is how many bytes encoding/json adds to each ASCII byte when it quotes a string:
// 1 for the two-character escapes, 5 for \u00XX (other control characters, and <, > and &,
// which json.Marshal escapes for HTML).
var asciiExtra = func() (t [utf8.RuneSelf]uint8) {
	for b := range utf8.RuneSelf {
		switch {
		case b == '"' || b == '\\' || b == '\n' || b == '\r' || b == '\t' || b == '\b' || b == '\f':
			t[b] = 1
		case b < 0x20 || b == '<' || b == '>' || b == '&':
			t[b] = 5
		}
	}
	return t
}()

// quotedLen is the length of s as encoding/json quotes it (with HTML escaping, as
// json.Marshal does).
func quotedLen(s string) int {
	n := 2 + len(s)
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			n += int(asciiExtra[b])
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			n += 5 // one byte becomes \ufffd
		case r == '\u2028' || r == '\u2029':
			n += 3 // three bytes become six
		}
		i += size
	}
	return n
}
