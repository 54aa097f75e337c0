package report

import "bulwark/internal/i18n"

// The few words every report shares, from the catalogue, so callers need
// not repeat them. Everything else in a Document is the caller's text.

// PageFormat is the page footer for lang (see Document.PageFormat).
func PageFormat(lang string) string { return i18n.T(lang, "report.page_format") }

// SignOff is the usual 编制/审核/批准 block in lang. The roles come from
// the catalogue unless the caller set them; empty names and dates are
// drawn as lines to sign on paper.
func SignOff(lang string, prepared, reviewed, approved Signature) Block {
	sigs := []Signature{prepared, reviewed, approved}
	for i, key := range []string{"report.signoff_prepared", "report.signoff_reviewed", "report.signoff_approved"} {
		if sigs[i].Role == "" {
			sigs[i].Role = i18n.T(lang, key)
		}
	}
	captions := []string{"", i18n.T(lang, "report.signoff_signature"), i18n.T(lang, "report.signoff_date")}
	return Signatures(captions, sigs...)
}
