package audit

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// Change is one record of an object's history, with the fields it changed.
type Change struct {
	Seq    int64         `json:"seq"`
	At     time.Time     `json:"at"`
	Actor  string        `json:"actor"`
	Action string        `json:"action"`
	Fields []FieldChange `json:"fields,omitempty"`
}

// FieldChange is one field's old and new value, as text.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// ignoredFields change on every write and say nothing to a reader.
var ignoredFields = map[string]bool{"updated_at": true, "created_at": true}

// Diff lists the top-level fields that differ between two JSON objects.
func Diff(before, after string) []FieldChange {
	var b, a map[string]any
	_ = json.Unmarshal([]byte(before), &b)
	_ = json.Unmarshal([]byte(after), &a)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	var out []FieldChange
	for k := range keys {
		if ignoredFields[k] {
			continue
		}
		o, n := text(b[k]), text(a[k])
		if o != n {
			out = append(out, FieldChange{Field: k, Old: o, New: n})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	return out
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return fmt.Sprint(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// Changes turns entries into history lines.
func Changes(entries []Entry) []Change {
	out := make([]Change, 0, len(entries))
	for _, e := range entries {
		out = append(out, Change{Seq: e.Seq, At: e.At, Actor: e.Actor, Action: e.Action, Fields: Diff(e.Before, e.After)})
	}
	return out
}
