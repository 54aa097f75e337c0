package notify

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"bulwark/internal/clock"
	"bulwark/internal/store"
)

// Dispatcher sends due outbox rows. Several nodes may run one each: rows are
// claimed in a short transaction (FOR UPDATE SKIP LOCKED on PostgreSQL;
// SQLite has one writer) and leased until next_at, so no two nodes send the
// same row; a node that dies mid-send releases its rows when the lease ends.
type Dispatcher struct {
	DB    *store.DB
	Clock clock.Clock
	// BaseURL makes links in messages absolute (https://bulwark.example).
	BaseURL string
	// MaxAttempts before a row is marked failed (default 5).
	MaxAttempts int
	// Backoff is the wait after the first failure; it doubles after each
	// further one, up to MaxBackoff (defaults 30s and 30m).
	Backoff, MaxBackoff time.Duration
	// Timeout bounds one send (default 15s).
	Timeout time.Duration
	// Lease is how long a claimed row is held before another node may take
	// it (default 5m; must exceed Timeout).
	Lease time.Duration
	// Batch is how many rows one DispatchOnce claims (default 20).
	Batch int
	// HTTPClient for webhooks and robots (default: one with Timeout).
	HTTPClient *http.Client
	// RootCAs verifies SMTP servers' certificates (nil: the system's).
	RootCAs *x509.CertPool
	// HeloName is the name given in EHLO (default "bulwark").
	HeloName string

	kick chan struct{}
}

func (d *Dispatcher) now() time.Time { return d.Clock.Now() }

func (d *Dispatcher) timeout() time.Duration {
	if d.Timeout > 0 {
		return d.Timeout
	}
	return 15 * time.Second
}

func (d *Dispatcher) client() *http.Client {
	if d.HTTPClient != nil {
		return d.HTTPClient
	}
	return &http.Client{Timeout: d.timeout()}
}

func (d *Dispatcher) heloName() string {
	if d.HeloName != "" {
		return d.HeloName
	}
	return "bulwark"
}

func (d *Dispatcher) maxAttempts() int {
	if d.MaxAttempts > 0 {
		return d.MaxAttempts
	}
	return 5
}

// backoffAfter is the wait after the n-th failed attempt (n >= 1).
func (d *Dispatcher) backoffAfter(n int) time.Duration {
	b, maxB := d.Backoff, d.MaxBackoff
	if b <= 0 {
		b = 30 * time.Second
	}
	if maxB <= 0 {
		maxB = 30 * time.Minute
	}
	for i := 1; i < n && b < maxB; i++ {
		b *= 2
	}
	return min(b, maxB)
}

