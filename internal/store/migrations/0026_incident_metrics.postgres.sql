-- Incident metrics and the incident list at scale (issue 3, point 12). The
-- SQLite file of this step explains each part; here only what differs.

-- 1. Milestones, and their backfill from the audit trail.
ALTER TABLE incidents ADD COLUMN occurred_at BIGINT;
ALTER TABLE incidents ADD COLUMN responded_at BIGINT;
ALTER TABLE incidents ADD COLUMN contained_at BIGINT;
ALTER TABLE incidents ADD COLUMN closed_at BIGINT;
UPDATE incidents SET responded_at = (SELECT MIN(a.at) FROM audit_log a
    WHERE a.object_type = 'incident' AND a.object_id = CAST(incidents.id AS TEXT)
    AND a.action IN ('incident.transition', 'incident.exception')
    AND (CASE WHEN a.before_json LIKE '{%' THEN a.before_json::jsonb ->> 'phase' END) IN ('preparation', 'detection'));
UPDATE incidents SET contained_at = (SELECT MIN(a.at) FROM audit_log a
    WHERE a.object_type = 'incident' AND a.object_id = CAST(incidents.id AS TEXT)
    AND a.action IN ('incident.transition', 'incident.exception')
    AND (CASE WHEN a.after_json LIKE '{%' THEN a.after_json::jsonb ->> 'phase' END) IN ('eradication', 'recovery', 'summary'));
UPDATE incidents SET closed_at = (SELECT MAX(a.at) FROM audit_log a
    WHERE a.object_type = 'incident' AND a.object_id = CAST(incidents.id AS TEXT)
    AND a.action IN ('incident.transition', 'incident.exception')
    AND (CASE WHEN a.after_json LIKE '{%' THEN a.after_json::jsonb ->> 'phase' END) = 'closed')
    WHERE phase = 'closed';

-- 2. Month of discovery and full-text terms, computed in Go.
ALTER TABLE incidents ADD COLUMN discovered_month INTEGER;
ALTER TABLE incidents ADD COLUMN search_terms TEXT;
CREATE TABLE incident_month_zone (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    zone TEXT NOT NULL
);
ALTER TABLE incidents ADD COLUMN category_class TEXT GENERATED ALWAYS AS (split_part(category, '-', 1)) STORED;

-- 3. The list. Every index ends with id: the page's ids are read by an
-- index-only scan (see migration 0014), so the indexes of migration 0010
-- are rebuilt with it.
DROP INDEX incidents_org_discovered;
DROP INDEX incidents_org_phase;
DROP INDEX incidents_org_grade;
DROP INDEX incidents_org_category;
CREATE INDEX incidents_org_discovered ON incidents (org_id, discovered_at, id);
CREATE INDEX incidents_org_phase ON incidents (org_id, phase, discovered_at, id);
CREATE INDEX incidents_org_grade ON incidents (org_id, grade, discovered_at, id);
CREATE INDEX incidents_org_category ON incidents (org_id, category, discovered_at, id);
CREATE INDEX incidents_org_class ON incidents (org_id, category_class, discovered_at, id);
CREATE INDEX incidents_org_status ON incidents (org_id, status, discovered_at, id);

-- Totals without counting. Deferred to commit for the reason given for
-- asset_counts (migration 0014): counters are locked after audit_head.
CREATE TABLE incident_counts (
    org_id BIGINT NOT NULL,
    phase TEXT NOT NULL,
    status TEXT NOT NULL,
    grade INTEGER NOT NULL,
    category TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_id, phase, status, grade, category)
);
INSERT INTO incident_counts (org_id, phase, status, grade, category, n)
    SELECT org_id, phase, status, COALESCE(grade, 0), category, COUNT(*) FROM incidents
    GROUP BY org_id, phase, status, COALESCE(grade, 0), category;
CREATE FUNCTION incident_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.org_id = NEW.org_id AND OLD.phase = NEW.phase AND OLD.status = NEW.status
        AND OLD.grade IS NOT DISTINCT FROM NEW.grade AND OLD.category = NEW.category THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE incident_counts SET n = n - 1 WHERE org_id = OLD.org_id AND phase = OLD.phase AND status = OLD.status
            AND grade = COALESCE(OLD.grade, 0) AND category = OLD.category;
        DELETE FROM incident_counts WHERE org_id = OLD.org_id AND phase = OLD.phase AND status = OLD.status
            AND grade = COALESCE(OLD.grade, 0) AND category = OLD.category AND n <= 0;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO incident_counts (org_id, phase, status, grade, category, n)
            VALUES (NEW.org_id, NEW.phase, NEW.status, COALESCE(NEW.grade, 0), NEW.category, 1)
            ON CONFLICT (org_id, phase, status, grade, category) DO UPDATE SET n = incident_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER incidents_count AFTER INSERT OR DELETE OR UPDATE OF org_id, phase, status, grade, category ON incidents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION incident_counts_track();

-- Full-text search: the stored tsvector with short-prefix lexemes, built by
-- the assets' function (migration 0014), under a GIN index.
ALTER TABLE incidents ADD COLUMN search_vec tsvector GENERATED ALWAYS AS (asset_search_vec(COALESCE(search_terms, ''))) STORED;
CREATE INDEX incidents_search ON incidents USING GIN (search_vec);

