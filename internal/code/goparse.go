package code

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"strconv"
	"strings"
)

// parseGo lowers Go source to the IR with the standard library's parser.
// A file that does not parse is read as far as the parser got (go/parser
// returns a partial AST with its errors).
func parseGo(src []byte) *unit {
	fset := gotoken.NewFileSet()
	f, _ := parser.ParseFile(fset, "src.go", src, parser.SkipObjectResolution)
	u := &unit{lang: langGo, imports: map[string]string{}}
	if f == nil {
		return u
	}
	u.words = collectGoWords(f)
	g := &goLower{fset: fset}
	for _, im := range f.Imports {
		p, err := strconv.Unquote(im.Path.Value)
		if err != nil {
			continue
		}
		local := p[strings.LastIndexByte(p, '/')+1:]
		if im.Name != nil {
			local = im.Name.Name
		}
		u.imports[local] = p
	}
	for _, d := range f.Decls {
		u.body = append(u.body, g.decl(d)...)
	}
	return u
}

type goLower struct {
	fset  *gotoken.FileSet
	depth int
	// recv is the receiver's name inside a method: it is lowered to
	// "self", so c.baseURL in one method and in another (or in the
	// type's composite literals) are one attribute.
	recv string
}

func (g *goLower) line(n ast.Node) int { return g.fset.Position(n.Pos()).Line }

func (g *goLower) decl(d ast.Decl) []stmt {
	switch d := d.(type) {
	case *ast.GenDecl:
		return g.genDecl(d)
	case *ast.FuncDecl:
		fd := &funcDef{name: d.Name.Name, line: g.line(d)}
		if d.Recv != nil && len(d.Recv.List) > 0 {
			fd.class = recvType(d.Recv.List[0].Type)
			for _, n := range d.Recv.List[0].Names {
				fd.params = append(fd.params, "self")
				if n.Name != "_" {
					g.recv = n.Name
				}
			}
		}
		fd.params = append(fd.params, fieldNames(d.Type.Params)...)
		if d.Body != nil {
			fd.body = g.block(d.Body.List)
			fd.words = collectGoWords(d.Body)
		}
		g.recv = ""
		return []stmt{{kind: sFunc, line: fd.line, fn: fd}}
	}
	return nil
}

func recvType(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return recvType(t.X)
	case *ast.Ident:
		return t.Name
	case *ast.IndexExpr:
		return recvType(t.X)
	case *ast.IndexListExpr:
		return recvType(t.X)
	}
	return ""
}

func fieldNames(fl *ast.FieldList) []string {
	var out []string
	if fl == nil {
		return nil
	}
	for _, f := range fl.List {
		if len(f.Names) == 0 {
			out = append(out, "")
		}
		for _, n := range f.Names {
			out = append(out, n.Name)
		}
	}
	return out
}

func collectGoWords(n ast.Node) wordFlags {
	var w wordFlags
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			w |= wordFlagsOf(id.Name)
		}
		return true
	})
	return w
}

func (g *goLower) genDecl(d *ast.GenDecl) []stmt {
	var out []stmt
	for _, sp := range d.Specs {
		vs, ok := sp.(*ast.ValueSpec)
		if !ok {
			continue
		}
		for i, n := range vs.Names {
			var v ast.Expr
			if i < len(vs.Values) {
				v = vs.Values[i]
			} else if len(vs.Values) == 1 {
				v = vs.Values[0]
			}
			if v == nil {
				continue
			}
			out = append(out, stmt{kind: sAssign, line: g.line(n), target: &expr{kind: xName, s: n.Name, line: g.line(n)}, value: g.expr(v)})
		}
	}
	return out
}

func (g *goLower) block(list []ast.Stmt) []stmt {
	var out []stmt
	for _, s := range list {
		out = append(out, g.stmt(s)...)
	}
	return out
}

func (g *goLower) stmt(s ast.Stmt) []stmt {
	if s == nil {
		return nil
	}
	switch s := s.(type) {
	case *ast.AssignStmt:
		return g.assign(s)
	case *ast.DeclStmt:
		if gd, ok := s.Decl.(*ast.GenDecl); ok {
			return g.genDecl(gd)
		}
	case *ast.ExprStmt:
		return exprStmt(g.expr(s.X))
	case *ast.ReturnStmt:
		if len(s.Results) > 0 {
			return []stmt{{kind: sReturn, line: g.line(s), value: g.expr(s.Results[0])}}
		}
	case *ast.BlockStmt:
		return g.block(s.List)
	case *ast.IfStmt:
		out := g.stmt(s.Init)
		out = append(out, exprStmt(g.expr(s.Cond))...)
		out = append(out, g.block(s.Body.List)...)
		return append(out, g.stmt(s.Else)...)
	case *ast.ForStmt:
		out := g.stmt(s.Init)
		return append(out, g.block(s.Body.List)...)
	case *ast.RangeStmt:
		out := exprStmt(g.expr(s.X))
		return append(out, g.block(s.Body.List)...)
	case *ast.SwitchStmt:
		out := g.stmt(s.Init)
		out = append(out, exprStmt(g.expr(s.Tag))...)
		return append(out, g.block(s.Body.List)...)
	case *ast.TypeSwitchStmt:
		out := g.stmt(s.Init)
		return append(out, g.block(s.Body.List)...)
	case *ast.SelectStmt:
		return g.block(s.Body.List)
	case *ast.CaseClause:
		return g.block(s.Body)
	case *ast.CommClause:
		return g.block(s.Body)
	case *ast.LabeledStmt:
		return g.stmt(s.Stmt)
	case *ast.GoStmt:
		return exprStmt(g.expr(s.Call))
	case *ast.DeferStmt:
		return exprStmt(g.expr(s.Call))
	}
	return nil
}

