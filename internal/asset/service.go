package asset

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/search"
	"bulwark/internal/store"
)

// Service is the asset register. Every method checks the actor in ctx and
// works only in the actor's current organisation.
type Service struct {
	DB          *store.DB
	Clock       clock.Clock
	ValueMethod ValueMethod
}

const columns = `id, org_id, number, name, asset_type, subtype, owner, department, location, ips, hostnames, os,
	vendor_model, business_system, status, tags, notes, confidentiality, integrity, availability, asset_value,
	created_at, updated_at`

func scan(row interface{ Scan(...any) error }) (Asset, error) {
	var a Asset
	var ips, hosts, tags string
	var created, updated int64
	err := row.Scan(&a.ID, &a.OrgID, &a.Number, &a.Name, &a.Type, &a.Subtype, &a.Owner, &a.Department, &a.Location,
		&ips, &hosts, &a.OS, &a.VendorModel, &a.BusinessSystem, &a.Status, &tags, &a.Notes, &a.C, &a.I, &a.A, &a.Value,
		&created, &updated)
	a.IPs, a.Hostnames, a.Tags = splitStored(ips), splitStored(hosts), splitStored(tags)
	a.CreatedAt, a.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return a, err
}

// Lists are stored one item per line: items never contain a newline.
func joinStored(l []string) string { return strings.Join(l, "\n") }

func splitStored(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, "\n")
}

func (a *Asset) searchTerms() string {
	return search.IndexTerms(a.Number, a.Name, a.Subtype, a.Owner, a.Department, a.Location,
		strings.Join(a.IPs, " "), strings.Join(a.Hostnames, " "), a.OS, a.VendorModel, a.BusinessSystem,
		strings.Join(a.Tags, " "), a.Notes)
}

// Create adds an asset. An empty number is generated (ZC-000123).
func (s *Service) Create(ctx context.Context, in Asset) (Asset, error) {
	actor, err := auth.Require(ctx, auth.PermAssetWrite)
	if err != nil {
		return Asset{}, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Asset{}, err
	}
	var out Asset
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		out, err = s.insert(ctx, tx, actor, in)
		return err
	})
	return out, apperr.Wrap(err, "create asset")
}

// insert writes a normalised, valid asset and its audit record, taking the
// next number when it has none and refusing a number already used.
func (s *Service) insert(ctx context.Context, tx *store.Tx, actor *auth.Actor, in Asset) (Asset, error) {
	if in.Number == "" {
		n, err := s.nextNumber(ctx, tx, actor.OrgID)
		if err != nil {
			return Asset{}, err
		}
		in.Number = n
	} else if _, err := getBy(ctx, tx, actor.OrgID, "number", in.Number); err == nil {
		return Asset{}, apperr.Fields([]apperr.FieldError{{Field: "number", Key: "err.duplicate"}})
	} else if !apperr.Is(err, apperr.NotFound) {
		return Asset{}, err
	}
	return s.writeNew(ctx, tx, actor, in)
}

// writeNew inserts in, whose number the caller has made sure is set and
// free (insert checks it per asset; an import checks a whole file against
// the register it read once), with its audit record.
func (s *Service) writeNew(ctx context.Context, tx *store.Tx, actor *auth.Actor, in Asset) (Asset, error) {
	out, err := s.writeNewBatch(ctx, tx, actor, []Asset{in})
	if err != nil {
		return Asset{}, err
	}
	return out[0], nil
}

// nextNumber takes the next free ZC- number of the organisation.
func (s *Service) nextNumber(ctx context.Context, tx *store.Tx, orgID int64) (string, error) {
	for range 1000 {
		var n int64
		err := tx.QueryRowContext(ctx, `INSERT INTO counters (org_id, name, value) VALUES ($1, 'asset', 1)
			ON CONFLICT (org_id, name) DO UPDATE SET value = counters.value + 1 RETURNING value`, orgID).Scan(&n)
		if err != nil {
			return "", fmt.Errorf("next asset number: %w", err)
		}
		num := fmt.Sprintf("ZC-%06d", n)
		// A number typed in or imported may already hold this value.
		if _, err := getBy(ctx, tx, orgID, "number", num); apperr.Is(err, apperr.NotFound) {
			return num, nil
		} else if err != nil {
			return "", err
		}
	}
	return "", errors.New("next asset number: no free number after 1000 tries")
}

