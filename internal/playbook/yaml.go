package playbook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/incident"
)

// The YAML file: a version and a list of playbooks, each with its steps
// under the phases they belong to, in PDCERF order. Decoding is strict:
// an unknown field anywhere is refused (a typo would otherwise drop a step's
// notes without a word).
//
//	version: 1
//	playbooks:
//	  - key: ransomware
//	    name_zh: 勒索软件处置
//	    name_en: Ransomware response
//	    categories: [MP-07]
//	    enabled: true
//	    steps:
//	      containment:
//	        - title: 断网隔离受感染主机
//	          notes: ...
//	          due: 15m
//	          role: responder

// FormatVersion is the version of the file this Bulwark reads and writes.
const FormatVersion = 1

// MaxFileSize bounds a YAML file: the six defaults take about 20 KB.
const MaxFileSize = 1 << 20

type fileDoc struct {
	Version   int           `yaml:"version"`
	Playbooks []docPlaybook `yaml:"playbooks"`
}

type docPlaybook struct {
	Key         string    `yaml:"key"`
	NameZh      string    `yaml:"name_zh"`
	NameEn      string    `yaml:"name_en,omitempty"`
	Description string    `yaml:"description,omitempty"`
	Categories  []string  `yaml:"categories,flow"`
	Enabled     *bool     `yaml:"enabled,omitempty"` // absent = enabled
	Steps       docPhases `yaml:"steps"`
}

// docPhases has one list per phase, so the file lists them in PDCERF order
// and a phase name that is not one is refused as an unknown field.
type docPhases struct {
	Preparation []docStep `yaml:"preparation,omitempty"`
	Detection   []docStep `yaml:"detection,omitempty"`
	Containment []docStep `yaml:"containment,omitempty"`
	Eradication []docStep `yaml:"eradication,omitempty"`
	Recovery    []docStep `yaml:"recovery,omitempty"`
	Summary     []docStep `yaml:"summary,omitempty"`
}

// lists are the phases' lists in StepPhases order.
func (d *docPhases) lists() []*[]docStep {
	return []*[]docStep{&d.Preparation, &d.Detection, &d.Containment, &d.Eradication, &d.Recovery, &d.Summary}
}

type docStep struct {
	Title string `yaml:"title"`
	Notes string `yaml:"notes,omitempty"`
	Due   string `yaml:"due,omitempty"`
	Role  string `yaml:"role,omitempty"`
}

// Issue is one problem of a file, named so a person can find it: the
// playbook (its key, or "#n" when it has none), the phase and step (the
// step's place in its phase, from 1) and the field.
type Issue struct {
	Playbook string         `json:"playbook,omitempty"`
	Phase    incident.Phase `json:"phase,omitempty"`
	Step     int            `json:"step,omitempty"`
	Field    string         `json:"field"`
	Key      string         `json:"code"`
	Args     []any          `json:"-"`
}

// Path is where the issue is, as a field path:
// "ransomware.steps.containment.2.title", "#3.key", "file".
func (i Issue) Path() string {
	var parts []string
	if i.Playbook != "" {
		parts = append(parts, i.Playbook)
	}
	if i.Phase != "" {
		parts = append(parts, "steps", string(i.Phase), fmt.Sprint(i.Step))
	}
	if i.Field != "" {
		parts = append(parts, i.Field)
	}
	return strings.Join(parts, ".")
}

// FieldError is the issue as a field error of the invalid-input error the
// surfaces show.
func (i Issue) FieldError() apperr.FieldError {
	return apperr.FieldError{Field: i.Path(), Key: i.Key, Args: i.Args}
}

// IssuesError is the invalid-input error listing issues.
func IssuesError(issues []Issue) error {
	fe := make([]apperr.FieldError, len(issues))
	for k, i := range issues {
		fe[k] = i.FieldError()
	}
	return apperr.Fields(fe)
}

// yaml.v3 names Go types in its messages ("field x not found in type
// playbook.docStep"); people need the line and the field only.
var goTypeRE = regexp.MustCompile(` in type [\w.*\[\]]+`)

func yamlIssue(err error) Issue {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msg = strings.Join(te.Errors, "; ")
	}
	msg = strings.TrimPrefix(goTypeRE.ReplaceAllString(msg, ""), "yaml: ")
	if len(msg) > 500 {
		msg = msg[:500] + "…"
	}
	return Issue{Field: "file", Key: "err.playbook_yaml", Args: []any{msg}}
}

