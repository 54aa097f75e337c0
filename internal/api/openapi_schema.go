package api

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"
)

// schemaGen turns Go types into OpenAPI 3.0 schemas the way encoding/json
// would encode them, so the document cannot drift from what handlers send.
// Named struct types become components (which also makes recursive types
// finite); everything else is inlined.
type schemaGen struct {
	components map[string]any
	names      map[reflect.Type]string // component name of each named struct type
	taken      map[string]reflect.Type
	errs       []string
}

func newSchemaGen() *schemaGen {
	return &schemaGen{components: map[string]any{}, names: map[reflect.Type]string{}, taken: map[string]reflect.Type{}}
}

var (
	timeType       = reflect.TypeFor[time.Time]()
	rawJSONType    = reflect.TypeFor[json.RawMessage]()
	jsonMarshaler  = reflect.TypeFor[json.Marshaler]()
	textMarshaler  = reflect.TypeFor[encoding.TextMarshaler]()
	componentNameR = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
	typeArgPkgR    = regexp.MustCompile(`[\w./-]*\.`)
)

func refTo(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// register makes name the component of v's type. Registered names are
// claimed before any type is walked, so they win over derived names.
func (g *schemaGen) register(name string, v any) {
	t := reflect.TypeOf(v)
	if t == nil {
		g.errs = append(g.errs, fmt.Sprintf("schema %s: nil value", name))
		return
	}
	g.taken[name] = t
	if _, has := g.names[t]; !has && t.Kind() == reflect.Struct {
		g.names[t] = name
	}
}

// component writes the schema of a registered name.
func (g *schemaGen) component(name string, v any) {
	t := reflect.TypeOf(v)
	if t == nil {
		return
	}
	if t.Kind() == reflect.Struct && g.names[t] == name {
		g.components[name] = g.structSchema(t)
		return
	}
	// Not a struct, or a second name for a type already named: the
	// schema itself (a reference, for a struct).
	g.components[name] = g.schemaOf(t)
}

// nameFor returns the component name of a named struct type that was not
// registered: its Go name, made unique with its package name if needed.
func (g *schemaGen) nameFor(t reflect.Type) string {
	if n, ok := g.names[t]; ok {
		return n
	}
	base := t.Name()
	// Generic instances: List[bulwark/internal/x.Thing] -> ListThing.
	base = typeArgPkgR.ReplaceAllString(base, "")
	base = componentNameR.ReplaceAllString(base, "")
	name := base
	if other, ok := g.taken[name]; ok && other != t {
		pkg := t.PkgPath()
		pkg = pkg[strings.LastIndex(pkg, "/")+1:]
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + base
		for i := 2; ; i++ {
			if other, ok := g.taken[name]; !ok || other == t {
				break
			}
			name = fmt.Sprintf("%s%s%d", strings.ToUpper(pkg[:1])+pkg[1:], base, i)
		}
	}
	g.names[t] = name
	g.taken[name] = t
	return name
}

// schemaOf is the schema of a value of type t.
func (g *schemaGen) schemaOf(t reflect.Type) map[string]any {
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawJSONType:
		return map[string]any{"description": "any JSON value"}
	case t.Kind() == reflect.Pointer:
		return nullable(g.schemaOf(t.Elem()))
	case t.Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(jsonMarshaler):
		// Its own encoding: nothing can be said about its shape.
		return map[string]any{"description": "any JSON value (" + t.String() + ")"}
	case t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler):
		return map[string]any{"type": "string"}
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int8, reflect.Int16, reflect.Int32:
		return map[string]any{"type": "integer", "format": "int32"}
	case reflect.Int, reflect.Int64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer", "format": "int32", "minimum": 0}
	case reflect.Uint, reflect.Uint64, reflect.Uintptr:
		return map[string]any{"type": "integer", "format": "int64", "minimum": 0}
	case reflect.Float32:
		return map[string]any{"type": "number", "format": "float"}
	case reflect.Float64:
		return map[string]any{"type": "number", "format": "double"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Interface:
		return map[string]any{"description": "any JSON value"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return map[string]any{"type": "string", "format": "byte"} // encoding/json writes base64
		}
		return map[string]any{"type": "array", "items": g.schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schemaOf(t.Elem())}
	case reflect.Struct:
		if t.Name() == "" {
			return g.structSchema(t)
		}
		name := g.nameFor(t)
		if _, done := g.components[name]; !done {
			g.components[name] = map[string]any{} // placeholder: t may refer to itself
			g.components[name] = g.structSchema(t)
		}
		return refTo(name)
	default:
		g.errs = append(g.errs, fmt.Sprintf("type %s (%s) cannot be encoded as JSON", t, t.Kind()))
		return map[string]any{}
	}
}

