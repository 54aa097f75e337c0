-- Incident metrics and the incident list at scale (issue 3, point 12; see
-- docs/benchmarks.md and incident/metrics.go).
--
-- 1. Milestones, recorded by the service in the transaction that reaches
-- them (incident/milestones.go): occurred_at is entered by people (事件发生
-- 时间, optional); responded_at is the first move out of detection (any
-- target, closing a false alarm included); contained_at the first move into
-- eradication, recovery or summary (an incident closed without those has no
-- time to contain); closed_at the last move to closed, cleared on reopening.
ALTER TABLE incidents ADD COLUMN occurred_at BIGINT;
ALTER TABLE incidents ADD COLUMN responded_at BIGINT;
ALTER TABLE incidents ADD COLUMN contained_at BIGINT;
ALTER TABLE incidents ADD COLUMN closed_at BIGINT;

-- Derived from the audit trail for incidents that moved before this step:
-- each transition and exception record holds the phases before and after
-- (other records may hold no JSON at all, hence json_valid first).
UPDATE incidents SET responded_at = (SELECT MIN(a.at) FROM audit_log a
    WHERE a.object_type = 'incident' AND a.object_id = CAST(incidents.id AS TEXT)
    AND a.action IN ('incident.transition', 'incident.exception')
    AND (CASE WHEN json_valid(a.before_json) THEN json_extract(a.before_json, '$.phase') END) IN ('preparation', 'detection'));
UPDATE incidents SET contained_at = (SELECT MIN(a.at) FROM audit_log a
    WHERE a.object_type = 'incident' AND a.object_id = CAST(incidents.id AS TEXT)
    AND a.action IN ('incident.transition', 'incident.exception')
    AND (CASE WHEN json_valid(a.after_json) THEN json_extract(a.after_json, '$.phase') END) IN ('eradication', 'recovery', 'summary'));
UPDATE incidents SET closed_at = (SELECT MAX(a.at) FROM audit_log a
    WHERE a.object_type = 'incident' AND a.object_id = CAST(incidents.id AS TEXT)
    AND a.action IN ('incident.transition', 'incident.exception')
    AND (CASE WHEN json_valid(a.after_json) THEN json_extract(a.after_json, '$.phase') END) = 'closed')
    WHERE phase = 'closed';

-- 2. What the service derives in Go: the month of discovery in the
-- installation's time zone (yyyymm; SQL knows no time zones) and the
-- full-text terms (internal/search). NULL means "not computed yet": rows
-- that existed before this step, filled by Service.CatchUp when Bulwark
-- starts, which also re-keys the months when the time zone setting changes
-- (incident_month_zone holds the zone they were computed in).
ALTER TABLE incidents ADD COLUMN discovered_month INTEGER;
ALTER TABLE incidents ADD COLUMN search_terms TEXT;
CREATE TABLE incident_month_zone (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    zone TEXT NOT NULL
);

-- The first-level category (MP for MP-07), for the list's class filter and
-- the dashboard's counts by category.
ALTER TABLE incidents ADD COLUMN category_class TEXT GENERATED ALWAYS AS
    (CASE WHEN instr(category, '-') > 0 THEN substr(category, 1, instr(category, '-') - 1) ELSE category END) VIRTUAL;

-- 3. The list: an index per filter, sorted by discovery (rowid, the id,
-- ends every SQLite index, so ORDER BY discovered_at DESC, id DESC walks it).
CREATE INDEX incidents_org_class ON incidents (org_id, category_class, discovered_at);
CREATE INDEX incidents_org_status ON incidents (org_id, status, discovered_at);

-- Totals without counting: incidents per organisation, phase, status, grade
-- (0 = ungraded) and category, kept by triggers as asset_counts is (in key
-- order, WITHOUT ROWID, as the rollup below).
CREATE TABLE incident_counts (
    org_id BIGINT NOT NULL,
    phase TEXT NOT NULL,
    status TEXT NOT NULL,
    grade INTEGER NOT NULL,
    category TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_id, phase, status, grade, category)
) WITHOUT ROWID;
INSERT INTO incident_counts (org_id, phase, status, grade, category, n)
    SELECT org_id, phase, status, COALESCE(grade, 0), category, COUNT(*) FROM incidents
    GROUP BY org_id, phase, status, COALESCE(grade, 0), category;
