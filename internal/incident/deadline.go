package incident

import (
	"time"

	"bulwark/internal/org"
)

// ReportWindow is how long after discovery the first report to the
// regulator is due, by the organisation's type (国家网络安全事件报告管理办法
// art. 4, in force 2025-11-01): 1 hour for critical information
// infrastructure operators, 2 hours for central and state organs and their
// direct units, 4 hours for every other operator.
func ReportWindow(t org.Type) time.Duration {
	switch t {
	case org.TypeCII:
		return time.Hour
	case org.TypeStateOrgan:
		return 2 * time.Hour
	}
	return 4 * time.Hour
}

// ReportDue is when the first report is due, or the zero time when none is:
// only 较大 (III) and above are reported, and an ungraded incident (grade 0)
// has no report due yet.
func ReportDue(grade int, discovered time.Time, t org.Type) time.Time {
	if grade < GradeI || grade > GradeIII {
		return time.Time{}
	}
	return discovered.Add(ReportWindow(t))
}

// SummaryWindow is how long after handling ends the summary report is due
// (art. 8); the step that ends handling sets summary_due_at with it.
const SummaryWindow = 30 * 24 * time.Hour
