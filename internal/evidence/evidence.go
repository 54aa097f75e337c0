// Package evidence keeps what an incident response collects (issue 3,
// point 8): evidence files with their chain of custody, indicators of
// compromise (IOCs) searchable across incidents, and intel notes tagged with
// MITRE ATT&CK techniques (情报收集与分析). Every method checks the actor
// in ctx and works only on incidents of the actor's organisation.
package evidence

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/clock"
	"bulwark/internal/store"
)

// Service holds evidence, IOCs and intel notes.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
}

// Evidence is one file uploaded to an incident. The same content uploaded
// twice is stored once on disk but gets two records: each upload is its own
// act of collection (who, when, from where) with its own custody chain.
type Evidence struct {
	ID            int64      `json:"id"`
	IncidentID    int64      `json:"incident_id"`
	SHA256        string     `json:"sha256"`
	Size          int64      `json:"size"`
	Filename      string     `json:"filename"`
	ContentType   string     `json:"content_type"`
	Description   string     `json:"description"`
	CollectedBy   string     `json:"collected_by"`
	CollectedAt   *time.Time `json:"collected_at"`
	CollectedFrom string     `json:"collected_from"`
	UploadedBy    int64      `json:"uploaded_by"`
	UploaderName  string     `json:"uploaded_by_name"`
	UploadedAt    time.Time  `json:"uploaded_at"`
}

// Custody is one entry of an evidence file's chain of custody.
type Custody struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	ActorID int64     `json:"actor_id"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"` // upload, view, download, transfer, note
	Note    string    `json:"note"`
}

// now is the service clock, cut to what the database stores.
func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

// checkIncident answers not found unless incident id is the organisation's,
// so another organisation's incident looks exactly like a missing one.
func checkIncident(ctx context.Context, q store.Querier, orgID, id int64) error {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM incidents WHERE org_id = $1 AND id = $2`, orgID, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return fmt.Errorf("check incident %d: %w", id, err)
	}
	return nil
}

func nullTime(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := store.FromMicros(n.Int64)
	return &t
}

func timeArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return store.Micros(*t)
}
