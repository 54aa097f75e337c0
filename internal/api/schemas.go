package api

import (
	"sync"

	"bulwark/internal/audit"
)

// schemas maps the names used in httpx.Doc (Request, Response) to a value of
// the Go type that is sent or received; the OpenAPI document reflects over
// these types. Each resource file registers its own in an init function.
var (
	schemasMu sync.Mutex
	schemas   = map[string]any{}
)

func registerSchema(name string, v any) {
	schemasMu.Lock()
	defer schemasMu.Unlock()
	if _, dup := schemas[name]; dup {
		panic("api: schema registered twice: " + name)
	}
	schemas[name] = v
}

func init() {
	registerSchema("Me", Me{})
	registerSchema("Asset", AssetJSON{})
	registerSchema("AssetInput", assetInput{})
	registerSchema("Change", audit.Change{})
	registerSchema("ChangeList", ChangeList{})
}

// ChangeList is an object's own audit history, newest first: what the
// history endpoints return.
type ChangeList struct {
	Items []audit.Change `json:"items"`
}
