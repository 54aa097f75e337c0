package evidence

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
	"bulwark/internal/upload"
)

// The chain of custody: every access to an evidence file after its upload,
// and every hand-over, is a row of incident_custody and an audit record.

// custody appends an entry to e's chain of custody and the same event to
// the audit trail, inside tx.
func (s *Service) custody(ctx context.Context, tx *store.Tx, actor *auth.Actor, now time.Time, e Evidence, action, note string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO incident_custody (org_id, evidence_id, at, actor_id, actor, action, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, actor.OrgID, e.ID, store.Micros(now), actor.UserID, actor.Username, action, note); err != nil {
		return fmt.Errorf("custody %s of evidence %d: %w", action, e.ID, err)
	}
	after := map[string]any{"incident_id": e.IncidentID, "sha256": e.SHA256, "filename": e.Filename}
	if note != "" {
		after["note"] = note
	}
	return audit.Append(ctx, tx, now, actor.Audit("evidence."+action, "evidence", strconv.FormatInt(e.ID, 10), nil, after))
}

const evidenceCols = `id, incident_id, sha256, size, filename, content_type, description, collected_by, collected_at,
	collected_from, uploaded_by, uploaded_by_name, uploaded_at`

func scanEvidence(row interface{ Scan(...any) error }) (Evidence, error) {
	var e Evidence
	var collected sql.NullInt64
	var uploaded int64
	err := row.Scan(&e.ID, &e.IncidentID, &e.SHA256, &e.Size, &e.Filename, &e.ContentType, &e.Description,
		&e.CollectedBy, &collected, &e.CollectedFrom, &e.UploadedBy, &e.UploaderName, &uploaded)
	e.CollectedAt = nullTime(collected)
	e.UploadedAt = store.FromMicros(uploaded)
	return e, err
}

// List returns the incident's evidence, oldest first. Listing is not an
// access to the content and leaves no custody entry.
func (s *Service) List(ctx context.Context, incidentID int64) ([]Evidence, error) {
	actor, err := auth.Require(ctx, auth.PermEvidenceRead)
	if err != nil {
		return nil, err
	}
	db := s.DB.Read()
	if err := checkIncident(ctx, db, actor.OrgID, incidentID); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT `+evidenceCols+` FROM incident_evidence
		WHERE org_id = $1 AND incident_id = $2 ORDER BY id`, actor.OrgID, incidentID)
	if err != nil {
		return nil, fmt.Errorf("list evidence: %w", err)
	}
	defer rows.Close()
	out := []Evidence{}
	for rows.Next() {
		e, err := scanEvidence(rows)
		if err != nil {
			return nil, fmt.Errorf("list evidence: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func getEvidence(ctx context.Context, q store.Querier, orgID, incidentID, id int64) (Evidence, error) {
	e, err := scanEvidence(q.QueryRowContext(ctx, `SELECT `+evidenceCols+` FROM incident_evidence
		WHERE org_id = $1 AND incident_id = $2 AND id = $3`, orgID, incidentID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Evidence{}, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return Evidence{}, fmt.Errorf("get evidence %d: %w", id, err)
	}
	return e, nil
}

// access looks up the evidence and records action (view or download) in
// its custody chain and the audit trail, before anything is shown.
func (s *Service) access(ctx context.Context, incidentID, id int64, action string) (Evidence, *auth.Actor, error) {
	actor, err := auth.Require(ctx, auth.PermEvidenceRead)
	if err != nil {
		return Evidence{}, nil, err
	}
	var e Evidence
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if e, err = getEvidence(ctx, tx, actor.OrgID, incidentID, id); err != nil {
			return err
		}
		return s.custody(ctx, tx, actor, s.now(), e, action, "")
	})
	return e, actor, apperr.Wrap(err, "evidence "+action)
}

// Get returns the evidence record with its chain of custody, recording the
// view itself first.
func (s *Service) Get(ctx context.Context, incidentID, id int64) (Evidence, []Custody, error) {
	e, actor, err := s.access(ctx, incidentID, id, "view")
	if err != nil {
		return Evidence{}, nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT id, at, actor_id, actor, action, note FROM incident_custody
		WHERE org_id = $1 AND evidence_id = $2 ORDER BY id`, actor.OrgID, e.ID)
	if err != nil {
		return Evidence{}, nil, fmt.Errorf("read custody: %w", err)
	}
	defer rows.Close()
	var out []Custody
	for rows.Next() {
		var c Custody
		var at int64
		if err := rows.Scan(&c.ID, &at, &c.ActorID, &c.Actor, &c.Action, &c.Note); err != nil {
			return Evidence{}, nil, fmt.Errorf("read custody: %w", err)
		}
		c.At = store.FromMicros(at)
		out = append(out, c)
	}
	return e, out, rows.Err()
}

// Open records the download in the chain of custody and opens the stored
// content for reading; the caller closes it.
func (s *Service) Open(ctx context.Context, dataDir string, incidentID, id int64) (Evidence, *os.File, error) {
	e, _, err := s.access(ctx, incidentID, id, "download")
	if err != nil {
		return Evidence{}, nil, err
	}
	f, err := os.Open(upload.PathOf(dataDir, e.SHA256))
	if err != nil {
		return Evidence{}, nil, fmt.Errorf("open evidence %d: %w", id, err)
	}
	// A stored file of the wrong size has been tampered with or damaged:
	// refuse it rather than hand it on as the evidence. (A full hash check
	// would read a memory dump twice per download.)
	if st, err := f.Stat(); err != nil || st.Size() != e.Size {
		f.Close()
		return Evidence{}, nil, fmt.Errorf("open evidence %d: stored file does not match the recorded size", id)
	}
	return e, f, nil
}

// Record adds a transfer ("handed to 公安 on …") or a note to the chain of
// custody.
func (s *Service) Record(ctx context.Context, incidentID, id int64, action, note string) (Custody, error) {
	actor, err := auth.Require(ctx, auth.PermEvidenceWrite)
	if err != nil {
		return Custody{}, err
	}
	note = strings.TrimSpace(note)
	var c apperr.Collector
	if action != "transfer" && action != "note" {
		c.Add("action", "err.evidence_custody_action")
	}
	if note == "" {
		c.Add("note", "err.evidence_note_required")
	} else if utf8.RuneCountInString(note) > 2000 {
		c.Add("note", "err.evidence_too_long", 2000)
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		e, err := getEvidence(ctx, tx, actor.OrgID, incidentID, id)
		if err != nil {
			return err
		}
		if err := c.Err(); err != nil {
			return err
		}
		return s.custody(ctx, tx, actor, now, e, action, note)
	})
	if err != nil {
		return Custody{}, apperr.Wrap(err, "record custody")
	}
	return Custody{At: now, ActorID: actor.UserID, Actor: actor.Username, Action: action, Note: note}, nil
}
