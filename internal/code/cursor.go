package code

// cursor walks a token slice for the tolerant parsers. Reading past the
// end yields EOF tokens forever.
type cursor struct {
	ts    []token
	i     int
	depth int // expression nesting, bounded by maxNesting
}

func (c *cursor) peek() token { return c.at(0) }

func (c *cursor) at(k int) token {
	if c.i+k < len(c.ts) && c.i+k >= 0 {
		return c.ts[c.i+k]
	}
	line := 0
	if len(c.ts) > 0 {
		line = c.ts[len(c.ts)-1].line
	}
	return token{kind: tEOF, line: line}
}

func (c *cursor) next() token {
	t := c.peek()
	if c.i < len(c.ts) {
		c.i++
	}
	return t
}

func (c *cursor) eof() bool { return c.peek().kind == tEOF }

// isOp reports whether the next token is the operator op.
func (c *cursor) isOp(op string) bool {
	t := c.peek()
	return t.kind == tOp && t.text == op
}

// isName reports whether the next token is the name (or keyword) w.
func (c *cursor) isName(w string) bool {
	t := c.peek()
	return t.kind == tName && t.text == w
}

func (c *cursor) acceptOp(op string) bool {
	if c.isOp(op) {
		c.i++
		return true
	}
	return false
}

func (c *cursor) acceptName(w string) bool {
	if c.isName(w) {
		c.i++
		return true
	}
	return false
}

// skipBalanced skips tokens up to and including the bracket that closes
// the one just consumed (open is "(", "[" or "{").
func (c *cursor) skipBalanced(open string) {
	closeOf := map[string]string{"(": ")", "[": "]", "{": "}"}
	stack := []string{closeOf[open]}
	for !c.eof() && len(stack) > 0 {
		t := c.next()
		if t.kind != tOp {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			stack = append(stack, closeOf[t.text])
		case ")", "]", "}":
			// Pop to the matching bracket: a stray closer ends the skip
			// instead of running to the end of the file.
			for len(stack) > 0 {
				top := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if top == t.text {
					break
				}
			}
		}
	}
}

// collectWords returns what the identifiers of ts[from:to] say (wordFlags).
func collectWords(ts []token, from, to int) wordFlags {
	var w wordFlags
	to = min(to, len(ts))
	for i := max(from, 0); i < to; i++ {
		t := &ts[i]
		switch t.kind {
		case tName:
			w |= wordFlagsOf(t.text)
		case tTemplate:
			for _, p := range t.parts() {
				w |= collectWords(p.expr, 0, len(p.expr))
			}
		}
	}
	return w
}
