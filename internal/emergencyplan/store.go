package emergencyplan

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/store"
)

const revisionColumns = `id, major, minor, major_change, status, title, summary, reason, based_on, author_id, author_name,
	approval_id, reject_reason, effective_from, approved_by, approved_by_name, approved_at, effective_at, created_at, updated_at`

func scanRevision(row interface{ Scan(...any) error }) (Revision, error) {
	var r Revision
	var majorChange int
	var from, approved, effective, created, updated int64
	err := row.Scan(&r.ID, &r.Major, &r.Minor, &majorChange, &r.Status, &r.Title, &r.Summary, &r.Reason, &r.BasedOn,
		&r.AuthorID, &r.AuthorName, &r.ApprovalID, &r.RejectReason, &from, &r.ApprovedBy, &r.ApprovedByName,
		&approved, &effective, &created, &updated)
	r.MajorChange = majorChange != 0
	r.Version = FormatVersion(r.Major, r.Minor)
	r.EffectiveFrom, r.ApprovedAt, r.EffectiveAt = optTime(from), optTime(approved), optTime(effective)
	r.CreatedAt, r.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	r.Chapters, r.Incidents = []Chapter{}, []IncidentRef{}
	return r, err
}

func optTime(us int64) *time.Time {
	if us == 0 {
		return nil
	}
	t := store.FromMicros(us)
	return &t
}

func optMicros(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return store.Micros(*t)
}

