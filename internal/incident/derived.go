package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"bulwark/internal/search"
	"bulwark/internal/store"
)

// Columns the service derives from an incident's facts in Go, because SQL
// cannot: discovered_month, the month of discovery in the installation's
// time zone (yyyymm), which keys the dashboard's rollup (migration 0026),
// and search_terms, the full-text terms (internal/search) of the list's
// search. The database keeps the rest in step by itself: the counts, the
// rollup and the FTS5 index follow these columns through triggers.

// installationZone is the installation's time zone (UTC when none is set).
func (s *Service) installationZone() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// monthOf is t's month in loc as yyyymm.
func monthOf(t time.Time, loc *time.Location) int {
	t = t.In(loc)
	return t.Year()*100 + int(t.Month())
}

// searchTerms are the words the list's search finds an incident by.
func searchTerms(number, title, description, systems string) string {
	return search.IndexTerms(number, title, description, strings.ReplaceAll(systems, "\n", " "))
}

// writeDerived stores the occurrence time and the derived columns of i,
// in the transaction that wrote i's facts.
func writeDerived(ctx context.Context, tx *store.Tx, loc *time.Location, i Incident) error {
	if _, err := tx.ExecContext(ctx, `UPDATE incidents SET occurred_at = $1, discovered_month = $2, search_terms = $3
		WHERE org_id = $4 AND id = $5`, timeArg(i.OccurredAt), monthOf(i.DiscoveredAt, loc),
		searchTerms(i.Number, i.Title, i.Description, strings.Join(i.BusinessSystems, "\n")), i.OrgID, i.ID); err != nil {
		return fmt.Errorf("derive columns of incident %d: %w", i.ID, err)
	}
	return nil
}

// catchUpBatch is how many incidents CatchUp reads and writes per transaction.
const catchUpBatch = 500

// CatchUp fills the derived columns where they are missing (incidents
// recorded before migration 0026) and recomputes every month when the time
// zone setting changed since they were computed. Bulwark calls it at start,
// as the system: it changes no fact, only what is derived from facts, so it
// writes no audit record. It returns how many incidents it changed.
func (s *Service) CatchUp(ctx context.Context) (int, error) {
	loc := s.installationZone()
	var zone string
	err := s.DB.Read().QueryRowContext(ctx, `SELECT zone FROM incident_month_zone WHERE id = 1`).Scan(&zone)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("incident catch-up: read time zone: %w", err)
	}
	rekey := zone != loc.String()
	changed, last := 0, int64(0)
	for {
		cond := `discovered_month IS NULL OR search_terms IS NULL`
		if rekey {
			cond = `1 = 1`
		}
		n, next, done, err := s.catchUpBatch(ctx, loc, cond, last)
		if err != nil {
			return changed, err
		}
		changed, last = changed+n, next
		if done {
			break
		}
	}
	if rekey {
		err := s.DB.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO incident_month_zone (id, zone) VALUES (1, $1)
				ON CONFLICT (id) DO UPDATE SET zone = excluded.zone`, loc.String())
			return err
		})
		if err != nil {
			return changed, fmt.Errorf("incident catch-up: store time zone: %w", err)
		}
	}
	if changed > 0 {
		slog.InfoContext(ctx, "incident metrics and search caught up", "incidents", changed, "zone", loc.String())
	}
	return changed, nil
}

// catchUpBatch updates the next incidents after id last that match cond.
func (s *Service) catchUpBatch(ctx context.Context, loc *time.Location, cond string, last int64) (changed int, next int64, done bool, err error) {
	next = last
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, number, title, description, business_systems, discovered_at,
			discovered_month, search_terms FROM incidents WHERE id > $1 AND (`+cond+`) ORDER BY id LIMIT $2`, last, catchUpBatch)
		if err != nil {
			return err
		}
		type fix struct {
			id    int64
			month int
			terms string
		}
		var fixes []fix
		seen := 0
		for rows.Next() {
			var id, discovered int64
			var number, title, description, systems string
			var month sql.NullInt64
			var terms sql.NullString
			if err := rows.Scan(&id, &number, &title, &description, &systems, &discovered, &month, &terms); err != nil {
				rows.Close()
				return err
			}
			seen++
			next = id
			f := fix{id: id, month: monthOf(store.FromMicros(discovered), loc), terms: terms.String}
			if !terms.Valid {
				f.terms = searchTerms(number, title, description, systems)
			}
			if !month.Valid || int(month.Int64) != f.month || !terms.Valid {
				fixes = append(fixes, f)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		done = seen < catchUpBatch
		for _, f := range fixes {
			if _, err := tx.ExecContext(ctx, `UPDATE incidents SET discovered_month = $1, search_terms = $2 WHERE id = $3`,
				f.month, f.terms, f.id); err != nil {
				return err
			}
		}
		changed = len(fixes)
		return nil
	})
	if err != nil {
		return 0, last, false, fmt.Errorf("incident catch-up after id %d: %w", last, err)
	}
	return changed, next, done, nil
}