CREATE TRIGGER incidents_count_ai AFTER INSERT ON incidents BEGIN
    INSERT INTO incident_counts (org_id, phase, status, grade, category, n)
        VALUES (new.org_id, new.phase, new.status, COALESCE(new.grade, 0), new.category, 1)
        ON CONFLICT (org_id, phase, status, grade, category) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER incidents_count_ad AFTER DELETE ON incidents BEGIN
    UPDATE incident_counts SET n = n - 1 WHERE org_id = old.org_id AND phase = old.phase AND status = old.status
        AND grade = COALESCE(old.grade, 0) AND category = old.category;
    DELETE FROM incident_counts WHERE org_id = old.org_id AND phase = old.phase AND status = old.status
        AND grade = COALESCE(old.grade, 0) AND category = old.category AND n <= 0;
END;
CREATE TRIGGER incidents_count_au AFTER UPDATE OF org_id, phase, status, grade, category ON incidents
    WHEN old.org_id <> new.org_id OR old.phase <> new.phase OR old.status <> new.status
        OR old.grade IS NOT new.grade OR old.category <> new.category
BEGIN
    UPDATE incident_counts SET n = n - 1 WHERE org_id = old.org_id AND phase = old.phase AND status = old.status
        AND grade = COALESCE(old.grade, 0) AND category = old.category;
    DELETE FROM incident_counts WHERE org_id = old.org_id AND phase = old.phase AND status = old.status
        AND grade = COALESCE(old.grade, 0) AND category = old.category AND n <= 0;
    INSERT INTO incident_counts (org_id, phase, status, grade, category, n)
        VALUES (new.org_id, new.phase, new.status, COALESCE(new.grade, 0), new.category, 1)
        ON CONFLICT (org_id, phase, status, grade, category) DO UPDATE SET n = n + 1;
END;

-- Full-text search per organisation, as for assets (migration 0014): FTS5
-- over the terms with an org column. Prefix lists for 1-3 characters serve
-- short prefixes; longer ones match few terms.
CREATE VIRTUAL TABLE incident_fts USING fts5(org, terms, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3');
CREATE TRIGGER incidents_fts_ai AFTER INSERT ON incidents WHEN new.search_terms IS NOT NULL BEGIN
    INSERT INTO incident_fts (rowid, org, terms) VALUES (new.id, 'o' || new.org_id, new.search_terms);
END;
CREATE TRIGGER incidents_fts_au AFTER UPDATE OF org_id, search_terms ON incidents
    WHEN old.org_id <> new.org_id OR old.search_terms IS NOT new.search_terms
BEGIN
    DELETE FROM incident_fts WHERE rowid = old.id;
    INSERT INTO incident_fts (rowid, org, terms) SELECT new.id, 'o' || new.org_id, new.search_terms WHERE new.search_terms IS NOT NULL;
END;
CREATE TRIGGER incidents_fts_ad AFTER DELETE ON incidents BEGIN
    DELETE FROM incident_fts WHERE rowid = old.id;
END;

-- 4. The dashboard's rollup. Durations are whole seconds (negative ones,
-- from a discovery time edited after the fact, count as 0), put in buckets
-- whose bounds grow by 2^(1/4): bucket 0 is under a minute, bucket b (1-80)
-- ends at 60 s × 2^(b/4), rounded; 81 is everything beyond two years. The
-- median and 90th percentile are read off these counts (within one bucket,
-- 19%, of the exact value); means come from the exact sums. incident/
-- metrics.go holds the same bounds (a test compares them).
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

