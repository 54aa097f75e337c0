-- Playbooks (issue 3, point 6): procedures as data that generate an
-- incident's tasks per PDCERF phase.
--
-- The installation-wide default playbooks are not rows: they ship with
-- Bulwark as an embedded YAML file (internal/playbook/defaults.yaml), so an
-- upgrade improves them for every organisation that did not change them.
-- An organisation's rows are its own playbooks and, under a default's key,
-- its copy of that default (copy-on-write: the first edit or disabling
-- stores the copy; deleting the copy brings the default back).
CREATE TABLE playbooks (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    playbook_key TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    -- category codes of the GB/T 20986 tree, stored as ",NA,MP-07,"
    categories TEXT NOT NULL DEFAULT '',
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_by BIGINT NOT NULL DEFAULT 0,
    updated_by BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (org_id, playbook_key)
);

-- A playbook's steps, ordered within their phase. due_minutes is the due
-- date's offset from when the playbook is applied (0 = no due date); role
-- is the suggested role ('' = none).
CREATE TABLE playbook_steps (
    id {{ID}},
    playbook_id BIGINT NOT NULL REFERENCES playbooks(id) ON DELETE CASCADE,
    phase TEXT NOT NULL,
    sort_order INTEGER NOT NULL,
    title TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    due_minutes BIGINT NOT NULL DEFAULT 0,
    role TEXT NOT NULL DEFAULT ''
);
CREATE INDEX playbook_steps_playbook ON playbook_steps (playbook_id, sort_order);

-- A playbook applied to an incident: what it was called then and who
-- applied it when. The unique key refuses applying it twice.
CREATE TABLE playbook_runs (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    playbook_key TEXT NOT NULL,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    applied_by BIGINT NOT NULL,
    applied_by_name TEXT NOT NULL DEFAULT '',
    applied_at BIGINT NOT NULL,
    UNIQUE (org_id, incident_id, playbook_key)
);

-- The tasks a run created, with the step's suggested role, so an
-- incident's task list can say which playbook made each task.
CREATE TABLE playbook_run_tasks (
    task_id BIGINT NOT NULL PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
    run_id BIGINT NOT NULL REFERENCES playbook_runs(id) ON DELETE CASCADE,
    role TEXT NOT NULL DEFAULT ''
);
CREATE INDEX playbook_run_tasks_run ON playbook_run_tasks (run_id);