// nullable marks s as also allowing null (OpenAPI 3.0 style). A reference
// cannot carry siblings, so it is wrapped in allOf.
func nullable(s map[string]any) map[string]any {
	if _, ok := s["$ref"]; ok {
		return map[string]any{"allOf": []any{s}, "nullable": true}
	}
	out := make(map[string]any, len(s)+1)
	for k, v := range s {
		out[k] = v
	}
	out["nullable"] = true
	return out
}

// field is one JSON property found while walking a struct.
type field struct {
	name     string
	depth    int // embedding depth: shallower fields hide deeper ones
	tagged   bool
	schema   map[string]any
	required bool
}

// structSchema is the object schema of struct type t, with embedded
// structs flattened as encoding/json does.
func (g *schemaGen) structSchema(t reflect.Type) map[string]any {
	var fields []field
	g.collect(t, 0, &fields, map[reflect.Type]bool{})
	// encoding/json's rule: the shallowest field wins; among equals a tagged
	// one wins; if still tied the name is dropped.
	byName := map[string][]field{}
	var order []string
	for _, f := range fields {
		if _, seen := byName[f.name]; !seen {
			order = append(order, f.name)
		}
		byName[f.name] = append(byName[f.name], f)
	}
	props := map[string]any{}
	var required []string
	for _, name := range order {
		fs := byName[name]
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].depth < fs[j].depth })
		best := fs[0]
		var ties []field
		for _, f := range fs {
			if f.depth == best.depth {
				ties = append(ties, f)
			}
		}
		if len(ties) > 1 {
			var tagged []field
			for _, f := range ties {
				if f.tagged {
					tagged = append(tagged, f)
				}
			}
			if len(tagged) != 1 {
				continue
			}
			best = tagged[0]
		}
		props[name] = best.schema
		if best.required {
			required = append(required, name)
		}
	}
	s := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		sort.Strings(required)
		s["required"] = required
	}
	return s
}

func (g *schemaGen) collect(t reflect.Type, depth int, out *[]field, visiting map[reflect.Type]bool) {
	if visiting[t] {
		return
	}
	visiting[t] = true
	defer delete(visiting, t)
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := sf.Type
		if sf.Anonymous {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if name == "" && et.Kind() == reflect.Struct {
				g.collect(et, depth+1, out, visiting)
				continue
			}
			if !sf.IsExported() && et.Kind() != reflect.Struct {
				continue
			}
		} else if !sf.IsExported() {
			continue
		}
		tagged := name != ""
		if name == "" {
			name = sf.Name
		}
		var s map[string]any
		if hasOpt(opts, "string") && isScalar(ft) {
			s = map[string]any{"type": "string"}
		} else {
			s = g.schemaOf(ft)
		}
		optional := hasOpt(opts, "omitempty") || hasOpt(opts, "omitzero") || ft.Kind() == reflect.Pointer
		*out = append(*out, field{name: name, depth: depth, tagged: tagged, schema: s, required: !optional})
	}
}

func hasOpt(opts, want string) bool {
	for _, o := range strings.Split(opts, ",") {
		if o == want {
			return true
		}
	}
	return false
}

func isScalar(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64, reflect.String:
		return true
	}
	return false
}
