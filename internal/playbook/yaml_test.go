package playbook_test

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"bulwark/internal/incident"
	"bulwark/internal/playbook"
)

// The defaults are the seed's three procedures plus ransomware, data
// leakage and DDoS, each with steps in several phases.
func TestDefaults(t *testing.T) {
	want := map[string][]string{
		"web-content": {"IC", "NA-09"}, "hacking": {"NA"}, "virus": {"MP"},
		"ransomware": {"MP-07"}, "data-leak": {"DS-03"}, "ddos": {"NA-08"},
	}
	ds := playbook.Defaults()
	if len(ds) != len(want) {
		t.Fatalf("%d defaults, want %d", len(ds), len(want))
	}
	for _, p := range ds {
		cats, ok := want[p.Key]
		if !ok {
			t.Errorf("unexpected default %s", p.Key)
			continue
		}
		for _, c := range cats {
			if !strings.Contains(","+strings.Join(p.Categories, ",")+",", ","+c+",") {
				t.Errorf("%s does not cover %s: %v", p.Key, c, p.Categories)
			}
		}
		if !p.Enabled || p.Source != playbook.SourceDefault || p.NameZh == "" || p.NameEn == "" {
			t.Errorf("%s: %+v", p.Key, p)
		}
		phases := p.ByPhase()
		if len(phases) < 4 {
			t.Errorf("%s has steps in %d phases only", p.Key, len(phases))
		}
		for _, ph := range []incident.Phase{incident.PhaseContainment, incident.PhaseRecovery, incident.PhaseSummary} {
			found := false
			for _, g := range phases {
				found = found || g.Phase == ph
			}
			if !found {
				t.Errorf("%s has no %s step", p.Key, ph)
			}
		}
		for _, s := range p.Steps {
			if s.Due == "" || s.Role == "" {
				t.Errorf("%s: step %q lacks a due offset or a role", p.Key, s.Title)
			}
		}
		// The cross-organisation tests look for this marker in pages.
		if strings.Contains(strings.ToLower(p.NameEn+p.Description), "orga") {
			t.Errorf("%s: text contains the test marker", p.Key)
		}
	}
}

// strip leaves the data a file carries (not where it is stored).
func strip(ps []playbook.Playbook) []playbook.Playbook {
	out := make([]playbook.Playbook, len(ps))
	for i, p := range ps {
		p.Source = ""
		out[i] = p
	}
	return out
}

// Export → import gives the same playbooks, and exporting again the same
// bytes.
func TestYAMLRoundTrip(t *testing.T) {
	in := playbook.Defaults()
	in[0].Enabled = false
	in[1].Description = "多行说明\n第二行：带冒号、# 井号、'引号' \"双引号\"\n\n  缩进行"
	in[2].Steps[0].Notes = "- 像列表\n- 的说明"
	in[3].NameEn = ""
	var a bytes.Buffer
	if err := playbook.WriteYAML(&a, in); err != nil {
		t.Fatal(err)
	}
	got, issues := playbook.ParsePlaybooks(a.Bytes())
	if len(issues) > 0 {
		t.Fatalf("issues: %+v\n%s", issues, a.String())
	}
	if !reflect.DeepEqual(strip(got), strip(in)) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", strip(got), strip(in))
	}
	var b bytes.Buffer
	if err := playbook.WriteYAML(&b, got); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Errorf("second export differs")
	}
	if !strings.HasPrefix(a.String(), "# Bulwark playbooks") || !strings.Contains(a.String(), "version: 1") {
		t.Errorf("export lacks its header:\n%.300s", a.String())
	}
	// Phases come in PDCERF order in the file.
	s := a.String()
	if i, j := strings.Index(s, "detection:"), strings.Index(s, "containment:"); i < 0 || j < i {
		t.Errorf("phases out of order")
	}
}

const goodFile = `version: 1
playbooks:
  - key: phishing
    name_zh: 钓鱼邮件处置
    categories: [na-02]
    steps:
      detection:
        - title: 收集邮件样本
          due: 90m
          role: responder
      containment:
        - title: 删除同批邮件
`

func TestParseGood(t *testing.T) {
	ps, issues := playbook.ParsePlaybooks([]byte(goodFile))
	if len(issues) > 0 || len(ps) != 1 {
		t.Fatalf("%+v %+v", ps, issues)
	}
	p := ps[0]
	if !p.Enabled || p.Categories[0] != "NA-02" || p.Steps[0].Due != "1h30m" || p.Steps[1].Phase != incident.PhaseContainment || p.Steps[1].Due != "" {
		t.Errorf("parsed %+v", p)
	}
}

