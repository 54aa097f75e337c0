package playbook_test

import (
	"bytes"
	"reflect"
	"testing"

	"bulwark/internal/playbook"
)

// FuzzParsePlaybooks feeds the parser arbitrary bytes (seeds under
// testdata/fuzz/FuzzParsePlaybooks plus the defaults). It must never
// panic, and whatever it accepts must export and parse back to the same
// playbooks: the round trip holds for every valid file, not only ours.
func FuzzParsePlaybooks(f *testing.F) {
	var def bytes.Buffer
	if err := playbook.WriteYAML(&def, playbook.Defaults()); err != nil {
		f.Fatal(err)
	}
	f.Add(def.Bytes())
	f.Add([]byte(goodFile))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, issues := playbook.ParsePlaybooks(data)
		for _, i := range issues {
			if i.Key == "" || i.Path() == "" {
				t.Fatalf("issue without code or place: %+v", i)
			}
		}
		if len(issues) > 0 {
			return
		}
		if len(ps) == 0 {
			t.Fatal("no playbooks and no issue")
		}
		var out bytes.Buffer
		if err := playbook.WriteYAML(&out, ps); err != nil {
			t.Fatalf("export of accepted file: %v", err)
		}
		back, issues := playbook.ParsePlaybooks(out.Bytes())
		if len(issues) > 0 {
			t.Fatalf("export of accepted file is refused: %+v\n%s", issues, out.String())
		}
		if !reflect.DeepEqual(back, ps) {
			t.Fatalf("round trip differs:\n%+v\n%+v", back, ps)
		}
	})
}