-- One row per organisation, first-level category ("*" = any), grade (-1 =
-- any, 0 = ungraded), metric, month of discovery and bucket: n incidents,
-- total_s seconds. Each incident adds to the four (category, grade) rows it
-- belongs to ((*, any), (its class, any), (*, its grade), (its class, its
-- grade)), so a dashboard filtered by category, grade, both or neither reads
-- one short range per metric: summing the class × grade rows at read time
-- meant 54k rows and 200 ms for a year on SQLite. metric "count" (bucket 0)
-- counts the incidents themselves. Rows only exist for incidents whose
-- month is known (see 2). WITHOUT ROWID keeps the rows in the key's order,
-- so they are read in place, and the key ends with bucket and month, so a
-- metric's buckets come out in GROUP BY order without a sort: 48 months at
-- 200k incidents took 21 ms with a rowid table keyed by month first, 6 ms
-- this way. Rows that fall to zero stay (at most the keys ever used):
-- deleting them would cost every change a search through the key's months.
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
) WITHOUT ROWID;
CREATE TRIGGER incidents_rollup_ai AFTER INSERT ON incidents WHEN new.discovered_month IS NOT NULL BEGIN
    INSERT INTO incident_rollup (org_id, class_code, grade, metric, month, bucket, n, total_s)
        SELECT new.org_id, s.class_code, s.grade, m.metric, new.discovered_month,
            (SELECT b.bucket FROM incident_duration_buckets b WHERE b.upper_s > m.s ORDER BY b.upper_s LIMIT 1), 1, m.s
        FROM (SELECT '*' AS class_code, -1 AS grade UNION ALL SELECT new.category_class, -1
            UNION ALL SELECT '*', COALESCE(new.grade, 0) UNION ALL SELECT new.category_class, COALESCE(new.grade, 0)) s,
        (SELECT 'count' AS metric, 0 AS s
            UNION ALL SELECT 'detect', max(0, (new.discovered_at - new.occurred_at) / 1000000) WHERE new.occurred_at IS NOT NULL
            UNION ALL SELECT 'respond', max(0, (new.responded_at - new.discovered_at) / 1000000) WHERE new.responded_at IS NOT NULL
            UNION ALL SELECT 'contain', max(0, (new.contained_at - new.discovered_at) / 1000000) WHERE new.contained_at IS NOT NULL
            UNION ALL SELECT 'close', max(0, (new.closed_at - new.discovered_at) / 1000000) WHERE new.closed_at IS NOT NULL) m
        WHERE true
        ON CONFLICT (org_id, class_code, grade, metric, bucket, month) DO UPDATE SET n = n + 1, total_s = total_s + excluded.total_s;
END;
CREATE TRIGGER incidents_rollup_ad AFTER DELETE ON incidents WHEN old.discovered_month IS NOT NULL BEGIN
    INSERT INTO incident_rollup (org_id, class_code, grade, metric, month, bucket, n, total_s)
        SELECT old.org_id, s.class_code, s.grade, m.metric, old.discovered_month,
            (SELECT b.bucket FROM incident_duration_buckets b WHERE b.upper_s > m.s ORDER BY b.upper_s LIMIT 1), -1, -m.s
        FROM (SELECT '*' AS class_code, -1 AS grade UNION ALL SELECT old.category_class, -1
            UNION ALL SELECT '*', COALESCE(old.grade, 0) UNION ALL SELECT old.category_class, COALESCE(old.grade, 0)) s,
        (SELECT 'count' AS metric, 0 AS s
            UNION ALL SELECT 'detect', max(0, (old.discovered_at - old.occurred_at) / 1000000) WHERE old.occurred_at IS NOT NULL
            UNION ALL SELECT 'respond', max(0, (old.responded_at - old.discovered_at) / 1000000) WHERE old.responded_at IS NOT NULL
            UNION ALL SELECT 'contain', max(0, (old.contained_at - old.discovered_at) / 1000000) WHERE old.contained_at IS NOT NULL
            UNION ALL SELECT 'close', max(0, (old.closed_at - old.discovered_at) / 1000000) WHERE old.closed_at IS NOT NULL) m
        WHERE true
        ON CONFLICT (org_id, class_code, grade, metric, bucket, month) DO UPDATE SET n = n + excluded.n, total_s = total_s + excluded.total_s;