// getRevision reads one revision of org without its chapters; inside a
// PostgreSQL transaction it locks the row, so two moves of one revision
// serialise (SQLite's write transaction already holds the database).
func getRevision(ctx context.Context, q store.Querier, orgID, id int64) (Revision, error) {
	query := `SELECT ` + revisionColumns + ` FROM emergency_plan_revisions WHERE org_id = $1 AND id = $2`
	if tx, ok := q.(*store.Tx); ok && tx.Dialect == store.Postgres {
		query += ` FOR UPDATE`
	}
	r, err := scanRevision(q.QueryRowContext(ctx, query, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return r, fmt.Errorf("read plan revision %d: %w", id, err)
	}
	return r, nil
}

// listRevisions returns revisions of org matching where (after org_id =
// $1), in the given order, without chapters but with their incidents.
func listRevisions(ctx context.Context, q store.Querier, orgID int64, where, order string, args ...any) ([]Revision, error) {
	query := `SELECT ` + revisionColumns + ` FROM emergency_plan_revisions WHERE org_id = $1` + where + ` ORDER BY ` + order
	rows, err := q.QueryContext(ctx, query, append([]any{orgID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("list plan revisions: %w", err)
	}
	defer rows.Close()
	out := []Revision{}
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, fmt.Errorf("scan plan revision: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list plan revisions: %w", err)
	}
	for i := range out {
		if out[i].Incidents, err = incidentsOf(ctx, q, orgID, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// openRevision returns the organisation's draft or submitted revision.
func openRevision(ctx context.Context, q store.Querier, orgID int64) (Revision, bool, error) {
	list, err := listRevisions(ctx, q, orgID, ` AND status <> 'approved'`, `id`)
	if err != nil || len(list) == 0 {
		return Revision{}, false, err
	}
	return list[0], true, nil
}

// latestApproved returns the approved revision with the highest version.
func latestApproved(ctx context.Context, q store.Querier, orgID int64) (Revision, bool, error) {
	list, err := listRevisions(ctx, q, orgID, ` AND status = 'approved'`, `major DESC, minor DESC LIMIT 1`)
	if err != nil || len(list) == 0 {
		return Revision{}, false, err
	}
	return list[0], true, nil
}

func chaptersOf(ctx context.Context, q store.Querier, orgID, revisionID int64) ([]Chapter, error) {
	rows, err := q.QueryContext(ctx, `SELECT title, body, source FROM emergency_plan_chapters
		WHERE org_id = $1 AND revision_id = $2 ORDER BY position, id`, orgID, revisionID)
	if err != nil {
		return nil, fmt.Errorf("read chapters of revision %d: %w", revisionID, err)
	}
	defer rows.Close()
	out := []Chapter{}
	for rows.Next() {
		var c Chapter
		if err := rows.Scan(&c.Title, &c.Body, &c.Source); err != nil {
			return nil, fmt.Errorf("read chapters of revision %d: %w", revisionID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func incidentsOf(ctx context.Context, q store.Querier, orgID, revisionID int64) ([]IncidentRef, error) {
	rows, err := q.QueryContext(ctx, `SELECT i.id, i.number, i.title FROM emergency_plan_revision_incidents l
		JOIN incidents i ON i.id = l.incident_id AND i.org_id = l.org_id
		WHERE l.org_id = $1 AND l.revision_id = $2 ORDER BY i.id`, orgID, revisionID)
	if err != nil {
		return nil, fmt.Errorf("read incidents of revision %d: %w", revisionID, err)
	}
	defer rows.Close()
	out := []IncidentRef{}
	for rows.Next() {
		var r IncidentRef
		if err := rows.Scan(&r.ID, &r.Number, &r.Title); err != nil {
			return nil, fmt.Errorf("read incidents of revision %d: %w", revisionID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// loadRevision reads a revision with its chapters and incidents.
func loadRevision(ctx context.Context, q store.Querier, orgID, id int64) (Revision, error) {
	r, err := getRevision(ctx, q, orgID, id)
	if err != nil {
		return r, err
	}
	if r.Chapters, err = chaptersOf(ctx, q, orgID, id); err != nil {
		return r, err
	}
	r.Incidents, err = incidentsOf(ctx, q, orgID, id)
	return r, err
}

func insertRevision(ctx context.Context, tx *store.Tx, orgID int64, r *Revision) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO emergency_plan_revisions (org_id, major, minor, major_change, status, title,
		summary, reason, based_on, author_id, author_name, effective_from, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
		orgID, r.Major, r.Minor, boolInt(r.MajorChange), r.Status, r.Title, r.Summary, r.Reason, r.BasedOn,
		r.AuthorID, r.AuthorName, optMicros(r.EffectiveFrom), store.Micros(r.CreatedAt)).Scan(&r.ID)
	if store.IsUniqueViolation(err) {
		return apperr.New(apperr.Conflict, "err.eplan_open_exists")
	}
	if err != nil {
		return fmt.Errorf("insert plan revision: %w", err)
	}
	return nil
}

// saveRevision writes every field of r but its chapters and incidents.
func saveRevision(ctx context.Context, tx *store.Tx, orgID int64, r Revision) error {
	_, err := tx.ExecContext(ctx, `UPDATE emergency_plan_revisions SET major = $1, minor = $2, major_change = $3, status = $4,
		title = $5, summary = $6, reason = $7, approval_id = $8, reject_reason = $9, effective_from = $10, approved_by = $11,
		approved_by_name = $12, approved_at = $13, effective_at = $14, updated_at = $15 WHERE org_id = $16 AND id = $17`,
		r.Major, r.Minor, boolInt(r.MajorChange), r.Status, r.Title, r.Summary, r.Reason, r.ApprovalID, r.RejectReason,
		optMicros(r.EffectiveFrom), r.ApprovedBy, r.ApprovedByName, optMicros(r.ApprovedAt), optMicros(r.EffectiveAt),
		store.Micros(r.UpdatedAt), orgID, r.ID)
	if store.IsUniqueViolation(err) {
		return apperr.New(apperr.Conflict, "err.eplan_version_taken")
	}
	if err != nil {
		return fmt.Errorf("save plan revision %d: %w", r.ID, err)
	}
	return nil
}

// replaceContent writes the chapters and incident links of a revision.
func replaceContent(ctx context.Context, tx *store.Tx, orgID int64, r Revision) error {
	for _, q := range []string{`DELETE FROM emergency_plan_chapters WHERE org_id = $1 AND revision_id = $2`,
		`DELETE FROM emergency_plan_revision_incidents WHERE org_id = $1 AND revision_id = $2`} {
		if _, err := tx.ExecContext(ctx, q, orgID, r.ID); err != nil {
			return fmt.Errorf("clear revision %d: %w", r.ID, err)
		}
	}
	for i, c := range r.Chapters {
		if _, err := tx.ExecContext(ctx, `INSERT INTO emergency_plan_chapters (org_id, revision_id, position, source, title, body)
			VALUES ($1, $2, $3, $4, $5, $6)`, orgID, r.ID, i+1, c.Source, c.Title, c.Body); err != nil {
			return fmt.Errorf("insert chapter %d of revision %d: %w", i+1, r.ID, err)
		}
	}
	for _, inc := range r.Incidents {
		if _, err := tx.ExecContext(ctx, `INSERT INTO emergency_plan_revision_incidents (org_id, revision_id, incident_id)
			VALUES ($1, $2, $3)`, orgID, r.ID, inc.ID); err != nil {
			return fmt.Errorf("link incident %d to revision %d: %w", inc.ID, r.ID, err)
		}
	}
	return nil
}

func deleteRevision(ctx context.Context, tx *store.Tx, orgID, id int64) error {
	// Explicit deletes rather than ON DELETE CASCADE, which SQLite only
	// honours with foreign keys on.
	for _, q := range []string{`DELETE FROM emergency_plan_chapters WHERE org_id = $1 AND revision_id = $2`,
		`DELETE FROM emergency_plan_revision_incidents WHERE org_id = $1 AND revision_id = $2`,
		`DELETE FROM emergency_plan_revisions WHERE org_id = $1 AND id = $2`} {
		if _, err := tx.ExecContext(ctx, q, orgID, id); err != nil {
			return fmt.Errorf("delete revision %d: %w", id, err)
		}
	}
	return nil
}

// resolveIncidents finds the organisation's incidents by id and by number
// (SJ-2026-0001), in the order given, without repeats; unknown ones are
// field errors on field.
func resolveIncidents(ctx context.Context, q store.Querier, orgID int64, ids []int64, numbers []string, c *apperr.Collector) ([]IncidentRef, error) {
	out := []IncidentRef{}
	seen := map[int64]bool{}
	add := func(query string, arg any, shown string) error {
		var r IncidentRef
		err := q.QueryRowContext(ctx, `SELECT id, number, title FROM incidents WHERE org_id = $1 AND `+query, orgID, arg).
			Scan(&r.ID, &r.Number, &r.Title)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			c.Add("incidents", "err.eplan_unknown_incident", shown)
			return nil
		case err != nil:
			return fmt.Errorf("find incident %s: %w", shown, err)
		}
		if !seen[r.ID] {
			seen[r.ID] = true
			out = append(out, r)
		}
		return nil
	}
	for _, id := range ids {
		if err := add(`id = $2`, id, fmt.Sprint(id)); err != nil {
			return nil, err
		}
	}
	for _, n := range numbers {
		if err := add(`number = $2`, n, n); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
