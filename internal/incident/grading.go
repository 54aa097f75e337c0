package incident

import (
	"fmt"
	"slices"

	"bulwark/internal/apperr"
)

// Grades: 1 = 特别重大 (I), 2 = 重大 (II), 3 = 较大 (III), 4 = 一般 (IV).
const (
	GradeI   = 1
	GradeII  = 2
	GradeIII = 3
	GradeIV  = 4
)

// ValidGrade reports whether g is one of the four grades.
func ValidGrade(g int) bool { return g >= GradeI && g <= GradeIV }

// Importance of the affected object (GB/T 20986: 事件影响对象的重要程度).
const (
	ImportanceEspecially = "especially_important" // 特别重要
	ImportanceImportant  = "important"            // 重要
	ImportanceGeneral    = "general"              // 一般
)

// System loss (系统损失).
const (
	LossEspeciallySerious = "especially_serious" // 特别严重
	LossSerious           = "serious"            // 严重
	LossRelatively        = "relatively_serious" // 较大
	LossMinor             = "minor"              // 较小
)

// Social impact (社会影响).
const (
	ImpactEspeciallyMajor = "especially_major" // 特别重大
	ImpactMajor           = "major"            // 重大
	ImpactRelatively      = "relatively_major" // 较大
	ImpactGeneral         = "general"          // 一般
)

// Importances, Losses and Impacts list the factor answers, most severe first.
var (
	Importances = []string{ImportanceEspecially, ImportanceImportant, ImportanceGeneral}
	Losses      = []string{LossEspeciallySerious, LossSerious, LossRelatively, LossMinor}
	Impacts     = []string{ImpactEspeciallyMajor, ImpactMajor, ImpactRelatively, ImpactGeneral}
)

// Factors are the grading guide's three questions.
type Factors struct {
	Importance string `json:"importance"`
	Loss       string `json:"loss"`
	Impact     string `json:"impact"`
}

// Validate checks every answer is one of the guide's.
func (f Factors) Validate() error {
	var c apperr.Collector
	if !slices.Contains(Importances, f.Importance) {
		c.Add("importance", "err.invalid_choice")
	}
	if !slices.Contains(Losses, f.Loss) {
		c.Add("loss", "err.invalid_choice")
	}
	if !slices.Contains(Impacts, f.Impact) {
		c.Add("impact", "err.invalid_choice")
	}
	return c.Err()
}

// objectLossGrade is the 2007 matrix (GB/Z 20986-2007 §6, kept in the 2023
// edition with "event impact object" for "information system"): the grade
// from the object's importance and the loss it suffered.
var objectLossGrade = map[string]map[string]int{
	ImportanceEspecially: {LossEspeciallySerious: GradeI, LossSerious: GradeII, LossRelatively: GradeIII, LossMinor: GradeIV},
	ImportanceImportant:  {LossEspeciallySerious: GradeII, LossSerious: GradeIII, LossRelatively: GradeIV, LossMinor: GradeIV},
	ImportanceGeneral:    {LossEspeciallySerious: GradeIII, LossSerious: GradeIV, LossRelatively: GradeIV, LossMinor: GradeIV},
}

// impactGrade is the grade social impact alone reaches.
var impactGrade = map[string]int{
	ImpactEspeciallyMajor: GradeI, ImpactMajor: GradeII, ImpactRelatively: GradeIII, ImpactGeneral: GradeIV,
}

// Rule names what decided a grade, for people and for the record.
type Rule struct {
	// Kind is "object_loss" or "social_impact" (the guide's matrix),
	// "criterion" (a threshold of the measures' annex), or "manual" (a
	// person overrode the proposal).
	Kind string `json:"kind"`
	// Criterion is the key of the annex criterion (kind "criterion").
	Criterion string `json:"criterion,omitempty"`
	// Value and Threshold are the figure entered and the threshold it
	// reached (kind "criterion").
	Value     int64 `json:"value,omitempty"`
	Threshold int64 `json:"threshold,omitempty"`
	// Raised says the object's importance was raised by an affected
	// asset's value (kind "object_loss").
	Raised bool `json:"raised,omitempty"`
}