END;
CREATE TRIGGER incidents_rollup_au AFTER UPDATE OF org_id, discovered_month, category, grade, occurred_at, discovered_at,
    responded_at, contained_at, closed_at ON incidents
    WHEN old.org_id <> new.org_id OR old.discovered_month IS NOT new.discovered_month OR old.category <> new.category
        OR old.grade IS NOT new.grade OR old.occurred_at IS NOT new.occurred_at OR old.discovered_at <> new.discovered_at
        OR old.responded_at IS NOT new.responded_at OR old.contained_at IS NOT new.contained_at OR old.closed_at IS NOT new.closed_at
BEGIN
    INSERT INTO incident_rollup (org_id, class_code, grade, metric, month, bucket, n, total_s)
        SELECT old.org_id, s.class_code, s.grade, m.metric, old.discovered_month,
            (SELECT b.bucket FROM incident_duration_buckets b WHERE b.upper_s > m.s ORDER BY b.upper_s LIMIT 1), -1, -m.s
        FROM (SELECT '*' AS class_code, -1 AS grade UNION ALL SELECT old.category_class, -1
            UNION ALL SELECT '*', COALESCE(old.grade, 0) UNION ALL SELECT old.category_class, COALESCE(old.grade, 0)) s,
        (SELECT 'count' AS metric, 0 AS s
            UNION ALL SELECT 'detect', max(0, (old.discovered_at - old.occurred_at) / 1000000) WHERE old.occurred_at IS NOT NULL
            UNION ALL SELECT 'respond', max(0, (old.responded_at - old.discovered_at) / 1000000) WHERE old.responded_at IS NOT NULL
            UNION ALL SELECT 'contain', max(0, (old.contained_at - old.discovered_at) / 1000000) WHERE old.contained_at IS NOT NULL
            UNION ALL SELECT 'close', max(0, (old.closed_at - old.discovered_at) / 1000000) WHERE old.closed_at IS NOT NULL) m
        WHERE old.discovered_month IS NOT NULL
        ON CONFLICT (org_id, class_code, grade, metric, bucket, month) DO UPDATE SET n = n + excluded.n, total_s = total_s + excluded.total_s;
    INSERT INTO incident_rollup (org_id, class_code, grade, metric, month, bucket, n, total_s)
        SELECT new.org_id, s.class_code, s.grade, m.metric, new.discovered_month,
            (SELECT b.bucket FROM incident_duration_buckets b WHERE b.upper_s > m.s ORDER BY b.upper_s LIMIT 1), 1, m.s
        FROM (SELECT '*' AS class_code, -1 AS grade UNION ALL SELECT new.category_class, -1
            UNION ALL SELECT '*', COALESCE(new.grade, 0) UNION ALL SELECT new.category_class, COALESCE(new.grade, 0)) s,
        (SELECT 'count' AS metric, 0 AS s
            UNION ALL SELECT 'detect', max(0, (new.discovered_at - new.occurred_at) / 1000000) WHERE new.occurred_at IS NOT NULL
            UNION ALL SELECT 'respond', max(0, (new.responded_at - new.discovered_at) / 1000000) WHERE new.responded_at IS NOT NULL
            UNION ALL SELECT 'contain', max(0, (new.contained_at - new.discovered_at) / 1000000) WHERE new.contained_at IS NOT NULL
            UNION ALL SELECT 'close', max(0, (new.closed_at - new.discovered_at) / 1000000) WHERE new.closed_at IS NOT NULL) m
        WHERE new.discovered_month IS NOT NULL
        ON CONFLICT (org_id, class_code, grade, metric, bucket, month) DO UPDATE SET n = n + 1, total_s = total_s + excluded.total_s;
END;
