package evidence

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// IntelNote is a note of the intelligence gathering and analysis
// (情报收集与分析) on an incident, tagged with ATT&CK techniques.
type IntelNote struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id"`
	Body       string    `json:"body"`
	Techniques []string  `json:"techniques"`
	Author     string    `json:"author"`
	CreatedAt  time.Time `json:"created_at"`
}

// AddNote records an intel note. techniques holds technique IDs (T1190,
// T1059.001) separated by commas or spaces.
func (s *Service) AddNote(ctx context.Context, incidentID int64, body, techniques string) (IntelNote, error) {
	actor, err := auth.Require(ctx, auth.PermEvidenceWrite)
	if err != nil {
		return IntelNote{}, err
	}
	var c apperr.Collector
	body = strings.TrimSpace(body)
	if body == "" {
		c.Add("body", "err.evidence_note_required")
	} else if utf8.RuneCountInString(body) > 20000 {
		c.Add("body", "err.evidence_too_long", 20000)
	}
	ids, bad := ParseTechniques(techniques)
	if bad != "" {
		c.Add("techniques", "err.evidence_technique_invalid", bad)
	}
	now := s.now()
	n := IntelNote{IncidentID: incidentID, Body: body, Techniques: ids, Author: actor.Username, CreatedAt: now}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := checkIncident(ctx, tx, actor.OrgID, incidentID); err != nil {
			return err
		}
		if err := c.Err(); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO incident_intel_notes (org_id, incident_id, body, techniques, author_id,
			author, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, actor.OrgID, incidentID, body,
			strings.Join(ids, " "), actor.UserID, actor.Username, store.Micros(now)).Scan(&n.ID); err != nil {
			return fmt.Errorf("insert intel note: %w", err)
		}
		return audit.Append(ctx, tx, now, actor.Audit("intel_note.create", "intel_note", strconv.FormatInt(n.ID, 10), nil, n))
	})
	if err != nil {
		return IntelNote{}, apperr.Wrap(err, "add intel note")
	}
	return n, nil
}

// Notes lists the incident's intel notes, oldest first.
func (s *Service) Notes(ctx context.Context, incidentID int64) ([]IntelNote, error) {
	actor, err := auth.Require(ctx, auth.PermEvidenceRead)
	if err != nil {
		return nil, err
	}
	db := s.DB.Read()
	if err := checkIncident(ctx, db, actor.OrgID, incidentID); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, body, techniques, author, created_at FROM incident_intel_notes
		WHERE org_id = $1 AND incident_id = $2 ORDER BY id`, actor.OrgID, incidentID)
	if err != nil {
		return nil, fmt.Errorf("list intel notes: %w", err)
	}
	defer rows.Close()
	out := []IntelNote{}
	for rows.Next() {
		n := IntelNote{IncidentID: incidentID}
		var techs string
		var at int64
		if err := rows.Scan(&n.ID, &n.Body, &techs, &n.Author, &at); err != nil {
			return nil, fmt.Errorf("list intel notes: %w", err)
		}
		n.Techniques = strings.Fields(techs)
		n.CreatedAt = store.FromMicros(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// CommonTechniques returns the shipped list of ATT&CK techniques to pick
// from (any well-formed ID is accepted as well).
func (s *Service) CommonTechniques(ctx context.Context) ([]Technique, error) {
	if _, err := auth.Require(ctx, auth.PermEvidenceRead); err != nil {
		return nil, err
	}
	return append([]Technique(nil), Techniques...), nil
}
