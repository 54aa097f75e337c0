-- Notifications (internal/notify). Channels say where messages go (SMTP,
-- webhook, group robots); rules say which event kinds go to which channel;
-- the outbox holds one row per message to send, written in the transaction
-- of the change that caused it, so a message exists exactly when the change
-- committed. The dispatcher sends due rows after commit and logs every
-- attempt in notify_attempts; a row that runs out of attempts is marked
-- failed and stays visible until someone retries it.
CREATE TABLE notify_channels (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    settings TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX notify_channels_org ON notify_channels (org_id);

CREATE TABLE notify_rules (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    event_kind TEXT NOT NULL,
    channel_id BIGINT NOT NULL REFERENCES notify_channels(id) ON DELETE CASCADE,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX notify_rules_unique ON notify_rules (org_id, event_kind, channel_id);
CREATE INDEX notify_rules_channel ON notify_rules (channel_id);

-- channel_id has no foreign key: a delivery outlives its channel's deletion
-- (it then fails visibly instead of vanishing).
CREATE TABLE notify_outbox (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    channel_id BIGINT NOT NULL,
    event_kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    roles TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    last_code INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    sent_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notify_outbox_due ON notify_outbox (status, next_at);
CREATE INDEX notify_outbox_org ON notify_outbox (org_id, id);

CREATE TABLE notify_attempts (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    outbox_id BIGINT NOT NULL REFERENCES notify_outbox(id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    ok BOOLEAN NOT NULL,
    code INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    duration_ms BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX notify_attempts_outbox ON notify_attempts (outbox_id);