// assign lowers `a, b := f()` (a gets f's value: Go's (value, error)
// idiom) and `a, b = x, y`.
func (g *goLower) assign(s *ast.AssignStmt) []stmt {
	var out []stmt
	for i, l := range s.Lhs {
		var r ast.Expr
		switch {
		case len(s.Rhs) == len(s.Lhs):
			r = s.Rhs[i]
		case i == 0 && len(s.Rhs) == 1:
			r = s.Rhs[0]
		}
		if r == nil {
			continue
		}
		if id, ok := l.(*ast.Ident); ok && id.Name == "_" {
			out = append(out, exprStmt(g.expr(r))...)
			continue
		}
		v := g.expr(r)
		if s.Tok != gotoken.ASSIGN && s.Tok != gotoken.DEFINE {
			out = append(out, exprStmt(v)...)
			continue
		}
		out = append(out, stmt{kind: sAssign, line: g.line(l), target: g.expr(l), value: v})
	}
	return out
}

func (g *goLower) expr(e ast.Expr) *expr {
	if e == nil {
		return nil
	}
	if g.depth >= maxNesting {
		return &expr{kind: xOther, line: g.line(e)}
	}
	g.depth++
	defer func() { g.depth-- }()
	line := g.line(e)
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == gotoken.STRING || e.Kind == gotoken.CHAR {
			v, err := strconv.Unquote(e.Value)
			if err != nil {
				v = strings.Trim(e.Value, "`\"")
			}
			return &expr{kind: xStr, s: v, line: line}
		}
		return &expr{kind: xNum, s: e.Value, line: line}
	case *ast.Ident:
		switch e.Name {
		case "true", "false":
			return &expr{kind: xBool, s: e.Name, line: line}
		case "nil":
			return &expr{kind: xNull, line: line}
		}
		if g.recv != "" && e.Name == g.recv {
			return &expr{kind: xName, s: "self", line: line}
		}
		return &expr{kind: xName, s: e.Name, line: line}
	case *ast.SelectorExpr:
		return member(g.expr(e.X), e.Sel.Name)
	case *ast.ParenExpr:
		return g.expr(e.X)
	case *ast.StarExpr:
		return g.expr(e.X)
	case *ast.UnaryExpr:
		if e.Op == gotoken.AND {
			return g.expr(e.X)
		}
		return &expr{kind: xOther, line: line, args: nonNil(g.expr(e.X))}
	case *ast.BinaryExpr:
		l, r := g.expr(e.X), g.expr(e.Y)
		if e.Op == gotoken.ADD {
			return foldStrings(concat(l, r))
		}
		return &expr{kind: xOther, s: compareOp(e.Op.String()), line: line, args: nonNil(l, r)}
	case *ast.CallExpr:
		return g.call(e)
	case *ast.IndexExpr:
		return &expr{kind: xIndex, x: g.expr(e.X), args: nonNil(g.expr(e.Index)), line: line}
	case *ast.CompositeLit:
		return g.composite(e)
	case *ast.FuncLit:
		fd := &funcDef{line: line, params: fieldNames(e.Type.Params)}
		fd.body = g.block(e.Body.List)
		fd.words = collectGoWords(e.Body)
		return &expr{kind: xFunc, line: line, fn: fd}
	case *ast.KeyValueExpr:
		return g.expr(e.Value)
	case *ast.TypeAssertExpr:
		return g.expr(e.X)
	case *ast.SliceExpr:
		return &expr{kind: xOther, line: line, args: nonNil(g.expr(e.X))}
	}
	return &expr{kind: xOther, line: line}
}

func (g *goLower) call(e *ast.CallExpr) *expr {
	c := &expr{kind: xCall, x: g.expr(e.Fun), line: g.line(e)}
	for _, a := range e.Args {
		c.args = append(c.args, g.expr(a))
	}
	// fmt.Sprintf("https://%s/v1", host) is a concatenation.
	if name := dotted(c.x); (name == "fmt.Sprintf" || name == "fmt.Errorf") && len(c.args) > 0 && c.args[0].kind == xStr {
		return percentConcat(c.args[0].s, c.args[1:], c.line)
	}
	return c
}

// composite lowers a composite literal: a struct literal is a call of its
// type with keyword arguments (http.Client{Timeout: t}); a map literal is a
// dict (http.Header{"Authorization": …}).
func (g *goLower) composite(e *ast.CompositeLit) *expr {
	line := g.line(e)
	typ := g.expr(e.Type)
	isMap := false
	if _, ok := e.Type.(*ast.MapType); ok {
		isMap = true
	}
	out := &expr{kind: xCall, x: typ, line: line}
	for _, el := range e.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			out.args = append(out.args, g.expr(el))
			continue
		}
		f := field{val: g.expr(kv.Value), line: g.line(kv)}
		switch k := kv.Key.(type) {
		case *ast.Ident:
			f.key = k.Name
		case *ast.BasicLit:
			isMap = true
			if v, err := strconv.Unquote(k.Value); err == nil {
				f.key = v
			} else {
				f.keyX = g.expr(k)
			}
		default:
			isMap = true
			f.keyX = g.expr(k)
		}
		out.kw = append(out.kw, f)
	}
	if isMap || dotted(typ) == "http.Header" {
		out.kind, out.s = xDict, dotted(typ)
		out.x = nil
	}
	if typ == nil || out.x == nil && out.kind == xCall {
		out.kind = xList
	}
	return out
}
