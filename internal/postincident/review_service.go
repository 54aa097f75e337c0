package postincident

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

const reviewColumns = `incident_id, round, held_at, place, attendees, minutes, root_cause, impact, lessons,
	plan_revision_needed, plan_revision_notes, recorded_by, recorded_by_name, created_at, updated_at`

// getReview reads the incident's review; a review never saved comes back
// empty (Recorded false), not as an error.
func getReview(ctx context.Context, q store.Querier, orgID, incidentID int64) (Review, error) {
	r := Review{IncidentID: incidentID, Attendees: []Attendee{}}
	var held, created, updated int64
	var attendees string
	err := q.QueryRowContext(ctx, `SELECT `+reviewColumns+` FROM incident_reviews WHERE org_id = $1 AND incident_id = $2`,
		orgID, incidentID).Scan(&r.IncidentID, &r.Round, &held, &r.Place, &attendees, &r.Minutes, &r.RootCause, &r.Impact,
		&r.Lessons, &r.PlanRevisionNeeded, &r.PlanRevisionNotes, &r.RecordedBy, &r.RecordedByName,
		&created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("read review of incident %d: %w", incidentID, err)
	}
	if held != 0 {
		t := store.FromMicros(held)
		r.HeldAt = &t
	}
	// Written only by Save.
	if err := json.Unmarshal([]byte(attendees), &r.Attendees); err != nil {
		return r, fmt.Errorf("review of incident %d: attendees: %w", incidentID, err)
	}
	r.CreatedAt, r.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return r, nil
}

// Review returns the incident's review (empty when none was recorded).
func (s *Service) Review(ctx context.Context, incidentID int64) (Review, error) {
	actor, err := auth.Require(ctx, auth.PermReviewRead)
	if err != nil {
		return Review{}, err
	}
	if _, err := getIncident(ctx, s.DB.Read(), actor.OrgID, incidentID); err != nil {
		return Review{}, apperr.Wrap(err, "get review")
	}
	r, err := getReview(ctx, s.DB.Read(), actor.OrgID, incidentID)
	return r, apperr.Wrap(err, "get review")
}

// SaveReview records the review of an open incident, in any phase: causes
// and lessons are often written down while handling goes on, and the
// meeting itself is held in the summary phase. The review counts for the
// close gate when it is complete and saved in the current round.
func (s *Service) SaveReview(ctx context.Context, incidentID int64, in ReviewInput) (Review, error) {
	actor, err := auth.Require(ctx, auth.PermReviewWrite)
	if err != nil {
		return Review{}, err
	}
	now := s.now()
	col := in.validate(now)
	var out Review
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		inc, err := openIncident(ctx, tx, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		people, err := members(ctx, tx, actor.OrgID)
		if err != nil {
			return err
		}
		attendees := []Attendee{}
		for _, id := range in.AttendeeIDs {
			i := slices.IndexFunc(people, func(p Person) bool { return p.ID == id })
			if i < 0 {
				col.Add("attendee_ids", "err.review_person_unknown")
				break
			}
			if !slices.ContainsFunc(attendees, func(a Attendee) bool { return a.UserID == id }) {
				attendees = append(attendees, Attendee{UserID: id, Name: people[i].Name})
			}
		}
		for _, n := range in.AttendeeNames {
			attendees = append(attendees, Attendee{Name: n})
		}
		if err := col.Err(); err != nil {
			return err
		}
		before, err := getReview(ctx, tx, actor.OrgID, incidentID)
		if err != nil {
			return err
		}
		out = Review{IncidentID: incidentID, Round: inc.Round, HeldAt: in.HeldAt, Place: in.Place, Attendees: attendees,
			Minutes: in.Minutes, RootCause: in.RootCause, Impact: in.Impact, Lessons: in.Lessons,
			PlanRevisionNeeded: in.PlanRevisionNeeded, PlanRevisionNotes: in.PlanRevisionNotes,
			RecordedBy: actor.UserID, RecordedByName: actor.Username,
			CreatedAt: now, UpdatedAt: now}
		if before.Recorded() {
			out.CreatedAt = before.CreatedAt
		}
		list, _ := json.Marshal(out.Attendees)
		var held int64
		if out.HeldAt != nil {
			held = store.Micros(*out.HeldAt)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO incident_reviews (org_id, incident_id, round, held_at, place, attendees,
			minutes, root_cause, impact, lessons, plan_revision_needed, plan_revision_notes, recorded_by, recorded_by_name,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			ON CONFLICT (org_id, incident_id) DO UPDATE SET round = excluded.round, held_at = excluded.held_at,
			place = excluded.place, attendees = excluded.attendees, minutes = excluded.minutes,
			root_cause = excluded.root_cause, impact = excluded.impact, lessons = excluded.lessons,
			plan_revision_needed = excluded.plan_revision_needed, plan_revision_notes = excluded.plan_revision_notes,
			recorded_by = excluded.recorded_by, recorded_by_name = excluded.recorded_by_name,
			updated_at = excluded.updated_at`,
			actor.OrgID, incidentID, out.Round, held, out.Place, string(list), out.Minutes, out.RootCause, out.Impact,
			out.Lessons, out.PlanRevisionNeeded, out.PlanRevisionNotes, out.RecordedBy, out.RecordedByName,
			store.Micros(out.CreatedAt), store.Micros(now)); err != nil {
			return fmt.Errorf("save review of incident %d: %w", incidentID, err)
		}
		var beforeRec any
		if before.Recorded() {
			beforeRec = before
		}
		return audit.Append(ctx, tx, now, actor.Audit("incident_review.save", ReviewObject, strconv.FormatInt(incidentID, 10), beforeRec, out))
	})
	if err != nil {
		return Review{}, apperr.Wrap(err, "save review")
	}
	return out, nil
}
