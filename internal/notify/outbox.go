package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"bulwark/internal/apperr"
	"bulwark/internal/audit"
	"bulwark/internal/auth"
	"bulwark/internal/store"
)

// Delivery states. A row is pending until sent; sending while a dispatcher
// holds it (its lease ends at next_at, so a crashed node's rows come back);
// sent or failed at the end.
const (
	StatusPending = "pending"
	StatusSending = "sending"
	StatusSent    = "sent"
	StatusFailed  = "failed"
)

// Statuses in display order.
var Statuses = []string{StatusPending, StatusSending, StatusSent, StatusFailed}

// Delivery is one message to one channel, with its state.
type Delivery struct {
	ID          int64       `json:"id"`
	ChannelID   int64       `json:"channel_id"`
	ChannelName string      `json:"channel_name"` // empty when the channel was deleted
	ChannelKind ChannelKind `json:"channel_kind"`
	EventKind   string      `json:"event_kind"`
	Title       string      `json:"title"`
	Body        string      `json:"body"`
	Link        string      `json:"link"`
	Roles       []string    `json:"roles"`
	Status      string      `json:"status"`
	Attempts    int         `json:"attempts"`
	NextAt      time.Time   `json:"next_at"`
	LastError   string      `json:"last_error"`
	LastCode    int         `json:"last_code"`
	CreatedAt   time.Time   `json:"created_at"`
	SentAt      *time.Time  `json:"sent_at"`
}

// Publish queues e for every enabled rule of its kind whose channel is
// enabled, inside the caller's transaction: the messages exist exactly when
// the caller's change commits. The caller has checked its own permission;
// Publish only writes to e.OrgID.
func (s *Service) Publish(ctx context.Context, tx *store.Tx, e Event) error {
	if !KnownKind(e.Kind) {
		return fmt.Errorf("publish: unknown event kind %q", e.Kind)
	}
	if e.OrgID == 0 {
		return errors.New("publish: event without organisation")
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.channel_id FROM notify_rules r
		JOIN notify_channels c ON c.id = r.channel_id AND c.org_id = r.org_id
		WHERE r.org_id = $1 AND r.event_kind = $2 AND r.enabled AND c.enabled ORDER BY r.id`, e.OrgID, e.Kind)
	if err != nil {
		return fmt.Errorf("publish %s: find rules: %w", e.Kind, err)
	}
	var channels []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("publish %s: find rules: %w", e.Kind, err)
		}
		channels = append(channels, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("publish %s: find rules: %w", e.Kind, err)
	}
	now := s.Clock.Now()
	for _, ch := range channels {
		if _, err := insertOutbox(ctx, tx, now, e, ch); err != nil {
			return err
		}
	}
	if len(channels) > 0 {
		s.afterQueue(tx)
	}
	return nil
}

func insertOutbox(ctx context.Context, tx *store.Tx, now time.Time, e Event, channelID int64) (int64, error) {
	roles := make([]string, len(e.Roles))
	for i, r := range e.Roles {
		roles[i] = string(r)
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO notify_outbox (org_id, channel_id, event_kind, title, body, link, roles, status, next_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		e.OrgID, channelID, e.Kind, e.Title, e.Body, e.Link, strings.Join(roles, " "), StatusPending, store.Micros(now)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("queue %s for channel %d: %w", e.Kind, channelID, err)
	}
	return id, nil
}

const deliveryColumns = `o.id, o.channel_id, COALESCE(c.name, ''), COALESCE(c.kind, ''), o.event_kind, o.title, o.body, o.link, o.roles,
	o.status, o.attempts, o.next_at, o.last_error, o.last_code, o.created_at, o.sent_at`

const deliveryFrom = ` FROM notify_outbox o LEFT JOIN notify_channels c ON c.id = o.channel_id AND c.org_id = o.org_id `

func scanDelivery(row interface{ Scan(...any) error }) (Delivery, error) {
	var d Delivery
	var roles string
	var next, created, sent int64
	err := row.Scan(&d.ID, &d.ChannelID, &d.ChannelName, &d.ChannelKind, &d.EventKind, &d.Title, &d.Body, &d.Link, &roles,
		&d.Status, &d.Attempts, &next, &d.LastError, &d.LastCode, &created, &sent)
	d.Roles = strings.Fields(roles)
	d.NextAt, d.CreatedAt = store.FromMicros(next), store.FromMicros(created)
	if sent != 0 {
		t := store.FromMicros(sent)
		d.SentAt = &t
	}
	return d, err
}

// DeliveryFilter narrows the delivery log.
type DeliveryFilter struct {
	Status string // one of Statuses, or "" for all
	Limit  int    // default 100, at most 500
	Before int64  // rows with a smaller id (the next page)
}

// Deliveries lists the organisation's outbox, newest first.
func (s *Service) Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return nil, err
	}
	if f.Status != "" && !validStatus(f.Status) {
		return nil, apperr.Fields([]apperr.FieldError{{Field: "status", Key: "err.notify_status"}})
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	if f.Before <= 0 {
		f.Before = 1 << 62
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT `+deliveryColumns+deliveryFrom+`
		WHERE o.org_id = $1 AND ($2 = '' OR o.status = $2) AND o.id < $3 ORDER BY o.id DESC LIMIT $4`,
		actor.OrgID, f.Status, f.Before, f.Limit)
	if err != nil {
		return nil, apperr.Wrap(err, "list deliveries")
	}
	defer rows.Close()
	out := []Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, apperr.Wrap(err, "list deliveries")
		}
		out = append(out, d)
	}
	return out, apperr.Wrap(rows.Err(), "list deliveries")
}

