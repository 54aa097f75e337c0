// Package playbook holds playbooks (issue 3, point 6): procedures kept as
// data that turn into an incident's tasks, phase by phase (PDCERF). A
// playbook names the GB/T 20986 categories it applies to; Bulwark suggests
// the matching ones on an incident, and applying one creates its steps as
// tasks (package task) in their phases, due at offsets from that moment.
//
// Six default playbooks ship with Bulwark (defaults.yaml: the seed's
// 应急处置程序与措施 for inappropriate content, hacker attacks and
// viruses, plus ransomware, data leakage and DDoS) and every organisation
// sees them. An organisation adds its own and changes or disables a default
// by keeping its own copy under the default's key (copy-on-write). Playbooks
// move in and out as YAML (ParsePlaybooks, WriteYAML).
//
// The package also keeps the tasks of an incident's phases (object type
// "incident", group = phase), which playbooks generate and people add.
package playbook

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/auth"
	"bulwark/internal/incident"
)

// Source says where a playbook an organisation sees comes from.
type Source string

const (
	SourceDefault    Source = "default"    // shipped with Bulwark, unchanged here
	SourceCustomised Source = "customised" // this organisation's copy of a default
	SourceCustom     Source = "custom"     // this organisation's own
)

// Step is one task a playbook creates.
type Step struct {
	Phase incident.Phase `json:"phase"`
	Title string         `json:"title"`
	// Notes are the instructions the task carries.
	Notes string `json:"notes"`
	// Due is the offset from the playbook's application to the task's due
	// date ("30m", "4h", "1d12h"); "" means no due date.
	Due string `json:"due"`
	// Role is the role suggested to carry the step out ("" = none).
	Role auth.Role `json:"role"`
}

// Offset is the step's due offset (0 = no due date). Valid steps parse.
func (s Step) Offset() time.Duration {
	d, _ := ParseOffset(s.Due)
	return d
}

