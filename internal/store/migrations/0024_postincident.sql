-- Post-incident review (issue 3, point 9), from the seed's 事后总结与改进
-- and 信息安全事件管理程序: the summary meeting record, the root cause, the
-- impact as finally assessed, the lessons, whether the emergency plan needs
-- revising; corrective and preventive actions (CAPA) approved by leadership
-- and tracked to verification; reward and penalty recommendations
-- (奖惩意见) approved or rejected by leadership.

-- One review per incident, kept across rounds: round is the lifecycle round
-- it was last saved in, and closing needs a complete review of the current
-- round (a reopened incident is reviewed again). attendees is a JSON array
-- of {"user_id", "name"} (user_id 0 for people without an account), written
-- only by the postincident package. The emergency plan revisions the review
-- leads to name the incident themselves (emergency_plan_revision_incidents).
CREATE TABLE incident_reviews (
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    round INTEGER NOT NULL DEFAULT 0,
    held_at BIGINT NOT NULL DEFAULT 0,
    place TEXT NOT NULL DEFAULT '',
    attendees TEXT NOT NULL DEFAULT '[]',
    minutes TEXT NOT NULL DEFAULT '',
    root_cause TEXT NOT NULL DEFAULT '',
    impact TEXT NOT NULL DEFAULT '',
    lessons TEXT NOT NULL DEFAULT '',
    plan_revision_needed BOOLEAN NOT NULL DEFAULT FALSE,
    plan_revision_notes TEXT NOT NULL DEFAULT '',
    recorded_by BIGINT NOT NULL DEFAULT 0,
    recorded_by_name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, incident_id)
);

-- A CAPA goes draft -> submitted (leadership's approval of the set waits)
-- -> open -> in_progress -> done -> verified; a rejection brings the
-- submitted ones back to draft with the reason, a failed verification
-- brings a done one back to in_progress. Its due date is also a deadline
-- (object incident_capa, kind capa.due), met when it is done.
CREATE TABLE incident_capas (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft',
    approval_id BIGINT NOT NULL DEFAULT 0,
    reject_reason TEXT NOT NULL DEFAULT '',
    progress_notes TEXT NOT NULL DEFAULT '',
    done_at BIGINT NOT NULL DEFAULT 0,
    verified_by BIGINT NOT NULL DEFAULT 0,
    verified_by_name TEXT NOT NULL DEFAULT '',
    verified_at BIGINT NOT NULL DEFAULT 0,
    verification_notes TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL,
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX incident_capas_incident ON incident_capas (org_id, incident_id);
CREATE INDEX incident_capas_owner ON incident_capas (org_id, owner_id, status);
CREATE INDEX incident_capas_approval ON incident_capas (org_id, approval_id);

-- A reward or penalty recommendation: pending while its approval waits,
-- then approved, rejected or withdrawn. The person is an account of the
-- organisation (person_id) or only a name (a contractor, say).
CREATE TABLE incident_sanctions (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    person_id BIGINT NOT NULL DEFAULT 0,
    person_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    measure TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    approval_id BIGINT NOT NULL DEFAULT 0,
    decided_by_name TEXT NOT NULL DEFAULT '',
    decided_at BIGINT NOT NULL DEFAULT 0,
    decision_reason TEXT NOT NULL DEFAULT '',
    author_id BIGINT NOT NULL,
    author_name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX incident_sanctions_incident ON incident_sanctions (org_id, incident_id);
