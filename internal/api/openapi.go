package api

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"

	"bulwark/internal/apperr"
	"bulwark/internal/httpx"
)

// The OpenAPI document is generated from the route table and the registered
// schemas, never written by hand: a route cannot be added without appearing
// in it, and BuildOpenAPI fails for an API route without a Doc or with a Doc
// naming a schema nobody registered (the test in openapi_test.go and the
// route table test both catch that).

func (h *API) openapiRoutes() []httpx.Route {
	return []httpx.Route{
		{Method: "GET", Pattern: "/api/v1/openapi.json", Public: true, Handler: h.openapi,
			Doc: &httpx.Doc{Summary: "This OpenAPI 3 document", Tag: "meta", Response: "OpenAPIDocument"}},
	}
}

func init() {
	registerSchema("OpenAPIDocument", map[string]any{})
}

// openapiDoc caches the document: routes and schemas are fixed once the
// process has started.
type openapiDoc struct {
	once sync.Once
	body map[string]any
	err  error
}

var served openapiDoc

func (h *API) openapi(w http.ResponseWriter, r *http.Request) {
	served.once.Do(func() { served.body, served.err = BuildOpenAPI(h.Routes(), Schemas()) })
	if served.err != nil {
		httpx.WriteError(w, r, apperr.Wrap(served.err, "build OpenAPI document"))
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	httpx.WriteJSON(w, http.StatusOK, served.body)
}

// Schemas returns a copy of the registered schemas (name → example value).
func Schemas() map[string]any {
	schemasMu.Lock()
	defer schemasMu.Unlock()
	out := make(map[string]any, len(schemas))
	for k, v := range schemas {
		out[k] = v
	}
	return out
}

// OpenAPIPath turns a net/http pattern into an OpenAPI path template:
// {name...} becomes {name}, and the {$} end anchor goes.
func OpenAPIPath(pattern string) string {
	p := strings.ReplaceAll(pattern, "{$}", "")
	return strings.ReplaceAll(p, "...}", "}")
}

// pathParams lists the {name} wildcards of a pattern in order.
func pathParams(pattern string) []string {
	var out []string
	for _, seg := range strings.Split(pattern, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") && seg != "{$}" {
			out = append(out, strings.TrimSuffix(strings.Trim(seg, "{}"), "..."))
		}
	}
	return out
}

// BuildOpenAPI makes the OpenAPI 3.0 document of every route under /api/.
func BuildOpenAPI(routes []httpx.Route, registered map[string]any) (map[string]any, error) {
	g := newSchemaGen()
	names := make([]string, 0, len(registered))
	for name := range registered {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		g.register(name, registered[name])
	}
	for _, name := range names {
		g.component(name, registered[name])
	}
	errName := g.nameFor(reflect.TypeFor[httpx.ErrorBody]())
	g.schemaOf(reflect.TypeFor[httpx.ErrorBody]())

	var problems []string
	paths := map[string]any{}
	tags := map[string]bool{}
	opIDs := map[string]string{}
	for _, rt := range routes {
		if !strings.HasPrefix(rt.Pattern, "/api/") {
			continue
		}
		key := rt.Method + " " + rt.Pattern
		if rt.Doc == nil {
			problems = append(problems, key+" has no Doc")
			continue
		}
		for _, s := range []string{rt.Doc.Request, rt.Doc.Response} {
			if _, ok := registered[s]; s != "" && !ok {
				problems = append(problems, fmt.Sprintf("%s names schema %q, which is not registered (registerSchema)", key, s))
			}
		}
		op := g.operation(rt, errName)
		id := operationID(rt.Method, rt.Pattern)
		if other, dup := opIDs[id]; dup {
			problems = append(problems, fmt.Sprintf("%s and %s share operationId %s", key, other, id))
		}
		opIDs[id] = key
		op["operationId"] = id
		if rt.Doc.Tag != "" {
			tags[rt.Doc.Tag] = true
		}
		path := OpenAPIPath(rt.Pattern)
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		method := strings.ToLower(rt.Method)
		if _, dup := item[method]; dup {
			problems = append(problems, key+" is registered twice")
		}
		item[method] = op
	}
	problems = append(problems, g.errs...)
	if len(problems) > 0 {
		return nil, errors.New("openapi: " + strings.Join(problems, "; "))
	}

	tagList := []any{}
	for _, t := range sortedKeys(tags) {
		tagList = append(tagList, map[string]any{"name": t})
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "Bulwark API",
			"version": "1",
			"description": "JSON API of Bulwark. Authenticate with a personal API token " +
				"(Authorization: Bearer bwk_...); choose the organisation with the X-Bulwark-Org header. " +
				"Errors have one shape (ErrorBody); messages follow the caller's language.",
		},
		"tags":     tagList,
		"paths":    paths,
		"security": []any{map[string]any{"bearerAuth": []any{}}},
		"components": map[string]any{
			"schemas": g.components,
			"securitySchemes": map[string]any{
				"bearerAuth": map[string]any{"type": "http", "scheme": "bearer", "description": "A personal API token (bwk_...)."},
			},
			"parameters": map[string]any{
				"Org": map[string]any{"name": "X-Bulwark-Org", "in": "header", "required": false,
					"description": "Organisation to act in (default: the caller's first).",
					"schema":      map[string]any{"type": "integer", "format": "int64"}},
			},
			"responses": map[string]any{
				"Error": map[string]any{"description": "The request failed; see error.code and error.fields.",
					"content": map[string]any{"application/json": map[string]any{"schema": refTo(errName)}}},
			},
		},
	}, nil
}

