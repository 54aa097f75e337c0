package playbook

import (
	"context"
	"fmt"
	"strings"
	"time"

	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// stored is an organisation's playbook row with its id.
type stored struct {
	id int64
	Playbook
}

func joinCodes(codes []string) string {
	if len(codes) == 0 {
		return ""
	}
	return "," + strings.Join(codes, ",") + ","
}

func splitCodes(s string) []string {
	out := []string{}
	for c := range strings.SplitSeq(strings.Trim(s, ","), ",") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// orgPlaybooks reads the organisation's rows with their steps, by key;
// one=key restricts them to that key.
func orgPlaybooks(ctx context.Context, q store.Querier, orgID int64, one string) ([]stored, error) {
	query := `SELECT id, playbook_key, name_zh, name_en, description, categories, enabled, updated_at FROM playbooks WHERE org_id = $1`
	args := []any{orgID}
	if one != "" {
		query += ` AND playbook_key = $2`
		args = append(args, one)
	}
	rows, err := q.QueryContext(ctx, query+` ORDER BY playbook_key`, args...)
	if err != nil {
		return nil, fmt.Errorf("read playbooks: %w", err)
	}
	var out []stored
	idx := map[int64]int{}
	for rows.Next() {
		var s stored
		var cats string
		var updated int64
		if err := rows.Scan(&s.id, &s.Key, &s.NameZh, &s.NameEn, &s.Description, &cats, &s.Enabled, &updated); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read playbooks: %w", err)
		}
		s.Categories, s.UpdatedAt, s.Steps = splitCodes(cats), store.FromMicros(updated), []Step{}
		idx[s.id] = len(out)
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read playbooks: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	query = `SELECT s.playbook_id, s.phase, s.title, s.notes, s.due_minutes, s.role FROM playbook_steps s
		JOIN playbooks p ON p.id = s.playbook_id WHERE p.org_id = $1`
	if one != "" {
		query += ` AND p.playbook_key = $2`
	}
	srows, err := q.QueryContext(ctx, query+` ORDER BY s.playbook_id, s.sort_order`, args...)
	if err != nil {
		return nil, fmt.Errorf("read playbook steps: %w", err)
	}
	defer srows.Close()
	for srows.Next() {
		var pid, mins int64
		var st Step
		if err := srows.Scan(&pid, &st.Phase, &st.Title, &st.Notes, &mins, &st.Role); err != nil {
			return nil, fmt.Errorf("read playbook steps: %w", err)
		}
		st.Due = FormatOffset(time.Duration(mins) * time.Minute)
		if i, ok := idx[pid]; ok {
			out[i].Steps = append(out[i].Steps, st)
		}
	}
	return out, srows.Err()
}

// save writes p as the organisation's row under p.Key (inserting it or
// replacing the row and its steps) and returns the row's id.
func save(ctx context.Context, tx *store.Tx, orgID int64, actor *auth.Actor, p Playbook, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `UPDATE playbooks SET name_zh = $1, name_en = $2, description = $3, categories = $4,
		enabled = $5, updated_by = $6, updated_at = $7 WHERE org_id = $8 AND playbook_key = $9 RETURNING id`,
		p.NameZh, p.NameEn, p.Description, joinCodes(p.Categories), p.Enabled, actor.UserID, store.Micros(now), orgID, p.Key).Scan(&id)
	switch {
	case err == nil:
		if _, err := tx.ExecContext(ctx, `DELETE FROM playbook_steps WHERE playbook_id = $1`, id); err != nil {
			return 0, fmt.Errorf("replace steps of playbook %s: %w", p.Key, err)
		}
	case isNoRows(err):
		if err := tx.QueryRowContext(ctx, `INSERT INTO playbooks (org_id, playbook_key, name_zh, name_en, description,
			categories, enabled, created_by, updated_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $9) RETURNING id`,
			orgID, p.Key, p.NameZh, p.NameEn, p.Description, joinCodes(p.Categories), p.Enabled, actor.UserID,
			store.Micros(now)).Scan(&id); err != nil {
			return 0, fmt.Errorf("insert playbook %s: %w", p.Key, err)
		}
	default:
		return 0, fmt.Errorf("update playbook %s: %w", p.Key, err)
	}
	for i, s := range p.Steps {
		if _, err := tx.ExecContext(ctx, `INSERT INTO playbook_steps (playbook_id, phase, sort_order, title, notes, due_minutes, role)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, id, string(s.Phase), i, s.Title, s.Notes,
			int64(s.Offset()/time.Minute), string(s.Role)); err != nil {
			return 0, fmt.Errorf("insert step %d of playbook %s: %w", i, p.Key, err)
		}
	}
	return id, nil
}

// remove deletes the organisation's row under key; found is false when
// there was none.
func remove(ctx context.Context, tx *store.Tx, orgID int64, key string) (found bool, err error) {
	res, err := tx.ExecContext(ctx, `DELETE FROM playbooks WHERE org_id = $1 AND playbook_key = $2`, orgID, key)
	if err != nil {
		return false, fmt.Errorf("delete playbook %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("delete playbook %s: %w", key, err)
	}
	return n > 0, nil
}

// merge is what an organisation sees: the defaults (its own copy in
// place of a default it changed), then its own playbooks by key.
func merge(rows []stored) []Playbook {
	byKey := map[string]Playbook{}
	for _, r := range rows {
		byKey[r.Key] = r.Playbook
	}
	var out []Playbook
	for _, d := range Defaults() {
		if p, ok := byKey[d.Key]; ok {
			p.Source = SourceCustomised
			out = append(out, p)
			delete(byKey, d.Key)
			continue
		}
		out = append(out, d)
	}
	for _, r := range rows {
		if p, ok := byKey[r.Key]; ok {
			p.Source = SourceCustom
			out = append(out, p)
		}
	}
	return out
}
