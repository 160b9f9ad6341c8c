package graphql

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// Sender sends one query document and returns the server's answer.
type Sender func(ctx context.Context, doc string) (*Response, error)

// Recon rebuilds a schema from validation messages when introspection is
// off, the way Clairvoyance does, within a fixed number of requests. Only
// query documents are sent: the Query root and the object types its
// fields return.
type Recon struct {
	root  string
	types map[string]*reconType
	order []string // types in discovery order
	// Suggested is every schema name the server suggested.
	Suggested []string
	// Evidence is the first message that carried a suggestion.
	Evidence string
}

type reconType struct {
	fields map[string]*reconField
	via    []string // field path from the root that reaches this type
	probed bool
}

type reconField struct {
	typ  string // e.g. "[User!]!"; "" while unknown
	args map[string]string
	leaf bool
}

// ErrNoSuggestions says the server suggested nothing: its schema cannot be
// rebuilt this way.
var ErrNoSuggestions = errors.New("no field suggestions")

// wordsPerRequest keeps each probe well under graphql-js's 100-error
// validation limit.
const wordsPerRequest = 60

// Reconstruct probes the Query root and up to maxRequests-2 object types.
// It returns ErrNoSuggestions when the first probe drew no suggestion.
func Reconstruct(ctx context.Context, send Sender, maxRequests int) (*Recon, error) {
	r := &Recon{types: map[string]*reconType{}}
	spent := 0
	ask := func(path []string, names []string) error {
		spent++
		sel := ast.SelectionSet{}
		for _, n := range names {
			sel = append(sel, Field("", n, nil))
		}
		for i := len(path) - 1; i >= 0; i-- {
			sel = Set(Field("", path[i], nil, sel...))
		}
		resp, err := send(ctx, Document(ast.Query, sel))
		if err != nil {
			return err
		}
		r.learn(path, resp)
		r.exactHits(path, names, resp)
		return nil
	}
	if err := ask(nil, Words[:min(wordsPerRequest, len(Words))]); err != nil {
		return r, err
	}
	if len(r.Suggested) == 0 {
		return r, ErrNoSuggestions
	}
	for spent < maxRequests {
		t, path, names := r.next()
		if t == nil {
			break
		}
		t.probed = true
		if err := ask(path, names); err != nil {
			return r, err
		}
	}
	return r, nil
}

// next picks the next probe: the types of fields known by name only (one
// request per parent type), then the fields of object types not yet probed.
func (r *Recon) next() (*reconType, []string, []string) {
	for _, tn := range r.order {
		t := r.types[tn]
		var unknown []string
		for n, f := range t.fields {
			if f.typ == "" && !f.leaf {
				unknown = append(unknown, n)
			}
		}
		if len(unknown) > 0 && (t.probed || tn == r.root) {
			sort.Strings(unknown)
			for _, n := range unknown {
				t.fields[n].leaf = true // no message about it next time means a leaf
			}
			return t, t.via, unknown
		}
	}
	for _, tn := range r.order {
		if t := r.types[tn]; !t.probed && tn != r.root {
			return t, t.via, Words[:min(wordsPerRequest, len(Words))]
		}
	}
	return nil, nil, nil
}

func (r *Recon) typeFor(name string, via []string) *reconType {
	t := r.types[name]
	if t == nil {
		t = &reconType{fields: map[string]*reconField{}, via: slices.Clone(via)}
		r.types[name] = t
		r.order = append(r.order, name)
	}
	return t
}

// learn records what one answer's messages say about the type at path.
func (r *Recon) learn(path []string, resp *Response) {
	var parent string
	if len(path) == 0 {
		parent = r.root
	} else {
		parent = r.typeAt(path)
	}
	if len(path) == 0 && r.root == "" {
		for _, msg := range resp.Messages() {
			for _, f := range Facts(msg) {
				if f.Parent != "" && r.root == "" {
					r.root, parent = f.Parent, f.Parent
				}
			}
		}
	}
	for _, msg := range resp.Messages() {
		for _, f := range Facts(msg) {
			owner := f.Parent
			if owner == "" {
				owner = parent
				// Messages about the probed path's own field (its
				// arguments, its type) belong to the type above it.
				if n := len(path); n > 0 && f.Field == path[n-1] && f.Kind != FactSuggestion {
					if n == 1 {
						owner = r.root
					} else {
						owner = r.typeAt(path[:n-1])
					}
				}
			}
			if owner == "" {
				continue
			}
			t := r.typeFor(owner, path)
			switch f.Kind {
			case FactSuggestion:
				if r.Evidence == "" {
					r.Evidence = msg
				}
				for _, n := range f.Names {
					r.field(t, n)
					if !slices.Contains(r.Suggested, n) {
						r.Suggested = append(r.Suggested, n)
					}
				}
			case FactObject:
				fd := r.field(t, f.Field)
				fd.typ, fd.leaf = f.Type, false
				r.typeFor(NamedType(f.Type), append(slices.Clone(path), f.Field))
			case FactLeaf:
				fd := r.field(t, f.Field)
				fd.typ, fd.leaf = f.Type, true
			case FactArg:
				fd := r.field(t, f.Field)
				fd.args[f.Arg] = f.Type
			}
		}
	}
}

