package code

import (
	"fmt"
	"strings"
)

// dumpExpr renders an IR expression compactly, for tests.
func dumpExpr(e *expr) string {
	if e == nil {
		return "<nil>"
	}
	switch e.kind {
	case xStr:
		return fmt.Sprintf("%q", e.s)
	case xNum, xBool:
		return e.s
	case xNull:
		return "null"
	case xName:
		return e.s
	case xAttr:
		return dumpExpr(e.x) + "." + e.s
	case xCall:
		var parts []string
		for _, a := range e.args {
			parts = append(parts, dumpExpr(a))
		}
		for _, f := range e.kw {
			parts = append(parts, dumpField(f, "="))
		}
		return dumpExpr(e.x) + "(" + strings.Join(parts, ", ") + ")"
	case xIndex:
		return dumpExpr(e.x) + "[" + dumpExpr(e.arg(0)) + "]"
	case xDict:
		var parts []string
		for _, f := range e.kw {
			parts = append(parts, dumpField(f, ": "))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case xList:
		var parts []string
		for _, a := range e.args {
			parts = append(parts, dumpExpr(a))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case xConcat:
		var parts []string
		for _, a := range e.args {
			parts = append(parts, dumpExpr(a))
		}
		return "(" + strings.Join(parts, " + ") + ")"
	case xOr:
		var parts []string
		for _, a := range e.args {
			parts = append(parts, dumpExpr(a))
		}
		return "(" + strings.Join(parts, " | ") + ")"
	case xFunc:
		return "func(" + strings.Join(e.fn.params, ", ") + ")"
	}
	return "?"
}

func dumpField(f field, sep string) string {
	k := f.key
	if f.keyX != nil {
		k = "[" + dumpExpr(f.keyX) + "]"
	}
	if k == "" {
		k = "**"
		sep = ""
	}
	return k + sep + dumpExpr(f.val)
}

// dumpStmts renders statements one per line with their line numbers.
func dumpStmts(body []stmt, indent string) string {
	var b strings.Builder
	for _, s := range body {
		switch s.kind {
		case sExpr:
			fmt.Fprintf(&b, "%s%d: %s\n", indent, s.line, dumpExpr(s.value))
		case sAssign:
			fmt.Fprintf(&b, "%s%d: %s = %s\n", indent, s.line, dumpExpr(s.target), dumpExpr(s.value))
		case sReturn:
			fmt.Fprintf(&b, "%s%d: return %s\n", indent, s.line, dumpExpr(s.value))
		case sFunc:
			cls := ""
			if s.fn.class != "" {
				cls = s.fn.class + "."
			}
			fmt.Fprintf(&b, "%s%d: def %s%s(%s)\n", indent, s.line, cls, s.fn.name, strings.Join(s.fn.params, ", "))
			b.WriteString(dumpStmts(s.fn.body, indent+"  "))
		}
	}
	return b.String()
}
