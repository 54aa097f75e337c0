package notify

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/clock"
	"bulwark/internal/store"
)

// Service configures channels and rules, publishes events into the outbox
// and shows the delivery log. Every method but Publish checks the caller.
type Service struct {
	DB    *store.DB
	Clock clock.Clock
	// Queued, when set, is called after a transaction that queued messages
	// has committed (the dispatcher's Kick), so delivery does not wait for
	// the next tick.
	Queued func()
}

const channelColumns = `id, org_id, kind, name, enabled, settings, created_at, updated_at`

func scanChannel(row interface{ Scan(...any) error }) (Channel, error) {
	var c Channel
	var settings string
	var created, updated int64
	if err := row.Scan(&c.ID, &c.OrgID, &c.Kind, &c.Name, &c.Enabled, &settings, &created, &updated); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(settings), &c.Settings); err != nil {
		return c, fmt.Errorf("decode settings of channel %d: %w", c.ID, err)
	}
	c.CreatedAt, c.UpdatedAt = store.FromMicros(created), store.FromMicros(updated)
	return c, nil
}

func getChannel(ctx context.Context, q store.Querier, orgID, id int64) (Channel, error) {
	c, err := scanChannel(q.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM notify_channels WHERE org_id = $1 AND id = $2`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return c, fmt.Errorf("read channel %d: %w", id, err)
	}
	return c, nil
}

// Channels lists the organisation's channels, secrets hidden.
func (s *Service) Channels(ctx context.Context) ([]Channel, error) {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+channelColumns+` FROM notify_channels WHERE org_id = $1 ORDER BY name, id`, actor.OrgID)
	if err != nil {
		return nil, apperr.Wrap(err, "list channels")
	}
	defer rows.Close()
	out := []Channel{}
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "list channels")
		}
		out = append(out, c.Public())
	}
	return out, apperr.Wrap(rows.Err(), "list channels")
}

// Channel returns one channel, secrets hidden.
func (s *Service) Channel(ctx context.Context, id int64) (Channel, error) {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return Channel{}, err
	}
	c, err := getChannel(ctx, s.DB.Read(), actor.OrgID, id)
	if err != nil {
		return Channel{}, apperr.Wrap(err, "get channel")
	}
	return c.Public(), nil
}

// CreateChannel adds a channel.
func (s *Service) CreateChannel(ctx context.Context, in Channel) (Channel, error) {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return Channel{}, err
	}
	in.normalize()
	if err := in.validate(); err != nil {
		return Channel{}, err
	}
	now := s.Clock.Now()
	settings, err := json.Marshal(in.Settings)
	if err != nil {
		return Channel{}, apperr.Wrap(err, "encode channel settings")
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO notify_channels (org_id, kind, name, enabled, settings, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
			actor.OrgID, in.Kind, in.Name, in.Enabled, string(settings), store.Micros(now)).Scan(&in.ID); err != nil {
			return fmt.Errorf("insert channel: %w", err)
		}
		in.OrgID, in.CreatedAt, in.UpdatedAt = actor.OrgID, now, now
		return audit.Append(ctx, tx, now, actor.Audit("notify.channel.create", "notify_channel", strconv.FormatInt(in.ID, 10), nil, in.Public()))
	})
	if err != nil {
		return Channel{}, apperr.Wrap(err, "create channel")
	}
	return in.Public(), nil
}

// UpdateChannel replaces a channel's name, enabled flag and settings. An
// empty password or secret keeps the stored one (forms never show them);
// ClearPassword/ClearSecret in keep remove them.
func (s *Service) UpdateChannel(ctx context.Context, id int64, in Channel, keep KeepSecrets) (Channel, error) {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return Channel{}, err
	}
	var out Channel
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		old, err := getChannel(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		in.ID, in.OrgID, in.Kind, in.CreatedAt = old.ID, old.OrgID, old.Kind, old.CreatedAt
		if in.Settings.Password == "" && !keep.ClearPassword {
			in.Settings.Password = old.Settings.Password
		}
		if in.Settings.Secret == "" && !keep.ClearSecret {
			in.Settings.Secret = old.Settings.Secret
		}
		// Forms and PATCH start from the public view: a URL still equal to
		// its masked form means "unchanged".
		if old.Settings.URL != "" && in.Settings.URL == MaskURL(old.Settings.URL) {
			in.Settings.URL = old.Settings.URL
		}
		in.normalize()
		if err := in.validate(); err != nil {
			return err
		}
		now := s.Clock.Now()
		in.UpdatedAt = now
		settings, err := json.Marshal(in.Settings)
		if err != nil {
			return fmt.Errorf("encode channel settings: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE notify_channels SET name = $1, enabled = $2, settings = $3, updated_at = $4
			WHERE org_id = $5 AND id = $6`, in.Name, in.Enabled, string(settings), store.Micros(now), actor.OrgID, id); err != nil {
			return fmt.Errorf("update channel: %w", err)
		}
		out = in
		return audit.Append(ctx, tx, now, actor.Audit("notify.channel.update", "notify_channel", strconv.FormatInt(id, 10), old.Public(), in.Public()))
	})
	if err != nil {
		return Channel{}, apperr.Wrap(err, "update channel")
	}
	return out.Public(), nil
}

// KeepSecrets says which stored secrets an update removes.
type KeepSecrets struct{ ClearPassword, ClearSecret bool }

// DeleteChannel removes a channel and its rules. Its deliveries stay in the
// log; any still pending fail with "channel deleted" when next due.
func (s *Service) DeleteChannel(ctx context.Context, id int64) error {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return err
	}
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		old, err := getChannel(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM notify_rules WHERE org_id = $1 AND channel_id = $2`, actor.OrgID, id); err != nil {
			return fmt.Errorf("delete rules of channel: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM notify_channels WHERE org_id = $1 AND id = $2`, actor.OrgID, id); err != nil {
			return fmt.Errorf("delete channel: %w", err)
		}
		return audit.Append(ctx, tx, s.Clock.Now(), actor.Audit("notify.channel.delete", "notify_channel", strconv.FormatInt(id, 10), old.Public(), nil))
	})
	return apperr.Wrap(err, "delete channel")
}

// SendTest queues a test message to one channel (enabled or not: testing a
// channel before switching it on is the point) and returns the delivery.
func (s *Service) SendTest(ctx context.Context, id int64, title, body string) (Delivery, error) {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return Delivery{}, err
	}
	var d Delivery
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		c, err := getChannel(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		e := Event{OrgID: actor.OrgID, Kind: KindTest, Title: title, Body: body, Link: "/admin/notify"}
		did, err := insertOutbox(ctx, tx, now, e, c.ID)
		if err != nil {
			return err
		}
		d = Delivery{ID: did, ChannelID: c.ID, ChannelName: c.Name, ChannelKind: c.Kind, EventKind: KindTest,
			Title: title, Body: body, Link: e.Link, Status: StatusPending, NextAt: now, CreatedAt: now, Roles: []string{}}
		s.afterQueue(tx)
		return audit.Append(ctx, tx, now, actor.Audit("notify.channel.test", "notify_channel", strconv.FormatInt(id, 10), nil,
			map[string]any{"delivery": did}))
	})
	return d, apperr.Wrap(err, "send test message")
}

func (s *Service) afterQueue(tx *store.Tx) {
	if s.Queued != nil {
		tx.AfterCommit(s.Queued)
	}
}