// Playbook is a procedure: what it applies to and its steps, in phase
// order and, within a phase, in the order they are to be done.
type Playbook struct {
	Key         string   `json:"key"`
	NameZh      string   `json:"name_zh"`
	NameEn      string   `json:"name_en"`
	Description string   `json:"description"`
	Categories  []string `json:"categories"`
	Enabled     bool     `json:"enabled"`
	Steps       []Step   `json:"steps"`
	// Source and UpdatedAt describe the stored playbook; input ignores them.
	Source    Source    `json:"source"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Name is the playbook's name in lang (the Chinese one when no English
// name was given).
func (p Playbook) Name(lang string) string {
	if lang == "en" && p.NameEn != "" {
		return p.NameEn
	}
	return p.NameZh
}

// PhaseSteps are the steps of one phase.
type PhaseSteps struct {
	Phase incident.Phase
	Steps []Step
}

// ByPhase groups the steps by phase, in phase order, leaving out phases
// without steps.
func (p Playbook) ByPhase() []PhaseSteps {
	var out []PhaseSteps
	for _, ph := range StepPhases {
		var ss []Step
		for _, s := range p.Steps {
			if s.Phase == ph {
				ss = append(ss, s)
			}
		}
		if len(ss) > 0 {
			out = append(out, PhaseSteps{Phase: ph, Steps: ss})
		}
	}
	return out
}

// StepPhases are the phases steps (and tasks) belong to: every PDCERF
// phase; closed is a state, not a phase of work.
var StepPhases = slices.DeleteFunc(slices.Clone(incident.Phases), func(p incident.Phase) bool { return p == incident.PhaseClosed })

// ValidPhase reports whether p is one of StepPhases.
func ValidPhase(p incident.Phase) bool { return slices.Contains(StepPhases, p) }

// StepRoles are the roles a step may suggest: the organisation's roles
// that take part in the work (those who may hold tasks).
func StepRoles() []auth.Role {
	var out []auth.Role
	for _, r := range auth.OrgRoles {
		if auth.RoleCan(r, auth.PermTaskWrite) {
			out = append(out, r)
		}
	}
	return out
}

// Limits of a playbook.
const (
	MaxSteps      = 200
	maxName       = 100
	maxDesc       = 4000
	maxTitle      = 200 // a task's title limit
	maxNotes      = 10000
	maxCategories = 50
)

var keyRE = regexp.MustCompile(`^[a-z][a-z0-9-]{1,63}$`)

// reservedKeys are path segments of the playbook pages and API, which a
// key would shadow.
var reservedKeys = []string{"new", "import", "export"}

// normalize trims the text, upper-cases and de-duplicates the category
// codes and writes each step's offset in its canonical form (an offset
// that does not parse is left as typed for validate to report).
func (p *Playbook) normalize() {
	p.Key = strings.TrimSpace(p.Key)
	p.NameZh = strings.TrimSpace(p.NameZh)
	p.NameEn = strings.TrimSpace(p.NameEn)
	p.Description = strings.TrimSpace(p.Description)
	var cats []string
	for _, c := range p.Categories {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" && !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	p.Categories = cats
	if p.Categories == nil {
		p.Categories = []string{}
	}
	for i := range p.Steps {
		s := &p.Steps[i]
		s.Title = strings.TrimSpace(s.Title)
		s.Notes = strings.TrimSpace(s.Notes)
		s.Role = auth.Role(strings.TrimSpace(string(s.Role)))
		s.Due = strings.TrimSpace(s.Due)
		if d, err := ParseOffset(s.Due); err == nil {
			s.Due = FormatOffset(d)
		}
	}
	if p.Steps == nil {
		p.Steps = []Step{}
	}
}

// sortSteps puts the steps in phase order, keeping their order within a
// phase.
func (p *Playbook) sortSteps() {
	slices.SortStableFunc(p.Steps, func(a, b Step) int {
		return slices.Index(StepPhases, a.Phase) - slices.Index(StepPhases, b.Phase)
	})
}

// StepField names field of the step at index i in field errors:
// "steps.<i>.<field>", i counting from 0 in Steps as given.
func StepField(i int, field string) string { return fmt.Sprintf("steps.%d.%s", i, field) }

// SplitStepField is StepField's inverse: ok is false for other fields.
func SplitStepField(f string) (i int, field string, ok bool) {
	rest, ok := strings.CutPrefix(f, "steps.")
	if !ok {
		return 0, "", false
	}
	num, field, ok := strings.Cut(rest, ".")
	i, err := strconv.Atoi(num)
	if !ok || err != nil || i < 0 {
		return 0, "", false
	}
	return i, field, true
}

// validate returns every problem at once. known tells whether a category
// code exists in the classification tree (nil: not checked here).
func (p *Playbook) validate(known func(string) bool) []apperr.FieldError {
	var c apperr.Collector
	switch {
	case !keyRE.MatchString(p.Key):
		c.Add("key", "err.playbook_key")
	case slices.Contains(reservedKeys, p.Key):
		c.Add("key", "err.playbook_key_reserved")
	}
	switch n := utf8.RuneCountInString(p.NameZh); {
	case n == 0:
		c.Add("name_zh", "err.required")
	case n > maxName:
		c.Add("name_zh", "err.too_long", maxName)
	}
	if utf8.RuneCountInString(p.NameEn) > maxName {
		c.Add("name_en", "err.too_long", maxName)
	}
	if utf8.RuneCountInString(p.Description) > maxDesc {
		c.Add("description", "err.too_long", maxDesc)
	}
	switch {
	case len(p.Categories) == 0:
		c.Add("categories", "err.playbook_categories")
	case len(p.Categories) > maxCategories:
		c.Add("categories", "err.too_many", maxCategories)
	case known != nil:
		for _, code := range p.Categories {
			if !known(code) {
				c.Add("categories", "err.playbook_category_unknown", code)
			}
		}
	}
	switch {
	case len(p.Steps) == 0:
		c.Add("steps", "err.playbook_steps")
	case len(p.Steps) > MaxSteps:
		c.Add("steps", "err.too_many", MaxSteps)
	}
	roles := StepRoles()
	for i, s := range p.Steps {
		if !ValidPhase(s.Phase) {
			c.Add(StepField(i, "phase"), "err.invalid_choice")
		}
		switch n := utf8.RuneCountInString(s.Title); {
		case n == 0:
			c.Add(StepField(i, "title"), "err.required")
		case n > maxTitle:
			c.Add(StepField(i, "title"), "err.too_long", maxTitle)
		}
		if utf8.RuneCountInString(s.Notes) > maxNotes {
			c.Add(StepField(i, "notes"), "err.too_long", maxNotes)
		}
		if _, err := ParseOffset(s.Due); err == errTooFar {
			c.Add(StepField(i, "due"), "err.playbook_due_far")
		} else if err != nil {
			c.Add(StepField(i, "due"), "err.playbook_due")
		}
		if s.Role != "" && !slices.Contains(roles, s.Role) {
			c.Add(StepField(i, "role"), "err.invalid_choice")
		}
	}
	return c.List()
}

// Check normalises p and returns its problems as one invalid-input error
// (nil when there are none); on success the steps are in phase order.
func (p *Playbook) Check(known func(string) bool) error {
	p.normalize()
	if errs := p.validate(known); len(errs) > 0 {
		return apperr.Fields(errs)
	}
	p.sortSteps()
	return nil
}

// same reports whether a and b hold the same data (what an import would
// change), ignoring where they are stored.
func same(a, b Playbook) bool {
	return a.Key == b.Key && a.NameZh == b.NameZh && a.NameEn == b.NameEn && a.Description == b.Description &&
		slices.Equal(a.Categories, b.Categories) && a.Enabled == b.Enabled && slices.Equal(a.Steps, b.Steps)
}
