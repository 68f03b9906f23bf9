package document

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
)

// Prune rewrites the JSON text raw with every object or array nested deeper than maxDepth
// replaced by the string marker, and reports whether it replaced any. It reads raw a token at
// a time, so it handles documents nested deeper than encoding/json decodes (10,000 levels):
// the platform uses it to show a record that an older server stored too deep, instead of
// failing every list that includes it.
func Prune(raw []byte, maxDepth int, marker string) ([]byte, bool, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out bytes.Buffer
	// Per open container: whether it is an object, and whether it has had a member yet.
	type frame struct{ object, started bool }
	var stack []frame
	pruned := false
	expectKey := func() bool { return len(stack) > 0 && stack[len(stack)-1].object }
	// separate writes the comma before a member (or element) of the container on top.
	separate := func() {
		if len(stack) == 0 {
			return
		}
		top := &stack[len(stack)-1]
		if top.started {
			out.WriteByte(',')
		}
		top.started = true
	}
	inValue := false // an object's key was written; its value comes next
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, pruned, err
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			out.WriteByte(byte(d))
			stack = stack[:len(stack)-1]
			continue
		}
		if expectKey() && !inValue {
			separate()
			key, _ := tok.(string)
			b, _ := json.Marshal(key)
			out.Write(b)
			out.WriteByte(':')
			inValue = true
			continue
		}
		if !expectKey() {
			separate()
		}
		inValue = false
		switch d := tok.(type) {
		case json.Delim:
			if len(stack)+1 > maxDepth {
				if err := skip(dec); err != nil {
					return nil, pruned, err
				}
				b, _ := json.Marshal(marker)
				out.Write(b)
				pruned = true
				continue
			}
			out.WriteByte(byte(d))
			stack = append(stack, frame{object: d == '{'})
		case string:
			b, _ := json.Marshal(d)
			out.Write(b)
		case json.Number:
			out.WriteString(d.String())
		case bool:
			out.WriteString(strconv.FormatBool(d))
		case nil:
			out.WriteString("null")
		}
	}
	return out.Bytes(), pruned, nil
}

// skip reads the rest of a container whose opening delimiter was just read.
func skip(dec *json.Decoder) error {
	for open := 1; open > 0; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				open++
			} else {
				open--
			}
		}
	}
	return nil
}