// Kick asks a running loop to dispatch now (Service.Queued calls it after a
// commit that queued messages). It never blocks.
func (d *Dispatcher) Kick() {
	if d.kick == nil {
		return
	}
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Init prepares Kick; call before wiring Kick and before Run.
func (d *Dispatcher) Init() {
	if d.kick == nil {
		d.kick = make(chan struct{}, 1)
	}
}

// Run dispatches every interval (and when kicked) until ctx ends.
func (d *Dispatcher) Run(ctx context.Context, every time.Duration) {
	d.Init()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := d.DispatchOnce(ctx); err != nil && ctx.Err() == nil {
			slog.ErrorContext(ctx, "notify: dispatch", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-d.kick:
		}
	}
}

// claimed is a row taken for sending, with its channel (nil when deleted).
type claimed struct {
	d       Delivery
	orgID   int64
	channel *Channel
}

// DispatchOnce sends the rows due now and returns how many it tried. Send
// failures are recorded on the rows, not returned.
func (d *Dispatcher) DispatchOnce(ctx context.Context) (int, error) {
	total := 0
	for {
		rows, err := d.claim(ctx)
		if err != nil {
			return total, err
		}
		for _, c := range rows {
			if err := d.deliver(ctx, c); err != nil {
				return total, err
			}
		}
		total += len(rows)
		if len(rows) < d.batch() || ctx.Err() != nil {
			return total, ctx.Err()
		}
	}
}

func (d *Dispatcher) batch() int {
	if d.Batch > 0 {
		return d.Batch
	}
	return 20
}

// claim takes up to Batch due rows and leases them.
func (d *Dispatcher) claim(ctx context.Context) ([]claimed, error) {
	now := d.now()
	lease := d.Lease
	if lease <= 0 {
		lease = 5 * time.Minute
	}
	lock := ""
	if d.DB.Dialect == store.Postgres {
		lock = " FOR UPDATE OF o SKIP LOCKED"
	}
	var out []claimed
	err := d.DB.Tx(ctx, func(tx *store.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx, `SELECT `+deliveryColumns+`, o.org_id`+deliveryFrom+`
			WHERE o.status IN ($1, $2) AND o.next_at <= $3 ORDER BY o.next_at, o.id LIMIT $4`+lock,
			StatusPending, StatusSending, store.Micros(now), d.batch())
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		for rows.Next() {
			var c claimed
			var roles string
			var next, created, sent int64
			dl := &c.d
			if err := rows.Scan(&dl.ID, &dl.ChannelID, &dl.ChannelName, &dl.ChannelKind, &dl.EventKind, &dl.Title, &dl.Body, &dl.Link, &roles,
				&dl.Status, &dl.Attempts, &next, &dl.LastError, &dl.LastCode, &created, &sent, &c.orgID); err != nil {
				rows.Close()
				return fmt.Errorf("claim deliveries: %w", err)
			}
			dl.Roles = splitRoles(roles)
			dl.CreatedAt = store.FromMicros(created)
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		for i := range out {
			c := &out[i]
			ch, err := getChannel(ctx, tx, c.orgID, c.d.ChannelID)
			if err == nil {
				c.channel = &ch
			} else if !isNotFound(err) {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET status = $1, next_at = $2 WHERE id = $3`,
				StatusSending, store.Micros(now.Add(lease)), c.d.ID); err != nil {
				return fmt.Errorf("lease delivery %d: %w", c.d.ID, err)
			}
		}
		return nil
	})
	return out, err
}

// deliver sends one claimed row and records the attempt.
func (d *Dispatcher) deliver(ctx context.Context, c claimed) error {
	start := d.now()
	wall := time.Now()
	var code int
	var sendErr error
	permanent := false
	switch {
	case c.channel == nil:
		sendErr, permanent = errors.New("channel deleted"), true
	case !c.channel.Enabled && c.d.EventKind != KindTest:
		sendErr, permanent = errors.New("channel disabled"), true
	default:
		m := render(c.d, c.channel.Settings.Lang, d.BaseURL)
		sctx, cancel := context.WithTimeout(ctx, d.timeout())
		code, sendErr = d.send(sctx, *c.channel, m)
		cancel()
	}
	if ctx.Err() != nil {
		// Shutting down: leave the row leased; it comes back when the lease ends.
		return ctx.Err()
	}
	took := time.Since(wall).Milliseconds()
	attempts := c.d.Attempts + 1
	status, next, sentAt, errText := StatusSent, start, store.Micros(start), ""
	if sendErr != nil {
		errText = truncate(sendErr.Error(), 1000)
		sentAt = 0
		if permanent || attempts >= d.maxAttempts() {
			status = StatusFailed
		} else {
			status, next = StatusPending, start.Add(d.backoffAfter(attempts))
		}
		slog.WarnContext(ctx, "notify: delivery failed", "delivery", c.d.ID, "channel", c.d.ChannelID,
			"attempt", attempts, "status", status, "code", code, "err", errText)
	}
	return d.DB.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_attempts (org_id, outbox_id, at, ok, code, error, duration_ms)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.orgID, c.d.ID, store.Micros(start), sendErr == nil, code, errText, took); err != nil {
			return fmt.Errorf("record attempt of delivery %d: %w", c.d.ID, err)
		}
		// Only if still ours: a retry from the UI in the meantime wins.
		if _, err := tx.ExecContext(ctx, `UPDATE notify_outbox SET status = $1, attempts = $2, next_at = $3, last_error = $4,
			last_code = $5, sent_at = $6 WHERE id = $7 AND status = $8`,
			status, attempts, store.Micros(next), errText, code, sentAt, c.d.ID, StatusSending); err != nil {
			return fmt.Errorf("record delivery %d: %w", c.d.ID, err)
		}
		return nil
	})
}

func (d *Dispatcher) send(ctx context.Context, c Channel, m Message) (int, error) {
	switch c.Kind {
	case KindEmail:
		return d.sendEmail(ctx, c, m)
	case KindWebhook:
		return d.sendWebhook(ctx, c, m)
	case KindDingTalk:
		return d.sendDingTalk(ctx, c, m)
	case KindWeCom:
		return d.sendWeCom(ctx, c, m)
	case KindFeishu:
		return d.sendFeishu(ctx, c, m)
	}
	return 0, fmt.Errorf("unknown channel kind %q", c.Kind)
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
