package web

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"bulwark/internal/emergencyplan"
)

func TestDraftFromForm(t *testing.T) {
	form := url.Values{
		"title": {"预案"}, "summary": {"改"}, "reason": {"因"}, "major_change": {"1"}, "effective_from": {"2026-12-01"},
		"incidents":         {"SJ-2026-0001，SJ-2026-0002、 sj-2026-0003;\nSJ-2026-0004"},
		"chapters":          {"5"},
		"chapters[0].title": {"总则"}, "chapters[0].body": {"一"}, "chapters[0].position": {"2"},
		"chapters[1].title": {"范围"}, "chapters[1].position": {"1"},
		"chapters[2].title": {"删掉"}, "chapters[2].remove": {"on"},
		"chapters[3].title": {"组织"}, "chapters[3].source": {"organisation"}, "chapters[3].position": {"x"},
		"chapters[4].title": {" "}, "chapters[4].body": {""}, // the blank row for a new chapter
		"chapters[9].title": {"beyond the count"},
	}
	in, incidents := draftFromForm(form)
	want := emergencyplan.DraftInput{Title: "预案", Summary: "改", Reason: "因", MajorChange: true, EffectiveFrom: "2026-12-01",
		IncidentNumbers: []string{"SJ-2026-0001", "SJ-2026-0002", "sj-2026-0003", "SJ-2026-0004"},
		Chapters:        []emergencyplan.Chapter{{Title: "范围"}, {Title: "总则", Body: "一"}, {Title: "组织", Source: "organisation"}}}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("draftFromForm:\n%+v\nwant\n%+v", in, want)
	}
	if incidents != form.Get("incidents") {
		t.Errorf("incidents as typed: %q", incidents)
	}
}

// FuzzDraftForm: any form reads without panicking, never yields more
// chapters than the form may carry, and splits incidents into non-empty
// tokens without separators.
func FuzzDraftForm(f *testing.F) {
	f.Add("3", "SJ-2026-0001, SJ-2026-0002", "总则", "2", "x")
	f.Add("-1", "、、", "", "", "")
	f.Add("99999999999999999999", "\u3000SJ\u00a0", "t", "-5", "on")
	f.Fuzz(func(t *testing.T, count, incidents, title, position, remove string) {
		form := url.Values{"chapters": {count}, "incidents": {incidents}}
		for i := range 3 {
			form.Set(emergencyplan.ChapterField(i, "title"), title)
			form.Set(emergencyplan.ChapterField(i, "position"), position)
			if i == 1 {
				form.Set(emergencyplan.ChapterField(i, "remove"), remove)
			}
		}
		in, _ := draftFromForm(form)
		if len(in.Chapters) > maxFormChapters {
			t.Fatalf("%d chapters", len(in.Chapters))
		}
		for _, ref := range in.IncidentNumbers {
			if ref == "" || strings.ContainsAny(ref, " ,，、;；\n\t") {
				t.Fatalf("token %q from %q", ref, incidents)
			}
		}
	})
}
