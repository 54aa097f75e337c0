package incident

import (
	"fmt"

	"bulwark/internal/i18n"
)

// The words the incident page and the incident report both use to describe
// an incident's classification, in the reader's language.

// CategoryLabel is "class / sub-category" for code in lang, with the
// category's Annex B code; both are empty when code is not in tree.
func CategoryLabel(tree []Category, code, lang string) (label, annexB string) {
	for _, c := range tree {
		if c.Code == code {
			return c.Name(lang), c.AnnexBCode
		}
		for _, s := range c.Children {
			if s.Code == code {
				return c.Name(lang) + " / " + s.Name(lang), s.AnnexBCode
			}
		}
	}
	return "", ""
}

// RuleText says in lang what decided the incident's grade: the reporter's
// first judgement, a person's override, the guide's factors, or the
// annex threshold that was met (criteria name the thresholds).
func RuleText(lang string, i Incident, criteria []Criterion) string {
	if i.GradeRule == nil {
		return ""
	}
	rule := *i.GradeRule
	switch rule.Kind {
	case "reporter":
		return i18n.T(lang, "incident.rule.reporter")
	case "manual":
		return i18n.T(lang, "incident.rule.manual", i.GradeReason)
	case "social_impact":
		if i.Factors != nil {
			return i18n.T(lang, "incident.rule.social_impact", i18n.T(lang, "incident.impact."+i.Factors.Impact))
		}
	case "object_loss":
		if i.Factors != nil {
			s := i18n.T(lang, "incident.rule.object_loss", i18n.T(lang, "incident.importance."+i.Factors.Importance),
				i18n.T(lang, "incident.loss."+i.Factors.Loss))
			if rule.Raised {
				s += " " + i18n.T(lang, "incident.rule.raised")
			}
			return s
		}
	case "criterion":
		name := rule.Criterion
		unit := ""
		for _, c := range criteria {
			if c.Key == rule.Criterion {
				name, unit = c.Name(lang), i18n.T(lang, "incident.unit."+c.Unit)
			}
		}
		return i18n.T(lang, "incident.rule.criterion", name, fmt.Sprint(rule.Value), fmt.Sprint(rule.Threshold), unit)
	}
	return rule.Kind
}
