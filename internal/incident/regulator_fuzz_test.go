package incident

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
)

// FuzzReportInput: whatever a form or a script sends as a report, the
// checks never panic, every error names a field that was sent (or one of
// the report's own fields), and what passes keeps the items' rules.
func FuzzReportInput(f *testing.F) {
	f.Add("first", "省网信办", "impact", "首页被篡改 40 分钟", false, int64(0), int64(0))
	f.Add("supplementary", " ", "crime_suspected", "maybe", true, int64(-30), int64(60*24))
	f.Add("summary", "x", "handling", strings.Repeat("长", 10001), false, int64(10), int64(-5))
	f.Add("interim", "\x00", "fields.x", "\r\n", true, int64(1<<40), int64(-1<<40))
	now := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	own := []string{"kind", "recipient", "sent_at", "partial", "followup_due_at"}
	f.Fuzz(func(t *testing.T, kind, recipient, key, value string, partial bool, sentMin, followMin int64) {
		in := ReportInput{Kind: kind, Recipient: recipient, Partial: partial, Fields: map[string]string{key: value, "unit_name": value}}
		if sentMin != 0 {
			in.SentAt = now.Add(time.Duration(sentMin%(1<<30)) * time.Minute)
		}
		if followMin != 0 {
			in.FollowupDueAt = now.Add(time.Duration(followMin%(1<<30)) * time.Minute)
		}
		in.normalize()
		var c apperr.Collector
		in.validate(now, &c)
		for _, fe := range c.List() {
			if !slices.Contains(own, fe.Field) && fe.Field != "fields."+key && fe.Field != "fields.unit_name" {
				t.Fatalf("error on a field nobody sent: %+v", fe)
			}
			if fe.Key == "" {
				t.Fatalf("error without a message: %+v", fe)
			}
		}
		if c.Err() != nil {
			return
		}
		for k, v := range in.Fields {
			rf, ok := reportField(k)
			if !ok || utf8.RuneCountInString(v) > rf.MaxLength || (rf.Choices != nil && !slices.Contains(rf.Choices, v)) || v != strings.TrimSpace(v) || v == "" {
				t.Fatalf("accepted %s = %q", k, v)
			}
		}
		if !slices.Contains(ReportKinds, in.Kind) || in.Recipient == "" || (in.Partial && in.Kind != ReportFirst) {
			t.Fatalf("accepted %+v", in)
		}
	})
}
