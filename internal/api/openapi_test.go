package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"bulwark/internal/api"
	"bulwark/internal/httpx"
	"bulwark/internal/servertest"
	"bulwark/internal/store"
)

// resolve follows a local JSON pointer (#/components/schemas/X) in doc.
func resolve(doc map[string]any, ref string) (any, bool) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, false
	}
	var cur any = doc
	for _, part := range strings.Split(ref[2:], "/") {
		part = strings.NewReplacer("~1", "/", "~0", "~").Replace(part)
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// walkRefs calls fn for every "$ref" value anywhere in v.
func walkRefs(v any, where string, fn func(where, ref string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if k == "$ref" {
				ref, _ := val.(string)
				fn(where, ref)
				continue
			}
			walkRefs(val, where+"/"+k, fn)
		}
	case []any:
		for _, val := range x {
			walkRefs(val, where, fn)
		}
	}
}

// TestOpenAPIDocumentMatchesTheRouteTable fetches the served document and
// checks it is a well-formed OpenAPI 3 document that lists exactly the API
// routes the server registered, each with its schemas.
func TestOpenAPIDocumentMatchesTheRouteTable(t *testing.T) {
	e := servertest.New(t, store.SQLite)
	// Every API route must describe itself, with registered schemas: this
	// fails for a route added without a Doc or naming an unknown schema.
	var apiRoutes []httpx.Route
	for _, rt := range e.Server.Routes() {
		if strings.HasPrefix(rt.Pattern, "/api/") {
			apiRoutes = append(apiRoutes, rt)
			if rt.Doc == nil {
				t.Errorf("API route %s %s has no httpx.Doc", rt.Method, rt.Pattern)
			}
		}
	}
	if _, err := api.BuildOpenAPI(apiRoutes, api.Schemas()); err != nil {
		t.Fatalf("the route table does not make a document: %v", err)
	}

	res := e.NewClient().Get("/api/v1/openapi.json") // public: no token
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", res.StatusCode, res.Body)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(res.Body), &doc); err != nil {
		t.Fatal(err)
	}

	// Structure.
	if v, _ := doc["openapi"].(string); !regexp.MustCompile(`^3\.\d+\.\d+$`).MatchString(v) {
		t.Errorf("openapi = %q, want 3.x.y", v)
	}
	info, _ := doc["info"].(map[string]any)
	if info["title"] == "" || info["title"] == nil || info["version"] == "" || info["version"] == nil {
		t.Errorf("info: %v", info)
	}
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatal("no paths")
	}
	walkRefs(doc, "", func(where, ref string) {
		if _, ok := resolve(doc, ref); !ok {
			t.Errorf("%s: $ref %q does not resolve", where, ref)
		}
	})
	scheme, _ := resolve(doc, "#/components/securitySchemes/bearerAuth")
	if s, _ := scheme.(map[string]any); s["type"] != "http" || s["scheme"] != "bearer" {
		t.Errorf("bearerAuth: %v", scheme)
	}

	// Every route is in the document...
	want := map[string]httpx.Route{}
	for _, rt := range apiRoutes {
		path := api.OpenAPIPath(rt.Pattern)
		method := strings.ToLower(rt.Method)
		want[method+" "+path] = rt
		op, ok := paths[path].(map[string]any)[method].(map[string]any)
		if !ok {
			t.Errorf("route %s %s is not in the document", rt.Method, rt.Pattern)
			continue
		}
		checkOperation(t, doc, rt, path, op)
	}
	// ... and the document has nothing else.
	ids := map[string]string{}
	for path, item := range paths {
		for method, op := range item.(map[string]any) {
			if _, ok := want[method+" "+path]; !ok {
				t.Errorf("the document lists %s %s, which is no route", method, path)
			}
			id, _ := op.(map[string]any)["operationId"].(string)
			if other, dup := ids[id]; dup || id == "" {
				t.Errorf("operationId %q of %s %s repeats %s", id, method, path, other)
			}
			ids[id] = method + " " + path
		}
	}
}

