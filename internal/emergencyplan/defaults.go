package emergencyplan

import "bulwark/internal/i18n"

// defaultChapters is the structure of a new organisation's plan, after the
// seed's 信息安全应急预案 V1.0 (总则, 适用范围, 编制依据, 组织机构与职责,
// 预防与预警机制), completed with what the seed's other documents and the
// reporting measures ask a plan to say (grading and response, procedures,
// after the incident, safeguards, supplementary provisions). The text is
// in the catalogue (eplan.default.<key>.title/.body) in both languages, in
// Bulwark's own words; two chapters are drawn from the organisation's data
// when the plan is exported.
var defaultChapters = []struct{ key, source string }{
	{"general", SourceText},
	{"scope", SourceText},
	{"basis", SourceText},
	{"organisation", SourceOrganisation},
	{"prevention", SourceText},
	{"response", SourceResponse},
	{"procedures", SourceText},
	{"aftermath", SourceText},
	{"safeguards", SourceText},
	{"supplementary", SourceText},
}

// DefaultChapters is the default plan's chapters in lang.
func DefaultChapters(lang string) []Chapter {
	out := make([]Chapter, 0, len(defaultChapters))
	for _, d := range defaultChapters {
		out = append(out, Chapter{Title: i18n.T(lang, "eplan.default."+d.key+".title"),
			Body: i18n.T(lang, "eplan.default."+d.key+".body"), Source: d.source})
	}
	return out
}

// DefaultRevision is the plan a new organisation starts from, not yet
// saved: V1.0 with the default chapters, title and first-issue summary.
func DefaultRevision(lang string) Revision {
	return Revision{Major: 1, Minor: 0, Version: FormatVersion(1, 0), Status: StatusDraft,
		Title: i18n.T(lang, "eplan.default_title"), Summary: i18n.T(lang, "eplan.default_summary"),
		Reason: i18n.T(lang, "eplan.default_reason"), Chapters: DefaultChapters(lang), Incidents: []IncidentRef{}}
}
