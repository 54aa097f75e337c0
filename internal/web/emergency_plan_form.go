package web

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"bulwark/internal/emergencyplan"
)

// The draft form names each chapter's fields by its index, as the
// service names them in errors (chapters[0].title), so an error shows at
// its chapter: chapters[i].title, .body, .source, .position (a number
// to reorder by) and .remove (a checkbox). "chapters" is how many rows
// the form had, the last being blank for a new chapter.

// maxFormChapters bounds the rows read, whatever "chapters" says.
const maxFormChapters = emergencyplan.MaxChapters + 1

// draftFromForm reads the draft form. It returns the input for the
// service, with the chapters in their new order (removed and blank rows
// left out), and the incidents field as typed.
func draftFromForm(form url.Values) (emergencyplan.DraftInput, string) {
	in := emergencyplan.DraftInput{Title: form.Get("title"), Summary: form.Get("summary"), Reason: form.Get("reason"),
		MajorChange: form.Get("major_change") != "", EffectiveFrom: form.Get("effective_from")}
	incidents := form.Get("incidents")
	in.IncidentNumbers = splitRefs(incidents)
	n, _ := strconv.Atoi(form.Get("chapters"))
	n = max(0, min(n, maxFormChapters))
	type row struct {
		pos int
		ch  emergencyplan.Chapter
	}
	var rows []row
	for i := range n {
		f := func(part string) string { return form.Get(emergencyplan.ChapterField(i, part)) }
		ch := emergencyplan.Chapter{Title: f("title"), Body: f("body"), Source: f("source")}
		if f("remove") != "" || (strings.TrimSpace(ch.Title) == "" && strings.TrimSpace(ch.Body) == "" && ch.Source == "") {
			continue
		}
		pos, err := strconv.Atoi(strings.TrimSpace(f("position")))
		if err != nil {
			pos = i + 1
		}
		rows = append(rows, row{pos: pos, ch: ch})
	}
	sort.SliceStable(rows, func(a, b int) bool { return rows[a].pos < rows[b].pos })
	in.Chapters = make([]emergencyplan.Chapter, len(rows))
	for i, r := range rows {
		in.Chapters[i] = r.ch
	}
	return in, incidents
}

// splitRefs splits the incidents field: numbers separated by commas
// (also the Chinese ones), semicolons or any space.
func splitRefs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",，、;；", r)
	})
}

func joinRefs(refs []string) string { return strings.Join(refs, ", ") }
