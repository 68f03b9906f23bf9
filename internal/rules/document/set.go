package document

// SetGrowth returns how many bytes doc's JSON encoding grows by (negative: shrinks) when the
// value v is set at the dotted path segs, as expression.SetPath sets it (missing or null
// intermediate objects are created), and checks that v lands no deeper than the depth limit.
// It walks v and the value v replaces, never the rest of the document, so a step that sets
// many fields of a large document pays for what it sets, not for the document each time. An
// intermediate value that is not an object gives 0: SetPath refuses that path.
func (l Limits) SetGrowth(doc map[string]any, segs []string, v any) (int64, error) {
	l = l.withDefaults()
	c := counter{limits: l}
	if len(segs) > l.MaxDepth { // the document and the objects on the path
		return 0, c.tooDeep()
	}
	if err := c.value(v, len(segs)); err != nil {
		return 0, err
	}
	vSize := c.n
	// chain is the encoding of segs[i:] set to v inside a new, empty object:
	// "s_i":{"s_i+1":{…"s_last":v}}.
	chain := func(i int) int64 {
		n := vSize
		for j := i; j < len(segs); j++ {
			n += int64(quotedLen(segs[j]) + 1)
			if j < len(segs)-1 {
				n += 2
			}
		}
		return n
	}
	comma := func(m map[string]any) int64 {
		if len(m) > 0 {
			return 1
		}
		return 0
	}
	cur := doc
	for i, seg := range segs[:len(segs)-1] {
		next, ok := cur[seg]
		switch {
		case !ok:
			return comma(cur) + chain(i), nil
		case next == nil:
			return 2 + chain(i+1) - 4, nil // null becomes {…}
		}
		m, ok := next.(map[string]any)
		if !ok {
			return 0, nil
		}
		cur = m
	}
	last := segs[len(segs)-1]
	old, ok := cur[last]
	if !ok {
		return comma(cur) + chain(len(segs)-1), nil
	}
	oldSize, err := Size(old, 1<<62)
	if err != nil {
		return 0, err
	}
	return vSize - oldSize, nil
}
