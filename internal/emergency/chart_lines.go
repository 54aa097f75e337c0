package emergency

// ChartLines is the text of a group's box in the organisation chart: its
// heading (name, and where it sits), then one line per member. The SVG
// chart and the plan's DOCX chart (a grid of table cells) both draw
// these, so the two show the same words.
func ChartLines(u Unit, t func(string, ...any) string) []string {
	head := UnitName(u, t)
	if u.Location != "" {
		head += t("emergency.chart.location_suffix", u.Location)
	}
	lines := []string{head}
	for _, m := range u.Members {
		lines = append(lines, memberLine(m, t))
	}
	return lines
}
