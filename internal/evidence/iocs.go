package evidence

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// IOC is an indicator of compromise recorded on an incident, in its normal
// form (see ParseIOC).
type IOC struct {
	ID          int64      `json:"id"`
	IncidentID  int64      `json:"incident_id"`
	Type        IOCType    `json:"type"`
	Value       string     `json:"value"`
	HashKind    string     `json:"hash_kind,omitempty"` // md5, sha1 or sha256 for hashes
	Description string     `json:"description"`
	FirstSeen   *time.Time `json:"first_seen"`
	Tags        []string   `json:"tags"`
	CreatedAt   time.Time  `json:"created_at"`
	// IncidentNumber is filled by Search, which spans incidents.
	IncidentNumber string `json:"incident_number,omitempty"`
}

// IOCInput is what a person enters.
type IOCInput struct {
	Type        IOCType
	Value       string
	Description string
	FirstSeen   *time.Time
	Tags        []string
}

func cleanTags(tags []string) []string {
	out := []string{}
	for _, t := range tags {
		for _, f := range strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == '，' || r == '\n' }) {
			if f = strings.TrimSpace(f); f != "" && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// AddIOC records an indicator on the incident. The same type and value twice
// on one incident is refused (err.evidence_ioc_duplicate).
func (s *Service) AddIOC(ctx context.Context, incidentID int64, in IOCInput) (IOC, error) {
	actor, err := auth.Require(ctx, auth.PermEvidenceWrite)
	if err != nil {
		return IOC{}, err
	}
	var c apperr.Collector
	value, bad := ParseIOC(in.Type, in.Value)
	if bad == "err.evidence_ioc_type" {
		c.Add("type", bad)
	} else if bad != "" {
		c.Add("value", bad)
	}
	in.Description = strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(in.Description) > 2000 {
		c.Add("description", "err.evidence_too_long", 2000)
	}
	tags := cleanTags(in.Tags)
	now := s.now()
	if in.FirstSeen != nil {
		t := in.FirstSeen.UTC().Truncate(time.Microsecond)
		in.FirstSeen = &t
	}
	i := IOC{IncidentID: incidentID, Type: in.Type, Value: value, Description: in.Description,
		FirstSeen: in.FirstSeen, Tags: tags, CreatedAt: now}
	if in.Type == IOCHash {
		i.HashKind = HashKind(value)
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := checkIncident(ctx, tx, actor.OrgID, incidentID); err != nil {
			return err
		}
		if err := c.Err(); err != nil {
			return err
		}
		// ON CONFLICT DO NOTHING (both engines) makes the unique key the
		// judge, so two people adding the same indicator at once get one
		// row and one clear refusal, never an internal error.
		err := tx.QueryRowContext(ctx, `INSERT INTO incident_iocs (org_id, incident_id, type, value, description,
			first_seen, tags, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (incident_id, type, value) DO NOTHING RETURNING id`,
			actor.OrgID, incidentID, string(i.Type), i.Value, i.Description, timeArg(i.FirstSeen), strings.Join(tags, "\n"),
			actor.UserID, store.Micros(now)).Scan(&i.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.Fields([]apperr.FieldError{{Field: "value", Key: "err.evidence_ioc_duplicate"}})
		}
		if err != nil {
			return fmt.Errorf("insert ioc: %w", err)
		}
		return audit.Append(ctx, tx, now, actor.Audit("ioc.create", "ioc", strconv.FormatInt(i.ID, 10), nil, i))
	})
	if err != nil {
		return IOC{}, apperr.Wrap(err, "add ioc")
	}
	return i, nil
}

const iocCols = `i.id, i.incident_id, i.type, i.value, i.description, i.first_seen, i.tags, i.created_at, n.number`

