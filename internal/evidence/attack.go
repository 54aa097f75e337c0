package evidence

import (
	_ "embed"
	"encoding/json"
	"regexp"
	"strings"
)

// Technique is a MITRE ATT&CK technique offered to pick from.
type Technique struct {
	ID     string `json:"id"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
}

//go:embed attack_techniques.json
var attackJSON []byte

// Techniques is a short list of techniques common in the incidents the seed
// describes (web attacks, malware, ransomware, phishing, data theft). It is
// a convenience for picking: any well-formed ID is accepted, because the
// ATT&CK matrix grows with every release.
var Techniques = mustTechniques()

func mustTechniques() []Technique {
	var t []Technique
	if err := json.Unmarshal(attackJSON, &t); err != nil {
		panic("evidence: attack_techniques.json: " + err.Error())
	}
	return t
}

var techniqueID = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

// ParseTechniques reads technique IDs separated by commas, spaces or new
// lines, upper-cases them, drops repeats, and returns the first malformed
// one when there is one.
func ParseTechniques(s string) ([]string, string) {
	out := []string{}
	seen := map[string]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == '，' }) {
		id := strings.ToUpper(f)
		if !techniqueID.MatchString(id) {
			return nil, f
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out, ""
}

// TechniqueName returns the name of a listed technique in lang, or "".
func TechniqueName(id, lang string) string {
	for _, t := range Techniques {
		if t.ID == id {
			if lang == "en" {
				return t.NameEN
			}
			return t.NameZH
		}
	}
	return ""
}
