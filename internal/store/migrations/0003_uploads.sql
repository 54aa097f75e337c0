-- Uploaded files (asset imports today). The bytes live under
-- DATA/uploads/sha256/ab/<hash>, named by content; this table says which
-- organisation uploaded which content, so a later step (the import's
-- confirm) can only use a file its own organisation uploaded. One row per
-- upload: the same content uploaded twice is stored once on disk.
CREATE TABLE uploads (
    id {{ID}},
    org_id BIGINT NOT NULL REFERENCES organizations(id),
    sha256 TEXT NOT NULL,
    filename TEXT NOT NULL DEFAULT '',
    size BIGINT NOT NULL,
    uploaded_by BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX uploads_org_sha ON uploads (org_id, sha256);
