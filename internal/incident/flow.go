package incident

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"

	"bulwark/internal/auth"
)

// Flow is the response flow (响应流程图) of one incident: each phase with
// the steps of its plan done so far, the current phase, and who it waits on.
type Flow struct {
	Phase    Phase
	Steps    map[Phase]int // plan steps done (0-4) per plan phase, this round
	WaitsOn  []auth.Role   // who must act next; empty once closed
	Approval bool          // the wait is for an approval decision
}

// PlanSteps is how many steps a plan goes through: 方案的确定, 方案的认可,
// 方案的实施 (恢复信息系统 in recovery), 效果的判定.
const PlanSteps = 4

// stepsDone counts the steps a plan has finished.
func stepsDone(p Plan) int {
	switch p.Status {
	case PlanSubmitted:
		return 1
	case PlanApproved:
		return 2
	case PlanExecuted:
		return 3
	case PlanJudged:
		if p.Effect == EffectEffective {
			return 4
		}
		return 0 // did not work: the phase starts over with a new plan
	}
	return 0
}

// FlowOf computes the flow from the incident's phase, round, plans and the
// organisation's approving roles.
func FlowOf(phase Phase, round int, plans []Plan, approvers map[Phase][]auth.Role) Flow {
	f := Flow{Phase: phase, Steps: map[Phase]int{}}
	var current *Plan
	for k, p := range plans {
		if p.Round != round || !NeedsPlan(p.Phase) {
			continue
		}
		f.Steps[p.Phase] = stepsDone(p)
		if p.Phase == phase {
			current = &plans[k]
		}
	}
	switch {
	case phase == PhaseClosed:
	case current != nil && current.Status == PlanSubmitted:
		f.WaitsOn, f.Approval = approvers[phase], true
		if len(f.WaitsOn) == 0 {
			f.WaitsOn = DefaultApprovers
		}
	default:
		f.WaitsOn = []auth.Role{auth.RoleResponder}
	}
	return f
}

// stepKeys are the catalogue keys of a plan's steps in phase.
func stepKeys(phase Phase) []string {
	k := []string{"lifecycle.step.define", "lifecycle.step.approve", "lifecycle.step.execute", "lifecycle.step.judge"}
	if phase == PhaseRecovery {
		k[2] = "lifecycle.step.restore"
	}
	return k
}

// SVG draws the flow: a row of phases, the plan steps under each plan
// phase, the current phase highlighted (class "current") and who it waits
// on below. t translates catalogue keys. Text is escaped, so the result is
// well-formed XML whatever the names are.
func (f Flow) SVG(w io.Writer, t func(key string, args ...any) string) error {
	const boxW, boxH, gap, top = 120, 44, 14, 20
	cur := phaseIndex(f.Phase)
	width := len(Phases)*(boxW+gap) + gap
	height := top + boxH + 20 + PlanSteps*30 + 60
	var b bytes.Buffer
	esc := func(s string) string {
		var e bytes.Buffer
		_ = xml.EscapeText(&e, []byte(s))
		return e.String()
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-label="%s" font-family="sans-serif" font-size="13">`,
		width, height, width, height, esc(t("lifecycle.flow.title")))
	fmt.Fprintf(&b, `<title>%s</title>`, esc(t("lifecycle.flow.title")))
	b.WriteString(`<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#666"/></marker></defs>`)
	for k, p := range Phases {
		x := gap + k*(boxW+gap)
		class, fill, stroke := "todo", "#f4f4f4", "#999"
		switch {
		case k < cur:
			class, fill, stroke = "done", "#e3f2e1", "#3a7d33"
		case k == cur:
			class, fill, stroke = "current", "#fff4d6", "#c77700"
		}
		fmt.Fprintf(&b, `<g class="phase %s" data-phase="%s">`, class, p)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="6" fill="%s" stroke="%s" stroke-width="%d"/>`,
			x, top, boxW, boxH, fill, stroke, map[bool]int{true: 3, false: 1}[k == cur])
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">%s</text>`, x+boxW/2, top+boxH/2+5, esc(t("incident.phase."+string(p))))
		if NeedsPlan(p) {
			done := f.Steps[p]
			for s, key := range stepKeys(p) {
				y := top + boxH + 20 + s*30
				sc, sf := "todo", "#fff"
				switch {
				case s < done:
					sc, sf = "done", "#e3f2e1"
				case s == done && k == cur:
					sc, sf = "current", "#fff4d6"
				}
				mark := ""
				if s < done {
					mark = "✓ "
				}
				fmt.Fprintf(&b, `<g class="step %s"><rect x="%d" y="%d" width="%d" height="24" rx="4" fill="%s" stroke="#bbb"/>`,
					sc, x+6, y, boxW-12, sf)
				fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle" font-size="12">%s</text></g>`, x+boxW/2, y+16, esc(mark+t(key)))
			}
		}
		b.WriteString(`</g>`)
		if k < len(Phases)-1 {
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#666" marker-end="url(#arrow)"/>`,
				x+boxW, top+boxH/2, x+boxW+gap-1, top+boxH/2)
		}
	}
	wait := t("lifecycle.flow.waits_none")
	if len(f.WaitsOn) > 0 {
		names := ""
		for k, r := range f.WaitsOn {
			if k > 0 {
				names += "、"
			}
			names += t("role." + string(r))
		}
		key := "lifecycle.flow.waits_group"
		if f.Approval {
			key = "lifecycle.flow.waits_approval"
		}
		wait = t(key, names)
	}
	fmt.Fprintf(&b, `<text id="waits-on" x="%d" y="%d">%s</text>`, gap, height-20, esc(wait))
	b.WriteString(`</svg>`)
	_, err := w.Write(b.Bytes())
	return err
}