func scanIOCs(rows *sql.Rows) ([]IOC, error) {
	defer rows.Close()
	out := []IOC{}
	for rows.Next() {
		var i IOC
		var first sql.NullInt64
		var tags string
		var created int64
		if err := rows.Scan(&i.ID, &i.IncidentID, &i.Type, &i.Value, &i.Description, &first, &tags, &created, &i.IncidentNumber); err != nil {
			return nil, err
		}
		i.FirstSeen = nullTime(first)
		i.CreatedAt = store.FromMicros(created)
		i.Tags = cleanTags([]string{tags})
		if i.Type == IOCHash {
			i.HashKind = HashKind(i.Value)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// IOCs lists the incident's indicators by type and value.
func (s *Service) IOCs(ctx context.Context, incidentID int64) ([]IOC, error) {
	actor, err := auth.Require(ctx, auth.PermEvidenceRead)
	if err != nil {
		return nil, err
	}
	db := s.DB.Read()
	if err := checkIncident(ctx, db, actor.OrgID, incidentID); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT `+iocCols+` FROM incident_iocs i JOIN incidents n ON n.id = i.incident_id
		WHERE i.org_id = $1 AND i.incident_id = $2 ORDER BY i.type, i.value`, actor.OrgID, incidentID)
	if err != nil {
		return nil, fmt.Errorf("list iocs: %w", err)
	}
	out, err := scanIOCs(rows)
	return out, apperr.Wrap(err, "list iocs")
}

// DeleteIOC removes an indicator recorded in error; the audit trail keeps it.
func (s *Service) DeleteIOC(ctx context.Context, incidentID, id int64) error {
	actor, err := auth.Require(ctx, auth.PermEvidenceWrite)
	if err != nil {
		return err
	}
	now := s.now()
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		var typ, value string
		err := tx.QueryRowContext(ctx, `SELECT type, value FROM incident_iocs WHERE org_id = $1 AND incident_id = $2 AND id = $3`,
			actor.OrgID, incidentID, id).Scan(&typ, &value)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NotFound, "err.not_found")
		}
		if err != nil {
			return fmt.Errorf("read ioc: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM incident_iocs WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete ioc: %w", err)
		}
		before := map[string]any{"incident_id": incidentID, "type": typ, "value": value}
		return audit.Append(ctx, tx, now, actor.Audit("ioc.delete", "ioc", strconv.FormatInt(id, 10), before, nil))
	})
	return apperr.Wrap(err, "delete ioc")
}

// SearchLimit caps the results of one IOC search.
const SearchLimit = 500

// Search finds an indicator across all the organisation's incidents. q is
// normalised as every type it parses as (an address, a domain, a hash…)
// and matched exactly; an IP address also finds the stored prefixes
// (CIDR) that contain it.
func (s *Service) Search(ctx context.Context, q string) ([]IOC, error) {
	actor, err := auth.Require(ctx, auth.PermEvidenceRead)
	if err != nil {
		return nil, err
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return []IOC{}, nil
	}
	values := []string{q}
	for _, t := range IOCTypes {
		if v, bad := ParseIOC(t, q); bad == "" && !slices.Contains(values, v) {
			values = append(values, v)
		}
	}
	db := s.DB.Read()
	var out []IOC
	for _, v := range values {
		rows, err := db.QueryContext(ctx, `SELECT `+iocCols+` FROM incident_iocs i JOIN incidents n ON n.id = i.incident_id
			WHERE i.org_id = $1 AND i.value = $2 ORDER BY i.incident_id DESC, i.id LIMIT `+strconv.Itoa(SearchLimit), actor.OrgID, v)
		if err != nil {
			return nil, fmt.Errorf("search iocs: %w", err)
		}
		got, err := scanIOCs(rows)
		if err != nil {
			return nil, fmt.Errorf("search iocs: %w", err)
		}
		out = append(out, got...)
	}
	if addr, err := netip.ParseAddr(q); err == nil {
		got, err := s.inPrefixes(ctx, actor.OrgID, addr.Unmap())
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	if out == nil {
		out = []IOC{}
	}
	if len(out) > SearchLimit {
		out = out[:SearchLimit]
	}
	return out, nil
}

// inPrefixes returns the organisation's IP prefixes containing addr. The
// prefixes are few next to single addresses, so they are read and tested
// here rather than with engine-specific network operators.
func (s *Service) inPrefixes(ctx context.Context, orgID int64, addr netip.Addr) ([]IOC, error) {
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+iocCols+` FROM incident_iocs i JOIN incidents n ON n.id = i.incident_id
		WHERE i.org_id = $1 AND i.type = 'ip' AND i.value LIKE '%/%' ORDER BY i.incident_id DESC, i.id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("search ioc prefixes: %w", err)
	}
	all, err := scanIOCs(rows)
	if err != nil {
		return nil, fmt.Errorf("search ioc prefixes: %w", err)
	}
	var out []IOC
	for _, i := range all {
		if p, err := netip.ParsePrefix(i.Value); err == nil && p.Contains(addr) {
			out = append(out, i)
		}
	}
	return out, nil
}