func validStatus(s string) bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

func getDelivery(ctx context.Context, q store.Querier, orgID, id int64) (Delivery, error) {
	d, err := scanDelivery(q.QueryRowContext(ctx, `SELECT `+deliveryColumns+deliveryFrom+` WHERE o.org_id = $1 AND o.id = $2`, orgID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.New(apperr.NotFound, "err.not_found")
	}
	if err != nil {
		return d, fmt.Errorf("read delivery %d: %w", id, err)
	}
	return d, nil
}

// Delivery returns one delivery of the organisation.
func (s *Service) Delivery(ctx context.Context, id int64) (Delivery, error) {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return Delivery{}, err
	}
	d, err := getDelivery(ctx, s.DB.Read(), actor.OrgID, id)
	return d, apperr.Wrap(err, "get delivery")
}

// Retry makes a delivery due now with a fresh round of attempts (the log
// of earlier attempts stays). A delivery already sent is refused.
func (s *Service) Retry(ctx context.Context, id int64) (Delivery, error) {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return Delivery{}, err
	}
	var out Delivery
	err = s.DB.Tx(ctx, func(tx *store.Tx) error {
		d, err := getDelivery(ctx, tx, actor.OrgID, id)
		if err != nil {
			return err
		}
		if d.Status == StatusSent {
			return apperr.New(apperr.Conflict, "err.notify_already_sent")
		}
		now := s.Clock.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET status = $1, attempts = 0, next_at = $2 WHERE org_id = $3 AND id = $4`,
			StatusPending, store.Micros(now), actor.OrgID, id); err != nil {
			return fmt.Errorf("retry delivery: %w", err)
		}
		out = d
		out.Status, out.Attempts, out.NextAt = StatusPending, 0, now
		s.afterQueue(tx)
		return audit.Append(ctx, tx, now, actor.Audit("notify.delivery.retry", "notify_delivery", strconv.FormatInt(id, 10),
			map[string]any{"status": d.Status, "attempts": d.Attempts}, map[string]any{"status": StatusPending}))
	})
	return out, apperr.Wrap(err, "retry delivery")
}

// Attempt is one try at sending a delivery.
type Attempt struct {
	At       time.Time `json:"at"`
	OK       bool      `json:"ok"`
	Code     int       `json:"code"`
	Error    string    `json:"error"`
	Duration int64     `json:"duration_ms"`
}

// Attempts lists the tries of one delivery, oldest first.
func (s *Service) Attempts(ctx context.Context, id int64) ([]Attempt, error) {
	actor, err := auth.Require(ctx, auth.PermNotifyManage)
	if err != nil {
		return nil, err
	}
	if _, err := getDelivery(ctx, s.DB.Read(), actor.OrgID, id); err != nil {
		return nil, apperr.Wrap(err, "list attempts")
	}
	rows, err := s.DB.Read().QueryContext(ctx, `SELECT at, ok, code, error, duration_ms FROM notify_attempts
		WHERE org_id = $1 AND outbox_id = $2 ORDER BY id`, actor.OrgID, id)
	if err != nil {
		return nil, apperr.Wrap(err, "list attempts")
	}
	defer rows.Close()
	out := []Attempt{}
	for rows.Next() {
		var a Attempt
		var at int64
		if err := rows.Scan(&at, &a.OK, &a.Code, &a.Error, &a.Duration); err != nil {
			return nil, apperr.Wrap(err, "list attempts")
		}
		a.At = store.FromMicros(at)
		out = append(out, a)
	}
	return out, apperr.Wrap(rows.Err(), "list attempts")
}

func splitRoles(s string) []string { return strings.Fields(s) }

func isNotFound(err error) bool { return apperr.Is(err, apperr.NotFound) }
