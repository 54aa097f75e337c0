-- Foundation schema: organisations, accounts, sessions, tokens, audit trail,
-- counters and the asset register. Times are BIGINT Unix microseconds.

CREATE TABLE organizations (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    -- cii (critical information infrastructure operator), state_organ, other
    org_type TEXT NOT NULL DEFAULT 'other',
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id {{ID}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    platform_admin BOOLEAN NOT NULL DEFAULT FALSE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    disabled BOOLEAN NOT NULL DEFAULT FALSE,
    locale TEXT NOT NULL DEFAULT 'zh-CN',
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0,
    last_login_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Roles are held per organisation; platform admin is users.platform_admin.
CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, org_id, role)
);
CREATE INDEX user_roles_org ON user_roles (org_id);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id {{ID}},
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    revoked_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- The audit trail is one hash chain over the whole installation. before_json
-- and after_json are TEXT, not JSONB, so the stored bytes are exactly the
-- bytes that were hashed.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    org_id BIGINT NOT NULL DEFAULT 0,
    at BIGINT NOT NULL,
    actor_id BIGINT NOT NULL DEFAULT 0,
    actor TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT '',
    object_id TEXT NOT NULL DEFAULT '',
    before_json TEXT NOT NULL DEFAULT '',
    after_json TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_org_at ON audit_log (org_id, seq);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- One row: the chain's head. Writers update it first, which serialises them
-- (a row lock on PostgreSQL, the write lock on SQLite), so the chain cannot fork.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '');

CREATE TABLE counters (
    org_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (org_id, name)
);

CREATE TABLE assets (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    number TEXT NOT NULL,
    name TEXT NOT NULL,
    asset_type TEXT NOT NULL,
    subtype TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    department TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    ips TEXT NOT NULL DEFAULT '',
    hostnames TEXT NOT NULL DEFAULT '',
    os TEXT NOT NULL DEFAULT '',
    vendor_model TEXT NOT NULL DEFAULT '',
    business_system TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    confidentiality INTEGER NOT NULL,
    integrity INTEGER NOT NULL,
    availability INTEGER NOT NULL,
    asset_value INTEGER NOT NULL,
    -- search_terms: words and Chinese bigrams, space separated (see asset/search.go)
    search_terms TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, number)
);
CREATE INDEX assets_org_type ON assets (org_id, asset_type, number);
CREATE INDEX assets_org_status ON assets (org_id, status, number);
CREATE INDEX assets_org_name ON assets (org_id, name);
CREATE INDEX assets_org_updated ON assets (org_id, updated_at);
CREATE INDEX assets_org_value ON assets (org_id, asset_value, number);
CREATE INDEX assets_org_dept ON assets (org_id, department, number);