// ParsePlaybooks reads a YAML file and checks every playbook in it against
// everything that needs no database (the category codes' existence is the
// service's to check). It returns the playbooks, normalised and with
// their steps in phase order, and every problem found; a file with any
// issue must not be applied. Issues name the playbook, step and field.
func ParsePlaybooks(data []byte) ([]Playbook, []Issue) {
	return parse(data, nil)
}

func parse(data []byte, known func(string) bool) ([]Playbook, []Issue) {
	if len(data) > MaxFileSize {
		return nil, []Issue{{Field: "file", Key: "err.playbook_file_size", Args: []any{MaxFileSize >> 10}}}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, []Issue{{Field: "file", Key: "err.playbook_file_empty"}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var doc fileDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, []Issue{yamlIssue(err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, []Issue{{Field: "file", Key: "err.playbook_file_documents"}}
	}
	if doc.Version != FormatVersion {
		return nil, []Issue{{Field: "version", Key: "err.playbook_version", Args: []any{FormatVersion}}}
	}
	if len(doc.Playbooks) == 0 {
		return nil, []Issue{{Field: "playbooks", Key: "err.playbook_file_none"}}
	}
	var out []Playbook
	var issues []Issue
	seen := map[string]int{}
	for n, d := range doc.Playbooks {
		p, where := fromDoc(d)
		name := strings.TrimSpace(d.Key)
		if !keyRE.MatchString(name) {
			name = fmt.Sprintf("#%d", n+1)
		}
		p.normalize()
		for _, fe := range p.validate(known) {
			is := Issue{Playbook: name, Field: fe.Field, Key: fe.Key, Args: fe.Args}
			if i, field, ok := SplitStepField(fe.Field); ok && i < len(where) {
				is.Phase, is.Step, is.Field = where[i].phase, where[i].n, field
			}
			issues = append(issues, is)
		}
		if k, dup := seen[p.Key]; dup && p.Key != "" {
			issues = append(issues, Issue{Playbook: name, Field: "key", Key: "err.playbook_key_twice", Args: []any{k}})
		}
		seen[p.Key] = n + 1
		p.sortSteps()
		out = append(out, p)
	}
	return out, issues
}

// stepPlace is where a flattened step came from: its phase and its place
// in the phase's list, from 1.
type stepPlace struct {
	phase incident.Phase
	n     int
}

func fromDoc(d docPlaybook) (Playbook, []stepPlace) {
	p := Playbook{Key: d.Key, NameZh: d.NameZh, NameEn: d.NameEn, Description: d.Description,
		Categories: d.Categories, Enabled: d.Enabled == nil || *d.Enabled}
	var where []stepPlace
	for k, list := range d.Steps.lists() {
		for n, s := range *list {
			p.Steps = append(p.Steps, Step{Phase: StepPhases[k], Title: s.Title, Notes: s.Notes, Due: s.Due, Role: auth.Role(s.Role)})
			where = append(where, stepPlace{StepPhases[k], n + 1})
		}
	}
	return p, where
}

func toDoc(p Playbook) docPlaybook {
	enabled := p.Enabled
	d := docPlaybook{Key: p.Key, NameZh: p.NameZh, NameEn: p.NameEn, Description: p.Description,
		Categories: p.Categories, Enabled: &enabled}
	lists := d.Steps.lists()
	for _, s := range p.Steps {
		k := indexOf(s.Phase)
		if k < 0 {
			continue // valid playbooks have none
		}
		*lists[k] = append(*lists[k], docStep{Title: s.Title, Notes: s.Notes, Due: s.Due, Role: string(s.Role)})
	}
	return d
}

func indexOf(p incident.Phase) int {
	for k, ph := range StepPhases {
		if ph == p {
			return k
		}
	}
	return -1
}

// yamlHeader opens every exported file, so a person who finds one knows
// what it is and how to bring it back.
const yamlHeader = "# Bulwark playbooks (应急处置剧本). Import: Playbooks → Import, or bulwark import playbooks FILE.\n" +
	"# Steps are listed under their phase; due is an offset from when the playbook is applied (30m, 4h, 1d12h).\n"

// WriteYAML writes playbooks as one YAML file.
func WriteYAML(w io.Writer, playbooks []Playbook) error {
	doc := fileDoc{Version: FormatVersion, Playbooks: make([]docPlaybook, 0, len(playbooks))}
	for _, p := range playbooks {
		doc.Playbooks = append(doc.Playbooks, toDoc(p))
	}
	if _, err := io.WriteString(w, yamlHeader); err != nil {
		return fmt.Errorf("write playbooks: %w", err)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write playbooks: %w", err)
	}
	return enc.Close()
}
