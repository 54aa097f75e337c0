-- The emergency plan (信息安全应急预案) as a versioned document per
-- organisation (issue 3, points 1 and 9). Each revision is a whole copy of
-- the plan: its chapters, the change summary and reason of the revision
-- record (文件制修订记录), the incidents that prompted it. A revision goes
-- draft -> submitted (an approval by the leadership group waits) ->
-- approved; a rejection or withdrawal brings it back to draft. Approved
-- revisions are never changed again: the next revision is a new row.
CREATE TABLE emergency_plan_revisions (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    -- V{major}.{minor}: provisional while open, final once approved.
    major INTEGER NOT NULL,
    minor INTEGER NOT NULL,
    -- a change of structure asks for the next major version (V2.0)
    major_change INTEGER NOT NULL DEFAULT 0,
    -- draft | submitted | approved
    status TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    -- the approved revision this one was drafted from, 0 for the first
    based_on BIGINT NOT NULL DEFAULT 0,
    author_id BIGINT NOT NULL,
    author_name TEXT NOT NULL DEFAULT '',
    approval_id BIGINT NOT NULL DEFAULT 0,
    reject_reason TEXT NOT NULL DEFAULT '',
    -- the day the drafters want it to take effect (0: on approval)
    effective_from BIGINT NOT NULL DEFAULT 0,
    approved_by BIGINT NOT NULL DEFAULT 0,
    approved_by_name TEXT NOT NULL DEFAULT '',
    approved_at BIGINT NOT NULL DEFAULT 0,
    effective_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX emergency_plan_revisions_org ON emergency_plan_revisions (org_id, status, major, minor);
-- One open (draft or submitted) revision per organisation, and one
-- approved revision per version number.
CREATE UNIQUE INDEX emergency_plan_revisions_open ON emergency_plan_revisions (org_id) WHERE status <> 'approved';
CREATE UNIQUE INDEX emergency_plan_revisions_version ON emergency_plan_revisions (org_id, major, minor) WHERE status = 'approved';

-- The chapters of a revision, in order. source is '' for text people type,
-- or the data a chapter is generated from at export time (organisation:
-- the emergency organisation; response: the grades, report windows and
-- who is engaged per grade); body is then the chapter's typed preface.
CREATE TABLE emergency_plan_chapters (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    revision_id BIGINT NOT NULL REFERENCES emergency_plan_revisions(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT ''
);
CREATE INDEX emergency_plan_chapters_revision ON emergency_plan_chapters (org_id, revision_id, position);

-- The incidents that prompted a revision (its reason), so a post-incident
-- review can find the revision its lessons led to.
CREATE TABLE emergency_plan_revision_incidents (
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    revision_id BIGINT NOT NULL REFERENCES emergency_plan_revisions(id) ON DELETE CASCADE,
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    PRIMARY KEY (revision_id, incident_id)
);
CREATE INDEX emergency_plan_revision_incidents_incident ON emergency_plan_revision_incidents (org_id, incident_id);
