package emergencyplan

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
)

// Limits of a draft.
const (
	MaxChapters   = 50
	MaxTitle      = 200
	MaxSummary    = 2000
	MaxReason     = 4000
	MaxBody       = 50000
	MaxIncidents  = 50
	DateLayout    = "2006-01-02"
	chapterField  = "chapters[%d].%s"
	incidentField = "incidents"
)

// DraftInput is what people write on a draft revision. It replaces the
// draft's content as a whole: the chapters in their new order, the
// revision record's summary and reason, the incidents that prompted it
// (by id, or by number as people know them: SJ-2026-0001).
type DraftInput struct {
	Title           string    `json:"title"`
	Summary         string    `json:"summary"`
	Reason          string    `json:"reason"`
	MajorChange     bool      `json:"major_change"`
	IncidentIDs     []int64   `json:"incident_ids"`
	IncidentNumbers []string  `json:"incident_numbers"`
	EffectiveFrom   string    `json:"effective_from"` // YYYY-MM-DD, empty: on approval
	Chapters        []Chapter `json:"chapters"`
}

// ChapterField is the field name of a chapter's part in errors and forms:
// chapters[0].title.
func ChapterField(i int, part string) string { return fmt.Sprintf(chapterField, i, part) }

func (in *DraftInput) normalize() {
	in.Title = strings.TrimSpace(in.Title)
	in.Summary = strings.TrimSpace(in.Summary)
	in.Reason = strings.TrimSpace(in.Reason)
	in.EffectiveFrom = strings.TrimSpace(in.EffectiveFrom)
	var nums []string
	for _, n := range in.IncidentNumbers {
		if n = strings.ToUpper(strings.TrimSpace(n)); n != "" && !slices.Contains(nums, n) {
			nums = append(nums, n)
		}
	}
	in.IncidentNumbers = nums
	for i := range in.Chapters {
		c := &in.Chapters[i]
		c.Title = strings.TrimSpace(c.Title)
		c.Source = strings.TrimSpace(c.Source)
		// Bodies keep their inner layout; only trailing blank space and
		// Windows line ends go.
		c.Body = strings.TrimRight(strings.ReplaceAll(c.Body, "\r\n", "\n"), " \t\n")
	}
}

// validate checks what needs no database and returns the effective day.
func (in *DraftInput) validate(c *apperr.Collector, loc *time.Location) *time.Time {
	checkText(c, "title", in.Title, MaxTitle, true)
	checkText(c, "summary", in.Summary, MaxSummary, false)
	checkText(c, "reason", in.Reason, MaxReason, false)
	if len(in.IncidentIDs)+len(in.IncidentNumbers) > MaxIncidents {
		c.Add(incidentField, "err.too_many", MaxIncidents)
	}
	var from *time.Time
	if in.EffectiveFrom != "" {
		d, err := time.ParseInLocation(DateLayout, in.EffectiveFrom, loc)
		if err != nil {
			c.Add("effective_from", "err.eplan_bad_date")
		} else {
			d = d.UTC()
			from = &d
		}
	}
	switch n := len(in.Chapters); {
	case n == 0:
		c.Add("chapters", "err.eplan_no_chapters")
	case n > MaxChapters:
		c.Add("chapters", "err.too_many", MaxChapters)
	}
	seen := map[string]bool{}
	for i, ch := range in.Chapters {
		checkText(c, ChapterField(i, "title"), ch.Title, MaxTitle, true)
		checkText(c, ChapterField(i, "body"), ch.Body, MaxBody, false)
		switch {
		case !slices.Contains(Sources, ch.Source):
			c.Add(ChapterField(i, "source"), "err.invalid_choice")
		case ch.Source != SourceText && seen[ch.Source]:
			c.Add(ChapterField(i, "source"), "err.eplan_source_twice")
		}
		seen[ch.Source] = true
	}
	return from
}

func checkText(c *apperr.Collector, field, v string, max int, required bool) {
	switch n := utf8.RuneCountInString(v); {
	case required && n == 0:
		c.Add(field, "err.required")
	case n > max:
		c.Add(field, "err.too_long", max)
	}
}
