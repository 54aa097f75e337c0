package notify

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Rule sends events of one kind to one channel.
type Rule struct {
	ID          int64       `json:"id"`
	EventKind   string      `json:"event_kind"`
	ChannelID   int64       `json:"channel_id"`
	ChannelName string      `json:"channel_name"`
	ChannelKind ChannelKind `json:"channel_kind"`
	Enabled     bool        `json:"enabled"`
	CreatedAt   time.Time   `json:"created_at"`
}

// Rules lists the organisation's rules in the order of the event kinds.
func (s *Service) Rules(ctx context.Context) ([]Rule, error) {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return nil, err
	}
	rules, err := listRules(ctx, s.DB.Read(), actor.OrgID, 0)
	return rules, apperr.Wrap(err, "list rules")
}

// listRules reads rules of org, all or (id > 0) one.
func listRules(ctx context.Context, q store.Querier, orgID, id int64) ([]Rule, error) {
	rows, err := q.QueryContext(ctx, `SELECT r.id, r.event_kind, r.channel_id, c.name, c.kind, r.enabled, r.created_at
		FROM notify_rules r JOIN notify_channels c ON c.id = r.channel_id AND c.org_id = r.org_id
		WHERE r.org_id = $1 AND (CAST($2 AS BIGINT) = 0 OR r.id = CAST($2 AS BIGINT)) ORDER BY r.event_kind, c.name, r.id`, orgID, id)
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		var r Rule
		var created int64
		if err := rows.Scan(&r.ID, &r.EventKind, &r.ChannelID, &r.ChannelName, &r.ChannelKind, &r.Enabled, &created); err != nil {
			return nil, fmt.Errorf("read rules: %w", err)
		}
		r.CreatedAt = store.FromMicros(created)
		out = append(out, r)
	}
	sortRules(out)
	return out, rows.Err()
}

// sortRules orders rules by the position of their kind in Kinds.
func sortRules(rs []Rule) {
	pos := map[string]int{}
	for i, k := range Kinds {
		pos[k.Name] = i
	}
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && pos[rs[j].EventKind] < pos[rs[j-1].EventKind]; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}

func getRule(ctx context.Context, q store.Querier, orgID, id int64) (Rule, error) {
	rs, err := listRules(ctx, q, orgID, id)
	if err != nil {
		return Rule{}, err
	}
	if len(rs) == 0 {
		return Rule{}, apperr.New(apperr.NotFound, "err.not_found")
	}
	return rs[0], nil
}

// CreateRule routes events of kind to channel.
func (s *Service) CreateRule(ctx context.Context, kind string, channelID int64, enabled bool) (Rule, error) {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return Rule{}, err
	}
	var errs apperr.Collector
	if !KnownKind(kind) {
		errs.Add("event_kind", "err.notify_event_kind")
	}
	var out Rule
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := getChannel(ctx, tx, actor.OrgID, channelID); apperr.Is(err, apperr.NotFound) {
			errs.Add("channel_id", "err.notify_channel")
		} else if err != nil {
			return err
		}
		if err := errs.Err(); err != nil {
			return err
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_rules WHERE org_id = $1 AND event_kind = $2 AND channel_id = $3`,
			actor.OrgID, kind, channelID).Scan(&exists); err != nil {
			return fmt.Errorf("check rule: %w", err)
		}
		if exists > 0 {
			return apperr.Fields([]apperr.FieldError{{Field: "event_kind", Key: "err.notify_rule_exists"}})
		}
		now := s.Clock.Now()
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO notify_rules (org_id, event_kind, channel_id, enabled, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, actor.OrgID, kind, channelID, enabled, store.Micros(now)).Scan(&id); err != nil {
			return fmt.Errorf("insert rule: %w", err)
		}
		if out, err = getRule(ctx, tx, actor.OrgID, id); err != nil {
			return err
		}
		return audit.Append(ctx, tx, now, actor.Audit("notify.rule.create", "notify_rule", strconv.FormatInt(id, 10), nil, out))
	})
	return out, apperr.Wrap(err, "create rule")
}

// SetRuleEnabled switches a rule on or off.
func (s *Service) SetRuleEnabled(ctx context.Context, id int64, enabled bool) (Rule, error) {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return Rule{}, err
	}
	var out Rule
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		old, err := getRule(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notify_rules SET enabled = $1 WHERE org_id = $2 AND id = $3`, enabled, actor.OrgID, id); err != nil {
			return fmt.Errorf("update rule: %w", err)
		}
		out = old
		out.Enabled = enabled
		return audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("notify.rule.update", "notify_rule", strconv.FormatInt(id, 10), old, out))
	})
	return out, apperr.Wrap(err, "update rule")
}

// DeleteRule removes a rule.
func (s *Service) DeleteRule(ctx context.Context, id int64) error {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		old, err := getRule(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM notify_rules WHERE org_id = $1 AND id = $2`, actor.OrgID, id); err != nil {
			return fmt.Errorf("delete rule: %w", err)
		}
		return audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("notify.rule.delete", "notify_rule", strconv.FormatInt(id, 10), old, nil))
	})
	return apperr.Wrap(err, "delete rule")
}
