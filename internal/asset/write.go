package asset

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// The write paths below serve one asset (the form, the API) and thousands
// (an import) alike. An import of 10,000 rows must finish in seconds on
// both engines, so they cut round trips: many rows per INSERT, one
// prepared UPDATE, the audit records appended as a batch. Every asset
// still gets its own audit record.

const insertColumns = `org_id, number, name, asset_type, subtype, owner, department, location, ips, hostnames, os,
	vendor_model, business_system, status, tags, notes, confidentiality, integrity, availability, asset_value,
	search_terms, created_at, updated_at`

// writeNewBatch inserts ins (normalised, valid, numbered with free
// numbers) into the actor's organisation, with one audit record each, and
// returns them with their ids.
func (s *Service) writeNewBatch(ctx context.Context, tx *store.Tx, actor *auth.Actor, ins []Asset) ([]Asset, error) {
	now := s.Clock.Now().Truncate(time.Microsecond)
	out := make([]Asset, len(ins))
	per := tx.Dialect.BatchRows(22)
	// Full chunks share one prepared statement: parsed once per import.
	var full *sql.Stmt
	if len(ins) >= per {
		var err error
		if full, err = tx.PrepareContext(ctx, insertSQL(per)); err != nil {
			return nil, fmt.Errorf("insert assets: prepare: %w", err)
		}
		defer full.Close()
	}
	for start := 0; start < len(ins); start += per {
		chunk := ins[start:min(start+per, len(ins))]
		args := make([]any, 0, len(chunk)*22)
		index := make(map[string]int, len(chunk)) // number → position in out
		for i, in := range chunk {
			in.OrgID = actor.OrgID
			in.Value = s.ValueMethod.Compute(in.C, in.I, in.A)
			in.CreatedAt, in.UpdatedAt = now, now
			out[start+i] = in
			index[in.Number] = start + i
			args = append(args, in.OrgID, in.Number, in.Name, in.Type, in.Subtype, in.Owner, in.Department, in.Location,
				joinStored(in.IPs), joinStored(in.Hostnames), in.OS, in.VendorModel, in.BusinessSystem, in.Status,
				joinStored(in.Tags), in.Notes, in.C, in.I, in.A, in.Value, in.searchTerms(), store.Micros(now))
		}
		var rows *sql.Rows
		var err error
		if len(chunk) == per {
			rows, err = full.QueryContext(ctx, args...)
		} else {
			rows, err = tx.QueryContext(ctx, insertSQL(len(chunk)), args...)
		}
		if err != nil {
			return nil, insertErr(err)
		}
		n := 0
		for rows.Next() {
			var id int64
			var number string
			if err := rows.Scan(&id, &number); err != nil {
				rows.Close()
				return nil, fmt.Errorf("insert assets: %w", err)
			}
			i, ok := index[number]
			if !ok {
				rows.Close()
				return nil, fmt.Errorf("insert assets: unexpected number %q returned", number)
			}
			out[i].ID = id
			n++
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, insertErr(err)
		}
		if n != len(chunk) {
			return nil, fmt.Errorf("insert assets: %d ids returned for %d rows", n, len(chunk))
		}
	}
	recs := make([]audit.Record, len(out))
	for i, a := range out {
		recs[i] = actor.Audit("asset.create", "asset", fmt.Sprint(a.ID), nil, a)
	}
	if err := audit.AppendBatch(ctx, tx, now, recs); err != nil {
		return nil, err
	}
	return out, nil
}

// insertSQL inserts n assets (22 parameters each; created_at and
// updated_at share one). RETURNING order is not guaranteed for a
// multi-row INSERT: numbers are unique in the organisation, so ids are
// matched by number.
func insertSQL(n int) string {
	var sb strings.Builder
	sb.WriteString(`INSERT INTO assets (` + insertColumns + `) VALUES `)
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		base := i * 22
		sb.WriteByte('(')
		for j := 1; j <= 22; j++ {
			fmt.Fprintf(&sb, "$%d, ", base+j)
		}
		fmt.Fprintf(&sb, "$%d)", base+22)
	}
	sb.WriteString(` RETURNING id, number`)
	return sb.String()
}

func insertErr(err error) error {
	if store.IsUniqueViolation(err) {
		return apperr.Fields([]apperr.FieldError{{Field: "number", Key: "err.duplicate"}})
	}
	return fmt.Errorf("insert assets: %w", err)
}

// writeUpdateBatch stores ins[i] over befores[i] (same organisation,
// numbers checked by the caller), with one audit record each.
func (s *Service) writeUpdateBatch(ctx context.Context, tx *store.Tx, actor *auth.Actor, befores, ins []Asset) ([]Asset, error) {
	now := s.Clock.Now().Truncate(time.Microsecond)
	stmt, err := tx.PrepareContext(ctx, `UPDATE assets SET number = $1, name = $2, asset_type = $3, subtype = $4, owner = $5,
		department = $6, location = $7, ips = $8, hostnames = $9, os = $10, vendor_model = $11, business_system = $12,
		status = $13, tags = $14, notes = $15, confidentiality = $16, integrity = $17, availability = $18,
		asset_value = $19, search_terms = $20, updated_at = $21 WHERE id = $22 AND org_id = $23`)
	if err != nil {
		return nil, fmt.Errorf("update assets: prepare: %w", err)
	}
	defer stmt.Close()
	out := make([]Asset, len(ins))
	recs := make([]audit.Record, len(ins))
	for i, in := range ins {
		before := befores[i]
		in.ID, in.OrgID, in.CreatedAt = before.ID, before.OrgID, before.CreatedAt
		if in.Number == "" {
			in.Number = before.Number
		}
		in.Value = s.ValueMethod.Compute(in.C, in.I, in.A)
		in.UpdatedAt = now
		_, err := stmt.ExecContext(ctx, in.Number, in.Name, in.Type, in.Subtype, in.Owner, in.Department, in.Location,
			joinStored(in.IPs), joinStored(in.Hostnames), in.OS, in.VendorModel, in.BusinessSystem, in.Status,
			joinStored(in.Tags), in.Notes, in.C, in.I, in.A, in.Value, in.searchTerms(), store.Micros(in.UpdatedAt), in.ID, in.OrgID)
		if err != nil {
			if store.IsUniqueViolation(err) {
				return nil, apperr.Fields([]apperr.FieldError{{Field: "number", Key: "err.duplicate"}})
			}
			return nil, fmt.Errorf("update asset %d: %w", in.ID, err)
		}
		out[i] = in
		recs[i] = actor.Audit("asset.update", "asset", fmt.Sprint(in.ID), before, in)
	}
	if err := audit.AppendBatch(ctx, tx, now, recs); err != nil {
		return nil, err
	}
	return out, nil
}
