-- PDCERF lifecycle (issue 3, points 5 and 7): the plans of the containment,
-- eradication and recovery phases, who approves them per phase, and the
-- timeline entries people add for things done outside Bulwark.

-- A plan goes draft -> submitted (an approval waits) -> approved ->
-- executed -> judged (effect effective / partly / not_effective). A
-- rejection brings it back to draft with the reason. round is the incident's
-- lifecycle round: a reopened incident walks its phases again and needs new
-- plans, so the gates only count plans of the current round.
CREATE TABLE incident_plans (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    round INTEGER NOT NULL DEFAULT 0,
    phase TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft',
    measures TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT '',
    risks TEXT NOT NULL DEFAULT '',
    resources TEXT NOT NULL DEFAULT '',
    author_id BIGINT NOT NULL,
    author_name TEXT NOT NULL DEFAULT '',
    approval_id BIGINT NOT NULL DEFAULT 0,
    reject_reason TEXT NOT NULL DEFAULT '',
    executed_by TEXT NOT NULL DEFAULT '',
    executed_at BIGINT NOT NULL DEFAULT 0,
    execution_notes TEXT NOT NULL DEFAULT '',
    effect TEXT NOT NULL DEFAULT '',
    effect_notes TEXT NOT NULL DEFAULT '',
    judged_by TEXT NOT NULL DEFAULT '',
    judged_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX incident_plans_incident ON incident_plans (org_id, incident_id, round, phase);

-- The round of each incident's lifecycle: 0, one more at every reopening.
ALTER TABLE incidents ADD COLUMN lifecycle_round INTEGER NOT NULL DEFAULT 0;

-- The roles that approve the plans of a phase, per organisation, stored as
-- ",a,b,". No row means the default: the security manager.
CREATE TABLE incident_phase_approvers (
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    phase TEXT NOT NULL,
    roles TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, phase)
);

-- Entries people add to an incident's timeline: things done outside
-- Bulwark (kind manual, shown at happened_at) and comments.
CREATE TABLE incident_timeline (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    happened_at BIGINT NOT NULL,
    author_id BIGINT NOT NULL,
    author_name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX incident_timeline_incident ON incident_timeline (org_id, incident_id, happened_at);
