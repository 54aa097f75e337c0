package incident

import (
	"slices"

	"bulwark/internal/i18n"
)

// ReportField is one content item of a report to the regulator. The list
// is data: the form, the API, validation and the document all read it, so
// the items of art. 7 the text was read for and the widely quoted ones
// still to confirm (reference/standards.md §2) differ only by their flags.
// Labels and help are catalogue keys: escalation.field.<key> and
// escalation.field.<key>.help.
type ReportField struct {
	Key string `json:"key"`
	// Section groups the items in the form and the document: 1 the first
	// two items of art. 7 (unit and facility; time, type and grade), 2
	// the rest of art. 7 (impact, measures and effect), 3 the further
	// items, 4 the summary report's own.
	Section int `json:"section"`
	// Basic items are all a first report may carry when cause or impact
	// cannot be established in time (art. 7, verified); they are always
	// required.
	Basic bool `json:"basic"`
	// Required items must be filled in a complete report.
	Required bool `json:"required"`
	// ToConfirm items are widely quoted but were not read in the measures'
	// text: asked for, never required, and marked so in the form's help.
	ToConfirm bool `json:"to_confirm"`
	// Ransomware items are asked for ransomware incidents (the form
	// shows them when the category is ransomware or they hold a value).
	Ransomware bool `json:"ransomware,omitempty"`
	// SummaryOnly items belong to the summary report alone.
	SummaryOnly bool     `json:"summary_only,omitempty"`
	Multiline   bool     `json:"multiline"`
	Choices     []string `json:"choices,omitempty"` // allowed values; labels escalation.choice.<value>
	MaxLength   int      `json:"max_length"`
}

// RansomwareCategory is the sub-category whose reports ask for the ransom.
const RansomwareCategory = "MP-07"

// Choices of the yes/no items.
var (
	choicesYesNoUnknown = []string{"yes", "no", "unknown"}
	choicesYesNo        = []string{"yes", "no"}
)

// ReportFields are the items of a report to the regulator, in the order of
// the form and the document.
var ReportFields = []ReportField{
	{Key: "unit_name", Section: 1, Basic: true, Required: true, MaxLength: 200},
	{Key: "facility", Section: 1, Basic: true, Required: true, Multiline: true, MaxLength: 5000},
	{Key: "discovered_at", Section: 1, Basic: true, Required: true, MaxLength: 100},
	{Key: "event_type", Section: 1, Basic: true, Required: true, MaxLength: 200},
	{Key: "event_grade", Section: 1, Basic: true, Required: true, MaxLength: 100},
	{Key: "impact", Section: 2, Required: true, Multiline: true, MaxLength: 10000},
	{Key: "measures", Section: 2, Required: true, Multiline: true, MaxLength: 10000},
	{Key: "trend", Section: 3, ToConfirm: true, Multiline: true, MaxLength: 5000},
	{Key: "cause", Section: 3, ToConfirm: true, Multiline: true, MaxLength: 5000},
	{Key: "tracing", Section: 3, ToConfirm: true, Multiline: true, MaxLength: 5000},
	{Key: "planned", Section: 3, ToConfirm: true, Multiline: true, MaxLength: 5000},
	{Key: "scene", Section: 3, ToConfirm: true, Multiline: true, MaxLength: 5000},
	{Key: "ransom_amount", Section: 3, ToConfirm: true, Ransomware: true, MaxLength: 200},
	{Key: "ransom_method", Section: 3, ToConfirm: true, Ransomware: true, MaxLength: 500},
	{Key: "ransom_date", Section: 3, ToConfirm: true, Ransomware: true, MaxLength: 100},
	// Events suspected of crime are also reported to public security.
	{Key: "crime_suspected", Section: 3, Choices: choicesYesNoUnknown, MaxLength: 10},
	{Key: "police_reported", Section: 3, Choices: choicesYesNo, MaxLength: 10},
	{Key: "handling", Section: 4, ToConfirm: true, SummaryOnly: true, Multiline: true, MaxLength: 10000},
	{Key: "rectification", Section: 4, ToConfirm: true, SummaryOnly: true, Multiline: true, MaxLength: 10000},
}

// Sections lists the sections in order.
var Sections = []int{1, 2, 3, 4}

// FieldsFor returns the items a report of kind carries for an incident of
// category: the summary's own items only in a summary, the ransom only
// for ransomware, unless values holds one of them already.
func FieldsFor(kind, category string, values map[string]string) []ReportField {
	var out []ReportField
	for _, f := range ReportFields {
		if f.SummaryOnly && kind != ReportSummary {
			continue
		}
		if f.Ransomware && category != RansomwareCategory && values[f.Key] == "" {
			continue
		}
		out = append(out, f)
	}
	return out
}

// reportField finds the item key.
func reportField(key string) (ReportField, bool) {
	i := slices.IndexFunc(ReportFields, func(f ReportField) bool { return f.Key == key })
	if i < 0 {
		return ReportField{}, false
	}
	return ReportFields[i], true
}

// needed reports whether f must be filled in a report of kind (partial: a
// first report with the basic items only).
func (f ReportField) needed(partial bool) bool {
	if f.Basic {
		return true
	}
	return f.Required && !partial
}

// Help is the item's help in lang: whether it is required, may follow in
// a supplementary report, or is to confirm (optional), from its flags,
// then its own help text when it has one.
func (f ReportField) Help(lang string) string {
	var s string
	switch {
	case f.Basic:
		s = i18n.T(lang, "escalation.help.basic")
	case f.Required:
		s = i18n.T(lang, "escalation.help.required")
	case f.ToConfirm:
		s = i18n.T(lang, "escalation.help.to_confirm")
	default:
		s = i18n.T(lang, "escalation.help.optional")
	}
	if f.Ransomware {
		s = i18n.T(lang, "escalation.help.ransomware") + " " + s
	}
	if k := "escalation.field." + f.Key + ".help"; i18n.Has(k) {
		s += " " + i18n.T(lang, k)
	}
	return s
}