func checkOperation(t *testing.T, doc map[string]any, rt httpx.Route, path string, op map[string]any) {
	t.Helper()
	key := rt.Method + " " + rt.Pattern
	if op["summary"] != rt.Doc.Summary || op["summary"] == "" {
		t.Errorf("%s: summary %v", key, op["summary"])
	}
	// Security: public routes say so; the others inherit bearerAuth.
	sec, has := op["security"]
	if rt.Public != (has && len(sec.([]any)) == 0) {
		t.Errorf("%s: public %v but security %v", key, rt.Public, sec)
	}
	// Path parameters: each {name} is declared, required.
	declared := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		pm := p.(map[string]any)
		if ref, ok := pm["$ref"].(string); ok {
			r, _ := resolve(doc, ref)
			pm = r.(map[string]any)
		}
		if pm["in"] == "path" {
			if pm["required"] != true {
				t.Errorf("%s: path parameter %v not required", key, pm["name"])
			}
			declared[pm["name"].(string)] = true
		}
		if pm["in"] == "query" && !slices.Contains(rt.Doc.Query, pm["name"].(string)) {
			t.Errorf("%s: query parameter %v is not in the Doc", key, pm["name"])
		}
	}
	for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(path, -1) {
		if !declared[m[1]] {
			t.Errorf("%s: path parameter %s not declared", key, m[1])
		}
	}
	if n := len(params); n < len(rt.Doc.Query) {
		t.Errorf("%s: %d parameters for %d query names", key, n, len(rt.Doc.Query))
	}
	// Bodies.
	status := rt.Doc.Status
	if status == 0 {
		status = 200
	}
	responses, _ := op["responses"].(map[string]any)
	ok, _ := responses[itoa(status)].(map[string]any)
	if ok == nil {
		t.Errorf("%s: no %d response", key, status)
		return
	}
	for _, code := range []string{"4XX", "5XX"} {
		r, _ := responses[code].(map[string]any)
		if r["$ref"] != "#/components/responses/Error" {
			t.Errorf("%s: %s response %v", key, code, r)
		}
	}
	content, _ := ok["content"].(map[string]any)
	switch {
	case rt.Doc.Binary != "":
		if _, has := content[rt.Doc.Binary]; !has {
			t.Errorf("%s: binary response not %s: %v", key, rt.Doc.Binary, content)
		}
	case rt.Doc.Response != "":
		schema := content["application/json"].(map[string]any)["schema"].(map[string]any)
		ref := "#/components/schemas/" + rt.Doc.Response
		if rt.Doc.Paginated {
			props := schema["properties"].(map[string]any)
			for _, p := range []string{"items", "total", "page", "per_page"} {
				if _, has := props[p]; !has {
					t.Errorf("%s: paginated response lacks %s", key, p)
				}
			}
			if props["items"].(map[string]any)["items"].(map[string]any)["$ref"] != ref {
				t.Errorf("%s: list items %v", key, props["items"])
			}
		} else if schema["$ref"] != ref {
			t.Errorf("%s: response schema %v, want %s", key, schema, ref)
		}
	case status != http.StatusNoContent && rt.Doc.Response == "":
		if content != nil {
			t.Errorf("%s: content without a Response", key)
		}
	}
	body, hasBody := op["requestBody"].(map[string]any)
	switch {
	case rt.Doc.Multipart:
		if _, ok := body["content"].(map[string]any)["multipart/form-data"]; !ok {
			t.Errorf("%s: multipart request body missing: %v", key, body)
		}
	case rt.Doc.Request != "":
		schema := body["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
		if schema["$ref"] != "#/components/schemas/"+rt.Doc.Request {
			t.Errorf("%s: request schema %v", key, schema)
		}
	case hasBody:
		t.Errorf("%s: request body without a Request", key)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestOpenAPIRefusesUndescribedRoutes: the generator (and so the served
// document and the test above) fails for an API route without a Doc, or
// whose Doc names a schema nobody registered.
func TestOpenAPIRefusesUndescribedRoutes(t *testing.T) {
	h := func(http.ResponseWriter, *http.Request) {}
	good := httpx.Route{Method: "GET", Pattern: "/api/v1/me", Handler: h, Doc: &httpx.Doc{Summary: "me", Response: "Me"}}
	for _, tc := range []struct {
		name  string
		route httpx.Route
		want  string
	}{
		{"no Doc", httpx.Route{Method: "GET", Pattern: "/api/v1/widgets", Handler: h}, "GET /api/v1/widgets has no Doc"},
		{"unknown response", httpx.Route{Method: "GET", Pattern: "/api/v1/widgets", Handler: h,
			Doc: &httpx.Doc{Summary: "w", Response: "Widget"}}, `"Widget", which is not registered`},
		{"unknown request", httpx.Route{Method: "POST", Pattern: "/api/v1/widgets", Handler: h,
			Doc: &httpx.Doc{Summary: "w", Request: "WidgetInput", Response: "Me"}}, `"WidgetInput", which is not registered`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := api.BuildOpenAPI([]httpx.Route{good, tc.route}, api.Schemas())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
	// Routes outside /api/ (the UI) need no Doc.
	ui := httpx.Route{Method: "GET", Pattern: "/assets", Handler: h}
	if _, err := api.BuildOpenAPI([]httpx.Route{good, ui}, api.Schemas()); err != nil {
		t.Fatal(err)
	}
}

// Types for the reflection test.
type (
	level string
	inner struct{ Deep int }
	Base  struct {
		ID      int64     `json:"id"`
		Created time.Time `json:"created_at"`
		Shadow  string    `json:"shadow"`
	}
	node struct {
		Name     string  `json:"name"`
		Children []*node `json:"children,omitempty"`
	}
	sample struct {
		Base
		*inner
		Shadow   int               `json:"shadow"` // hides Base.Shadow
		Level    level             `json:"level"`
		Tags     []string          `json:"tags"`
		Counts   map[string]int    `json:"counts"`
		Nested   map[string][]Base `json:"nested,omitempty"`
		Maybe    *string           `json:"maybe"`
		MaybeObj *Base             `json:"maybe_obj"`
		When     *time.Time        `json:"when,omitzero"`
		Raw      json.RawMessage   `json:"raw"`
		Any      any               `json:"any"`
		Blob     []byte            `json:"blob"`
		Quoted   int64             `json:"quoted,string"`
		Skipped  string            `json:"-"`
		secret   string
		Untagged bool
		Tree     node `json:"tree"`
		Ratio    float64
	}
)

func TestOpenAPISchemaReflection(t *testing.T) {
	_ = sample{}.secret
	h := func(http.ResponseWriter, *http.Request) {}
	doc, err := api.BuildOpenAPI([]httpx.Route{{Method: "GET", Pattern: "/api/v1/samples/{id}/files/{path...}", Handler: h,
		Doc: &httpx.Doc{Summary: "s", Response: "Sample"}}}, map[string]any{"Sample": sample{}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(doc)
	var d map[string]any
	_ = json.Unmarshal(b, &d)
	get := func(ref string) map[string]any {
		v, ok := resolve(d, ref)
		if !ok {
			t.Fatalf("%s not in the document", ref)
		}
		return v.(map[string]any)
	}
	s := get("#/components/schemas/Sample")
	props := s["properties"].(map[string]any)
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	for _, tc := range []struct{ prop, want string }{
		{"id", `{"format":"int64","type":"integer"}`},                                              // embedded struct flattened
		{"created_at", `{"format":"date-time","type":"string"}`},                                   // time.Time
		{"Deep", `{"format":"int64","type":"integer"}`},                                            // embedded pointer to unexported struct
		{"shadow", `{"format":"int64","type":"integer"}`},                                          // the outer field wins
		{"level", `{"type":"string"}`},                                                             // named string type
		{"tags", `{"items":{"type":"string"},"type":"array"}`},                                     // slice
		{"counts", `{"additionalProperties":{"format":"int64","type":"integer"},"type":"object"}`}, // map
		{"nested", `{"additionalProperties":{"items":{"$ref":"#/components/schemas/Base"},"type":"array"},"type":"object"}`},
		{"maybe", `{"nullable":true,"type":"string"}`},                                    // pointer
		{"maybe_obj", `{"allOf":[{"$ref":"#/components/schemas/Base"}],"nullable":true}`}, // pointer to a component
		{"when", `{"format":"date-time","nullable":true,"type":"string"}`},
		{"blob", `{"format":"byte","type":"string"}`},
		{"quoted", `{"type":"string"}`},
		{"Untagged", `{"type":"boolean"}`},
		{"Ratio", `{"format":"double","type":"number"}`},
		{"tree", `{"$ref":"#/components/schemas/node"}`},
	} {
		if got := js(props[tc.prop]); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.prop, got, tc.want)
		}
	}
	for _, absent := range []string{"Skipped", "secret", "Base", "inner", "-"} {
		if _, has := props[absent]; has {
			t.Errorf("property %s should not be there", absent)
		}
	}
	// The properties are exactly the keys encoding/json writes.
	now := time.Now()
	full, _ := json.Marshal(sample{inner: &inner{}, Nested: map[string][]Base{"a": nil}, When: &now, Raw: json.RawMessage(`1`),
		Tree: node{Children: []*node{{}}}})
	var keys map[string]any
	_ = json.Unmarshal(full, &keys)
	if len(keys) != len(props) {
		t.Errorf("encoding/json writes %d keys, the schema has %d properties", len(keys), len(props))
	}
	for k := range keys {
		if _, has := props[k]; !has {
			t.Errorf("encoding/json writes %q, the schema lacks it", k)
		}
	}
	req := js(s["required"])
	for _, r := range []string{`"id"`, `"tags"`, `"shadow"`, `"Untagged"`} {
		if !strings.Contains(req, r) {
			t.Errorf("required %s lacks %s", req, r)
		}
	}
	for _, opt := range []string{`"nested"`, `"maybe"`, `"when"`, `"maybe_obj"`} {
		if strings.Contains(req, opt) {
			t.Errorf("required %s has optional %s", req, opt)
		}
	}
	// A recursive type is a component that refers to itself.
	tree := get("#/components/schemas/node")
	if got := js(tree["properties"].(map[string]any)["children"]); got != `{"items":{"allOf":[{"$ref":"#/components/schemas/node"}],"nullable":true},"type":"array"}` {
		t.Errorf("recursive children: %s", got)
	}
	// Path parameters: {id} is an integer, {path...} a string named path.
	op := get("#/paths/~1api~1v1~1samples~1{id}~1files~1{path}/get")
	if got := js(op["parameters"]); !strings.Contains(got, `"name":"id","required":true,"schema":{"format":"int64","type":"integer"}`) ||
		!strings.Contains(got, `"name":"path","required":true,"schema":{"type":"string"}`) {
		t.Errorf("parameters: %s", got)
	}
	// A type JSON cannot encode is an error, not a silent empty schema.
	if _, err := api.BuildOpenAPI(nil, map[string]any{"Bad": struct {
		C chan int `json:"c"`
	}{}}); err == nil || !strings.Contains(err.Error(), "chan") {
		t.Errorf("a channel field: %v", err)
	}
}
