-- Shared mechanisms of the workflows (incidents first; vulnerabilities,
-- risks and MLPS later): approvals, tasks and deadlines, each attached to an
-- object of any module by (object_type, object_id).

-- An approval is one step waiting for any holder of one of the listed roles.
-- roles is stored as ",role1,role2," so a role is found with LIKE '%,r,%'.
CREATE TABLE approvals (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    step TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    roles TEXT NOT NULL,
    author_id BIGINT NOT NULL,
    author_name TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    decided_by BIGINT NOT NULL DEFAULT 0,
    decided_by_name TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    decided_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX approvals_org_status ON approvals (org_id, status, created_at);
CREATE INDEX approvals_object ON approvals (org_id, object_type, object_id);

CREATE TABLE tasks (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    group_label TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    assignee_id BIGINT NOT NULL DEFAULT 0,
    due_at BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'open',
    created_by BIGINT NOT NULL DEFAULT 0,
    updated_by BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX tasks_assignee ON tasks (org_id, assignee_id, status, due_at);
CREATE INDEX tasks_object ON tasks (org_id, object_type, object_id);

-- A deadline per (object, kind). near_at is when its "near" window opens,
-- computed when it is set; the two *_notified_at columns are the scanner's
-- memory (0 = not yet), claimed with a conditional UPDATE so each fires once
-- even with several nodes scanning.
CREATE TABLE deadlines (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    near_at BIGINT NOT NULL,
    met_at BIGINT NOT NULL DEFAULT 0,
    near_notified_at BIGINT NOT NULL DEFAULT 0,
    overdue_notified_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, object_type, object_id, kind)
);
-- The scanner's two claims each look up open, unannounced rows by time.
-- Measured on 100,000 deadlines with nothing to announce (BenchmarkScanOnce):
-- one scan takes 94 ms on SQLite and 69 ms on PostgreSQL without these
-- indexes, 0.2 ms and 0.6 ms with them.
CREATE INDEX deadlines_near_scan ON deadlines (met_at, near_notified_at, near_at);
CREATE INDEX deadlines_overdue_scan ON deadlines (met_at, overdue_notified_at, due_at);
