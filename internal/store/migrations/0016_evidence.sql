-- Evidence, chain of custody, IOCs and intel notes of incidents (issue 3,
-- point 8). Evidence content lives in the content-addressed upload store
-- (DATA/uploads/sha256/..); a row here is one upload of it to an incident.

CREATE TABLE incident_evidence (
    id {{ID}},
    org_id BIGINT NOT NULL,
    incident_id BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    collected_by TEXT NOT NULL DEFAULT '',
    collected_at BIGINT,
    collected_from TEXT NOT NULL DEFAULT '',
    uploaded_by BIGINT NOT NULL,
    uploaded_by_name TEXT NOT NULL,
    uploaded_at BIGINT NOT NULL
);
CREATE INDEX incident_evidence_incident ON incident_evidence (org_id, incident_id);

-- Every access and hand-over after the upload, oldest first. Rows are only
-- ever inserted; the audit trail holds the same events hash-chained.
CREATE TABLE incident_custody (
    id {{ID}},
    org_id BIGINT NOT NULL,
    evidence_id BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX incident_custody_evidence ON incident_custody (evidence_id, id);

CREATE TABLE incident_iocs (
    id {{ID}},
    org_id BIGINT NOT NULL,
    incident_id BIGINT NOT NULL,
    type TEXT NOT NULL,
    value TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    first_seen BIGINT,
    tags TEXT NOT NULL DEFAULT '',
    created_by BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (incident_id, type, value)
);
CREATE INDEX incident_iocs_value ON incident_iocs (org_id, value);

CREATE TABLE incident_intel_notes (
    id {{ID}},
    org_id BIGINT NOT NULL,
    incident_id BIGINT NOT NULL,
    body TEXT NOT NULL,
    techniques TEXT NOT NULL DEFAULT '',
    author_id BIGINT NOT NULL,
    author TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX incident_intel_notes_incident ON incident_intel_notes (org_id, incident_id);