// Each bad file is refused with issues that name the playbook, the step
// and the field.
func TestParseIssues(t *testing.T) {
	for _, c := range []struct {
		name, file string
		want       []string // Path + " " + code of each issue, in order
	}{
		{"empty", "  \n", []string{"file err.playbook_file_empty"}},
		{"not yaml", "version: [1", []string{"file err.playbook_yaml"}},
		{"unknown field", strings.Replace(goodFile, "due: 90m", "due: 90m\n          owner: x", 1), []string{"file err.playbook_yaml"}},
		{"unknown phase", strings.Replace(goodFile, "containment:", "contain:", 1), []string{"file err.playbook_yaml"}},
		{"wrong version", strings.Replace(goodFile, "version: 1", "version: 2", 1), []string{"version err.playbook_version"}},
		{"no version", strings.Replace(goodFile, "version: 1\n", "", 1), []string{"version err.playbook_version"}},
		{"two documents", goodFile + "---\nversion: 1\n", []string{"file err.playbook_file_documents"}},
		{"no playbooks", "version: 1\nplaybooks: []\n", []string{"playbooks err.playbook_file_none"}},
		{"step without title", strings.Replace(goodFile, "- title: 删除同批邮件", "- notes: 说明", 1),
			[]string{"phishing.steps.containment.1.title err.required"}},
		{"bad due and role", strings.NewReplacer("due: 90m", "due: soon", "role: responder", "role: boss").Replace(goodFile),
			[]string{"phishing.steps.detection.1.due err.playbook_due", "phishing.steps.detection.1.role err.invalid_choice"}},
		{"due too far", strings.Replace(goodFile, "due: 90m", "due: 400d", 1), []string{"phishing.steps.detection.1.due err.playbook_due_far"}},
		{"bad key", strings.Replace(goodFile, "key: phishing", "key: Phish ing", 1), []string{"#1.key err.playbook_key"}},
		{"no name no categories", strings.NewReplacer("name_zh: 钓鱼邮件处置", "name_zh: ' '", "categories: [na-02]", "categories: []").Replace(goodFile),
			[]string{"phishing.name_zh err.required", "phishing.categories err.playbook_categories"}},
		{"no steps", "version: 1\nplaybooks:\n  - key: x1\n    name_zh: 空\n    categories: [NA]\n", []string{"x1.steps err.playbook_steps"}},
		{"key twice", goodFile + strings.SplitN(goodFile, "playbooks:\n", 2)[1], []string{"phishing.key err.playbook_key_twice"}},
	} {
		_, issues := playbook.ParsePlaybooks([]byte(c.file))
		var got []string
		for _, i := range issues {
			got = append(got, i.Path()+" "+i.Key)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: issues %q, want %q", c.name, got, c.want)
		}
	}
}

// The parser's messages name the line, not Go types.
func TestParseMessage(t *testing.T) {
	_, issues := playbook.ParsePlaybooks([]byte(strings.Replace(goodFile, "due: 90m", "due: 90m\n          owner: x", 1)))
	if len(issues) != 1 {
		t.Fatalf("%+v", issues)
	}
	msg := issues[0].Args[0].(string)
	if !strings.Contains(msg, "line 10") || !strings.Contains(msg, "owner") || strings.Contains(msg, "playbook.") {
		t.Errorf("message %q", msg)
	}
}

func TestParseTooLarge(t *testing.T) {
	big := goodFile + "# " + strings.Repeat("x", playbook.MaxFileSize) + "\n"
	_, issues := playbook.ParsePlaybooks([]byte(big))
	if len(issues) != 1 || issues[0].Key != "err.playbook_file_size" {
		t.Errorf("%+v", issues)
	}
}

// Within a phase the defaults' steps are due in their order, so the task
// list (by due date) shows them as the playbook lists them.
func TestDefaultsDueInOrder(t *testing.T) {
	for _, p := range playbook.Defaults() {
		for _, g := range p.ByPhase() {
			for i := 1; i < len(g.Steps); i++ {
				if g.Steps[i].Offset() < g.Steps[i-1].Offset() {
					t.Errorf("%s %s: %q (%s) is due before %q (%s)", p.Key, g.Phase, g.Steps[i].Title, g.Steps[i].Due,
						g.Steps[i-1].Title, g.Steps[i-1].Due)
				}
			}
		}
	}
}

// A class covers its sub-categories; a sub-category does not cover an
// incident filed under its class only.
func TestMatch(t *testing.T) {
	p := playbook.Playbook{Categories: []string{"MP", "NA-09"}}
	for _, c := range []struct {
		code, parent string
		ok, specific bool
	}{
		{"MP-07", "MP", true, false},
		{"MP", "", true, true},
		{"NA-09", "NA", true, true},
		{"NA", "", false, false},
		{"NA-08", "NA", false, false},
		{"", "", false, false},
	} {
		ok, specific := playbook.Match(p, c.code, c.parent)
		if ok != c.ok || specific != c.specific {
			t.Errorf("Match(%s) = %v, %v; want %v, %v", c.code, ok, specific, c.ok, c.specific)
		}
	}
}