// operation describes one route.
func (g *schemaGen) operation(rt httpx.Route, errName string) map[string]any {
	d := rt.Doc
	op := map[string]any{"summary": d.Summary}
	if d.Tag != "" {
		op["tags"] = []any{d.Tag}
	}
	var params []any
	for _, p := range pathParams(rt.Pattern) {
		s := map[string]any{"type": "string"}
		if p == "id" || strings.HasSuffix(p, "_id") {
			s = map[string]any{"type": "integer", "format": "int64"}
		}
		params = append(params, map[string]any{"name": p, "in": "path", "required": true, "schema": s})
	}
	for _, q := range d.Query {
		s := map[string]any{"type": "string"}
		if q == "page" || q == "per_page" {
			s = map[string]any{"type": "integer", "minimum": 1}
		}
		params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": s})
	}
	if rt.Public {
		op["security"] = []any{} // no token needed
	} else {
		params = append(params, map[string]any{"$ref": "#/components/parameters/Org"})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}

	switch {
	case d.Multipart:
		schema := map[string]any{"type": "object", "required": []string{"file"},
			"properties": map[string]any{"file": map[string]any{"type": "string", "format": "binary"}}}
		if d.Request != "" {
			schema = refTo(d.Request)
		}
		op["requestBody"] = map[string]any{"required": true,
			"content": map[string]any{"multipart/form-data": map[string]any{"schema": schema}}}
	case d.Request != "":
		op["requestBody"] = map[string]any{"required": true,
			"content": map[string]any{"application/json": map[string]any{"schema": refTo(d.Request)}}}
	}

	status := d.Status
	if status == 0 {
		status = http.StatusOK
	}
	ok := map[string]any{"description": http.StatusText(status)}
	switch {
	case d.Binary != "":
		ok["content"] = map[string]any{d.Binary: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
	case d.Response != "" && d.Paginated:
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.listOf(refTo(d.Response))}}
	case d.Response != "":
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": refTo(d.Response)}}
	}
	errRef := map[string]any{"$ref": "#/components/responses/Error"}
	op["responses"] = map[string]any{fmt.Sprint(status): ok, "4XX": errRef, "5XX": errRef}
	return op
}

// listOf is the paginated envelope (List[T]) around item, reflected from
// List itself so the two cannot disagree.
func (g *schemaGen) listOf(item map[string]any) map[string]any {
	s := g.structSchema(reflect.TypeFor[List[struct{}]]())
	props := s["properties"].(map[string]any)
	props["items"] = map[string]any{"type": "array", "items": item}
	return s
}

// operationID names an operation from its method and path:
// GET /api/v1/assets/{id}/history -> getAssetsIdHistory.
func operationID(method, pattern string) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(method))
	p := strings.TrimPrefix(OpenAPIPath(pattern), "/api/v1")
	for _, seg := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '{' || r == '}' || r == '_' || r == '-' || r == '.' }) {
		b.WriteString(strings.ToUpper(seg[:1]) + seg[1:])
	}
	return b.String()
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