-- 4. The dashboard's rollup.
CREATE TABLE incident_duration_buckets (
    bucket INTEGER PRIMARY KEY,
    upper_s BIGINT NOT NULL UNIQUE
);
INSERT INTO incident_duration_buckets (bucket, upper_s) VALUES
(0, 60), (1, 71), (2, 85), (3, 101), (4, 120), (5, 143), (6, 170), (7, 202),
(8, 240), (9, 285), (10, 339), (11, 404), (12, 480), (13, 571), (14, 679), (15, 807),
(16, 960), (17, 1142), (18, 1358), (19, 1615), (20, 1920), (21, 2283), (22, 2715), (23, 3229),
(24, 3840), (25, 4567), (26, 5431), (27, 6458), (28, 7680), (29, 9133), (30, 10861), (31, 12916),
(32, 15360), (33, 18266), (34, 21722), (35, 25832), (36, 30720), (37, 36532), (38, 43445), (39, 51665),
(40, 61440), (41, 73065), (42, 86889), (43, 103329), (44, 122880), (45, 146130), (46, 173779), (47, 206659),
(48, 245760), (49, 292260), (50, 347557), (51, 413317), (52, 491520), (53, 584519), (54, 695114), (55, 826635),
(56, 983040), (57, 1169038), (58, 1390229), (59, 1653270), (60, 1966080), (61, 2338076), (62, 2780457), (63, 3306539),
(64, 3932160), (65, 4676153), (66, 5560914), (67, 6613078), (68, 7864320), (69, 9352305), (70, 11121828), (71, 13226157),
(72, 15728640), (73, 18704611), (74, 22243656), (75, 26452314), (76, 31457280), (77, 37409221), (78, 44487312), (79, 52904628),
(80, 62914560), (81, 9223372036854775807);
CREATE TABLE incident_rollup (
    org_id BIGINT NOT NULL,
    class_code TEXT NOT NULL,
    grade INTEGER NOT NULL,
    metric TEXT NOT NULL,
    month INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    n BIGINT NOT NULL,
    total_s BIGINT NOT NULL,
    PRIMARY KEY (org_id, class_code, grade, metric, bucket, month)
);

-- incident_rollup_add adds one incident's contribution (delta 1) or takes
-- it away (delta -1), from the columns it needs (not the row, which would
-- tie the function to the table's row type). As on SQLite, rows that fall
-- to zero stay. It costs about 0.6 ms per incident written, most of it the
-- twenty upserts.
CREATE FUNCTION incident_rollup_add(org BIGINT, mon INTEGER, cls TEXT, grd INTEGER, occurred BIGINT, discovered BIGINT,
    responded BIGINT, contained BIGINT, closed BIGINT, delta INTEGER) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF mon IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO incident_rollup (org_id, class_code, grade, metric, month, bucket, n, total_s)
        SELECT org, sh.class_code, sh.grade, m.metric, mon,
            (SELECT b.bucket FROM incident_duration_buckets b WHERE b.upper_s > m.secs ORDER BY b.upper_s LIMIT 1), delta, delta * m.secs
        FROM (VALUES ('*', -1), (cls, -1), ('*', grd), (cls, grd)) AS sh (class_code, grade),
        (SELECT 'count' AS metric, CAST(0 AS BIGINT) AS secs
            UNION ALL SELECT 'detect', GREATEST(0, (discovered - occurred) / 1000000) WHERE occurred IS NOT NULL
            UNION ALL SELECT 'respond', GREATEST(0, (responded - discovered) / 1000000) WHERE responded IS NOT NULL
            UNION ALL SELECT 'contain', GREATEST(0, (contained - discovered) / 1000000) WHERE contained IS NOT NULL
            UNION ALL SELECT 'close', GREATEST(0, (closed - discovered) / 1000000) WHERE closed IS NOT NULL) m
        ON CONFLICT (org_id, class_code, grade, metric, bucket, month)
            DO UPDATE SET n = incident_rollup.n + excluded.n, total_s = incident_rollup.total_s + excluded.total_s;
END;
$$;
CREATE FUNCTION incident_rollup_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.org_id = NEW.org_id AND OLD.discovered_month IS NOT DISTINCT FROM NEW.discovered_month
        AND OLD.category = NEW.category AND OLD.grade IS NOT DISTINCT FROM NEW.grade
        AND OLD.occurred_at IS NOT DISTINCT FROM NEW.occurred_at AND OLD.discovered_at = NEW.discovered_at
        AND OLD.responded_at IS NOT DISTINCT FROM NEW.responded_at AND OLD.contained_at IS NOT DISTINCT FROM NEW.contained_at
        AND OLD.closed_at IS NOT DISTINCT FROM NEW.closed_at THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM incident_rollup_add(OLD.org_id, OLD.discovered_month, OLD.category_class, COALESCE(OLD.grade, 0), OLD.occurred_at,
            OLD.discovered_at, OLD.responded_at, OLD.contained_at, OLD.closed_at, -1);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM incident_rollup_add(NEW.org_id, NEW.discovered_month, NEW.category_class, COALESCE(NEW.grade, 0), NEW.occurred_at,
            NEW.discovered_at, NEW.responded_at, NEW.contained_at, NEW.closed_at, 1);
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER incidents_rollup AFTER INSERT OR DELETE OR UPDATE OF org_id, discovered_month, category, grade,
    occurred_at, discovered_at, responded_at, contained_at, closed_at ON incidents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION incident_rollup_track();
