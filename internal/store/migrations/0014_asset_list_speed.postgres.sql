-- Speed of the asset register at 100k assets (docs/benchmarks.md). The
-- SQLite file of this step explains each part; here only what differs.
--
-- 1. Totals without counting rows: asset_counts, as on SQLite. The trigger
-- is deferred to commit: every transaction that writes assets also appends
-- to the audit trail, which locks audit_head first, so counters are only
-- ever locked by the one transaction holding audit_head. Immediate triggers
-- would lock a counter row before audit_head, and an import (holding
-- audit_head, wanting counter X) and a single create (holding X, wanting
-- audit_head) would deadlock.
CREATE TABLE asset_counts (
    org_id BIGINT NOT NULL,
    asset_type TEXT NOT NULL,
    status TEXT NOT NULL,
    department TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_id, asset_type, status, department)
);
INSERT INTO asset_counts (org_id, asset_type, status, department, n)
    SELECT org_id, asset_type, status, department, COUNT(*) FROM assets GROUP BY org_id, asset_type, status, department;
CREATE FUNCTION asset_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.org_id = NEW.org_id AND OLD.asset_type = NEW.asset_type
        AND OLD.status = NEW.status AND OLD.department = NEW.department THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE asset_counts SET n = n - 1
            WHERE org_id = OLD.org_id AND asset_type = OLD.asset_type AND status = OLD.status AND department = OLD.department;
        DELETE FROM asset_counts
            WHERE org_id = OLD.org_id AND asset_type = OLD.asset_type AND status = OLD.status AND department = OLD.department AND n <= 0;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO asset_counts (org_id, asset_type, status, department, n)
            VALUES (NEW.org_id, NEW.asset_type, NEW.status, NEW.department, 1)
            ON CONFLICT (org_id, asset_type, status, department) DO UPDATE SET n = asset_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER assets_count AFTER INSERT OR DELETE OR UPDATE OF org_id, asset_type, status, department ON assets
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION asset_counts_track();

-- 2. Indexes that serve a filter and a sort at once. id is spelled out: a
-- PostgreSQL index does not end with the row id as SQLite's do, and the
-- page's ids are read by an index-only scan, so the indexes sorted by number
-- are rebuilt with id too (without it, page 1000 read 50k rows from the heap).
DROP INDEX assets_org_name;
DROP INDEX assets_org_updated;
DROP INDEX assets_org_value;
DROP INDEX assets_org_type;
DROP INDEX assets_org_status;
DROP INDEX assets_org_dept;
CREATE INDEX assets_org_number ON assets (org_id, number, id);
CREATE INDEX assets_org_type ON assets (org_id, asset_type, number, id);
CREATE INDEX assets_org_status ON assets (org_id, status, number, id);
CREATE INDEX assets_org_dept ON assets (org_id, department, number, id);
CREATE INDEX assets_org_name ON assets (org_id, name, id);
CREATE INDEX assets_org_updated ON assets (org_id, updated_at, id);
CREATE INDEX assets_org_value ON assets (org_id, asset_value, id);
CREATE INDEX assets_org_system ON assets (org_id, business_system, number, id);
CREATE INDEX assets_org_type_name ON assets (org_id, asset_type, name, id);
CREATE INDEX assets_org_type_updated ON assets (org_id, asset_type, updated_at, id);
CREATE INDEX assets_org_type_value ON assets (org_id, asset_type, asset_value, id);
CREATE INDEX assets_org_status_name ON assets (org_id, status, name, id);
CREATE INDEX assets_org_status_updated ON assets (org_id, status, updated_at, id);
CREATE INDEX assets_org_status_value ON assets (org_id, status, asset_value, id);
CREATE INDEX assets_org_dept_name ON assets (org_id, department, name, id);
CREATE INDEX assets_org_dept_updated ON assets (org_id, department, updated_at, id);
CREATE INDEX assets_org_dept_value ON assets (org_id, department, asset_value, id);

-- 3. The search terms as a stored tsvector. The GIN index over the
-- expression found rows fast, but every row the planner then checked (a
-- page walking the number index, say) rebuilt its tsvector from text,
-- sorting the terms: 16 ms for one page of 交换, 1.5 ms with the column.
--
-- Beside each term the vector holds its first one, two and three characters
-- marked with "*" (a query term never contains "*"), as FTS5's prefix option
-- does on SQLite: a short prefix such as "10"* in an address search is then
-- one lexeme ('*10'), where GIN would otherwise merge the lists of every term
-- starting with 10 (28 ms for 10.20.16.113; see store.Dialect.OrgTermQuery).
CREATE FUNCTION asset_search_vec(terms TEXT) RETURNS tsvector LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT array_to_tsvector(string_to_array(terms, ' ') || ARRAY(
        SELECT DISTINCT '*' || left(t, n) FROM unnest(string_to_array(terms, ' ')) AS t, generate_series(1, 3) AS n
        WHERE char_length(t) >= n))
$$;
ALTER TABLE assets ADD COLUMN search_vec tsvector GENERATED ALWAYS AS (asset_search_vec(search_terms)) STORED;
DROP INDEX assets_search;
CREATE INDEX assets_search ON assets USING GIN (search_vec);