// Proposal is the grade Bulwark proposes and why.
type Proposal struct {
	Grade int     `json:"grade"`
	Rule  Rule    `json:"rule"`
	Used  Factors `json:"factors_used"` // the factors after asset values raised importance
}

// importanceFromAssets raises the object's importance from the affected
// assets' values (GB/T 20984, 1-5): an asset valued 5 (很高) makes the
// object 特别重要, one valued 4 (高) makes it at least 重要. The answer
// given is never lowered: a person may know the object matters more than
// the register says.
func importanceFromAssets(given string, assetValues []int) (string, bool) {
	top := 0
	for _, v := range assetValues {
		top = max(top, v)
	}
	rank := slices.Index(Importances, given)
	switch {
	case top >= 5 && rank > 0:
		return ImportanceEspecially, true
	case top == 4 && rank > 1:
		return ImportanceImportant, true
	}
	return given, false
}

// Propose grades from the factor answers, the figures entered for the annex
// criteria and the affected assets' values. The most severe grade any rule
// reaches wins; the rule that reached it is named. When a criterion and the
// matrix reach the same grade the criterion is named, because the
// regulator's annex is what a report is checked against.
func Propose(f Factors, figures map[string]int64, criteria []Criterion, assetValues []int) (Proposal, error) {
	if err := f.Validate(); err != nil {
		return Proposal{}, err
	}
	for k, v := range figures {
		if v < 0 {
			return Proposal{}, apperr.Fields([]apperr.FieldError{{Field: "figures." + k, Key: "err.incident_figure_negative"}})
		}
		if !slices.ContainsFunc(criteria, func(c Criterion) bool { return c.Key == k }) {
			return Proposal{}, apperr.Fields([]apperr.FieldError{{Field: "figures." + k, Key: "err.incident_unknown_criterion"}})
		}
	}
	used := f
	var raised bool
	used.Importance, raised = importanceFromAssets(f.Importance, assetValues)
	p := Proposal{Grade: objectLossGrade[used.Importance][used.Loss], Rule: Rule{Kind: "object_loss", Raised: raised}, Used: used}
	if g := impactGrade[used.Impact]; g < p.Grade {
		p.Grade, p.Rule = g, Rule{Kind: "social_impact"}
	}
	for _, c := range criteria {
		v, ok := figures[c.Key]
		if !ok {
			continue
		}
		if g, th := c.GradeFor(v); g != 0 && g <= p.Grade && (g < p.Grade || p.Rule.Kind != "criterion") {
			p.Grade, p.Rule = g, Rule{Kind: "criterion", Criterion: c.Key, Value: v, Threshold: th}
		}
	}
	return p, nil
}

// Criterion is one row of the annex's thresholds.
type Criterion struct {
	Key        string   `json:"key"`
	NameZh     string   `json:"name_zh"`
	NameEn     string   `json:"name_en"`
	Unit       string   `json:"unit"`       // minutes, people, count, yuan
	Thresholds [3]int64 `json:"thresholds"` // for grades I, II, III
	Verified   bool     `json:"verified"`
}

// GradeFor returns the most severe grade whose threshold v reaches ("以上"
// includes the number) and that threshold, or 0 when v reaches none.
func (c Criterion) GradeFor(v int64) (int, int64) {
	for i, th := range c.Thresholds {
		if th > 0 && v >= th {
			return i + 1, th
		}
	}
	return 0, 0
}

// Name is the criterion's name in lang.
func (c Criterion) Name(lang string) string {
	if lang == "en" {
		return c.NameEn
	}
	return c.NameZh
}

// validate checks thresholds descend: grade I needs the largest figure.
func (c Criterion) validate() error {
	var col apperr.Collector
	for i, th := range c.Thresholds {
		if th <= 0 {
			col.Add(fmt.Sprintf("threshold_%d", i+1), "err.incident_threshold_positive")
		}
	}
	if col.Err() == nil && (c.Thresholds[0] < c.Thresholds[1] || c.Thresholds[1] < c.Thresholds[2]) {
		col.Add("threshold_1", "err.incident_threshold_order")
	}
	return col.Err()
}