// exactHits records guesses the server did not complain about as existing
// leaf fields, when it complained about most others (so it reports every
// error, not just the first).
func (r *Recon) exactHits(path, names []string, resp *Response) {
	parent := r.root
	if len(path) > 0 {
		parent = r.typeAt(path)
	}
	if parent == "" {
		return
	}
	mentioned := map[string]bool{}
	unknown := 0
	for _, msg := range resp.Messages() {
		if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
			unknown++
			mentioned[m[1]] = true
			continue
		}
		for _, f := range Facts(msg) {
			mentioned[f.Field] = true
		}
	}
	if unknown*2 < len(names) {
		return
	}
	t := r.typeFor(parent, path)
	for _, n := range names {
		if !mentioned[n] {
			if _, known := t.fields[n]; !known {
				r.field(t, n).leaf = true
			}
		}
	}
}

func (r *Recon) field(t *reconType, n string) *reconField {
	f := t.fields[n]
	if f == nil && len(t.fields) < maxFields {
		f = &reconField{args: map[string]string{}}
		t.fields[n] = f
	}
	if f == nil {
		return &reconField{args: map[string]string{}}
	}
	return f
}

func (r *Recon) typeAt(path []string) string {
	for n, t := range r.types {
		if slices.Equal(t.via, path) {
			return n
		}
	}
	return ""
}

// Schema builds what was learned into a schema: leaf fields of unknown
// type become String, object types with no known field become scalars.
func (r *Recon) Schema() (*Schema, error) {
	if r.root == "" {
		return nil, ErrNoSuggestions
	}
	doc := &ast.SchemaDocument{}
	objects := map[string]bool{}
	for _, tn := range r.order {
		if len(r.types[tn].fields) > 0 && ValidName(tn) && !slices.Contains(builtinScalars, tn) {
			objects[tn] = true
		}
	}
	named := func(t string) *ast.Type {
		n := NamedType(t)
		if !ValidName(n) {
			return ast.NamedType("String", nil)
		}
		return parseTypeRef(t)
	}
	scalars := map[string]bool{}
	for _, tn := range r.order {
		if !objects[tn] {
			continue
		}
		def := &ast.Definition{Kind: ast.Object, Name: tn}
		names := make([]string, 0, len(r.types[tn].fields))
		for n := range r.types[tn].fields {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			f := r.types[tn].fields[n]
			if !ValidName(n) || strings.HasPrefix(n, "__") {
				continue
			}
			ft := ast.NamedType("String", nil)
			if f.typ != "" {
				ft = named(f.typ)
				if base := ft.Name(); !objects[base] && !slices.Contains(builtinScalars, base) {
					scalars[base] = true
				}
			}
			fd := &ast.FieldDefinition{Name: n, Type: ft}
			for _, a := range slices.Sorted(maps.Keys(f.args)) {
				at := named(f.args[a])
				if objects[at.Name()] || !ValidName(a) {
					continue
				}
				if !slices.Contains(builtinScalars, at.Name()) {
					scalars[at.Name()] = true
				}
				fd.Arguments = append(fd.Arguments, &ast.ArgumentDefinition{Name: a, Type: at})
			}
			def.Fields = append(def.Fields, fd)
		}
		doc.Definitions = append(doc.Definitions, def)
	}
	for _, s := range slices.Sorted(maps.Keys(scalars)) {
		doc.Definitions = append(doc.Definitions, &ast.Definition{Kind: ast.Scalar, Name: s})
	}
	doc.Schema = ast.SchemaDefinitionList{{OperationTypes: ast.OperationTypeDefinitionList{{Operation: ast.Query, Type: r.root}}}}
	sdl := formatSDL(doc)
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "suggestions", Input: sdl})
	if err != nil {
		return nil, err
	}
	return &Schema{Schema: s, SDL: sdl}, nil
}

// parseTypeRef turns "[User!]!" into an ast.Type.
func parseTypeRef(t string) *ast.Type {
	t = strings.TrimSpace(t)
	nonNull := strings.HasSuffix(t, "!")
	t = strings.TrimSuffix(t, "!")
	var out *ast.Type
	if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
		out = ast.ListType(parseTypeRef(t[1:len(t)-1]), nil)
	} else {
		out = ast.NamedType(t, nil)
	}
	out.NonNull = nonNull
	return out
}