// Get returns one asset of the actor's organisation.
func (s *Service) Get(ctx context.Context, id int64) (Asset, error) {
	actor, err := auth.Require(ctx, auth.PermAssetRead)
	if err != nil {
		return Asset{}, err
	}
	a, err := getBy(ctx, s.DB.Read(), actor.OrgID, "id", id)
	return a, apperr.Wrap(err, "get asset")
}

// getBy reads one asset by id or number; column is a constant from our code.
func getBy(ctx context.Context, q store.Querier, orgID int64, column string, v any) (Asset, error) {
	a, err := scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM assets WHERE org_id = $1 AND `+column+` = $2`, orgID, v))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return a, fmt.Errorf("read asset by %s: %w", column, err)
	}
	return a, nil
}

// Update replaces an asset's fields with in's (id and org come from the
// stored record; number may change if the new one is free).
func (s *Service) Update(ctx context.Context, id int64, in Asset) (Asset, error) {
	actor, err := auth.Require(ctx, auth.PermAssetWrite)
	if err != nil {
		return Asset{}, err
	}
	in.Normalize()
	if err := in.Validate(); err != nil {
		return Asset{}, err
	}
	var out Asset
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := getBy(ctx, tx, actor.OrgID, "id", id)
		if err != nil {
			return err
		}
		out, err = s.update(ctx, tx, actor, before, in)
		return err
	})
	return out, apperr.Wrap(err, "update asset")
}

// update writes in over before (same organisation) with its audit record,
// refusing a changed number that another asset already has.
func (s *Service) update(ctx context.Context, tx *store.Tx, actor *auth.Actor, before, in Asset) (Asset, error) {
	if in.Number == "" {
		in.Number = before.Number
	}
	if in.Number != before.Number {
		if _, err := getBy(ctx, tx, before.OrgID, "number", in.Number); err == nil {
			return Asset{}, apperr.Fields([]apperr.FieldError{{Field: "number", Key: "err.duplicate"}})
		} else if !apperr.Is(err, apperr.NotFound) {
			return Asset{}, err
		}
	}
	return s.writeUpdate(ctx, tx, actor, before, in)
}

// writeUpdate stores in over before, whose number the caller has checked,
// with its audit record.
func (s *Service) writeUpdate(ctx context.Context, tx *store.Tx, actor *auth.Actor, before, in Asset) (Asset, error) {
	out, err := s.writeUpdateBatch(ctx, tx, actor, []Asset{before}, []Asset{in})
	if err != nil {
		return Asset{}, err
	}
	return out[0], nil
}

// Delete removes an asset; the trail keeps what it was.
func (s *Service) Delete(ctx context.Context, id int64) error {
	actor, err := auth.Require(ctx, auth.PermAssetDelete)
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		before, err := getBy(ctx, tx, actor.OrgID, "id", id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM assets WHERE id = $1 AND org_id = $2`, id, actor.OrgID); err != nil {
			return fmt.Errorf("delete asset %d: %w", id, err)
		}
		return audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("asset.delete", "asset", fmt.Sprint(id), before, nil))
	})
	return apperr.Wrap(err, "delete asset")
}

// History returns the asset's own audit records, newest first. Whoever may
// read the asset may read how it changed; the full trail (with addresses)
// stays with auditors.
func (s *Service) History(ctx context.Context, id int64) ([]audit.Change, error) {
	actor, err := auth.Require(ctx, auth.PermAssetRead)
	if err != nil {
		return nil, err
	}
	entries, _, err := audit.List(ctx, s.DB.Read(), audit.Filter{OrgID: actor.OrgID, ObjectType: "asset", ObjectID: fmt.Sprint(id), Limit: 200})
	if err != nil {
		return nil, apperr.Wrap(err, "asset history")
	}
	if len(entries) == 0 {
		// Not this organisation's asset (or none at all): say so rather
		// than answer with an empty history.
		return nil, apperr.New(apperr.NotFound, "err.not_found")
	}
	return audit.Changes(entries), nil
}
