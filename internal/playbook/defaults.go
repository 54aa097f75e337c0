package playbook

import (
	_ "embed"
	"fmt"
	"slices"
)

// defaultsYAML are the installation-wide default playbooks. They are data
// in the same format people import and export, read with the same strict
// parser; a test checks their category codes against the shipped tree.
//
//go:embed defaults.yaml
var defaultsYAML []byte

var defaults = mustDefaults()

func mustDefaults() []Playbook {
	ps, issues := ParsePlaybooks(defaultsYAML)
	if len(issues) > 0 {
		panic(fmt.Sprintf("playbook: defaults.yaml: %s: %s", issues[0].Path(), issues[0].Key))
	}
	for i := range ps {
		ps[i].Source = SourceDefault
	}
	return ps
}

// Defaults returns the default playbooks, in their file's order.
func Defaults() []Playbook {
	out := make([]Playbook, len(defaults))
	for i, p := range defaults {
		p.Categories, p.Steps = slices.Clone(p.Categories), slices.Clone(p.Steps)
		out[i] = p
	}
	return out
}

// defaultOf returns the default playbook with key.
func defaultOf(key string) (Playbook, bool) {
	for _, p := range Defaults() {
		if p.Key == key {
			return p, true
		}
	}
	return Playbook{}, false
}
