-- Speed of the asset register at 100k assets (docs/benchmarks.md).
--
-- 1. Totals without counting rows. COUNT(*) over 100k index entries costs
-- ~8 ms on SQLite, more than a whole page should. asset_counts keeps the
-- number of assets per organisation, type, status and department, kept in
-- step by triggers; a list filtered by nothing but those columns sums at
-- most a few hundred rows instead (see asset.Filter.countable).
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
CREATE TRIGGER assets_count_ai AFTER INSERT ON assets BEGIN
    INSERT INTO asset_counts (org_id, asset_type, status, department, n)
        VALUES (new.org_id, new.asset_type, new.status, new.department, 1)
        ON CONFLICT (org_id, asset_type, status, department) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER assets_count_ad AFTER DELETE ON assets BEGIN
    UPDATE asset_counts SET n = n - 1
        WHERE org_id = old.org_id AND asset_type = old.asset_type AND status = old.status AND department = old.department;
    DELETE FROM asset_counts
        WHERE org_id = old.org_id AND asset_type = old.asset_type AND status = old.status AND department = old.department AND n <= 0;
END;
CREATE TRIGGER assets_count_au AFTER UPDATE OF org_id, asset_type, status, department ON assets
    WHEN old.org_id <> new.org_id OR old.asset_type <> new.asset_type OR old.status <> new.status OR old.department <> new.department
BEGIN
    UPDATE asset_counts SET n = n - 1
        WHERE org_id = old.org_id AND asset_type = old.asset_type AND status = old.status AND department = old.department;
    DELETE FROM asset_counts
        WHERE org_id = old.org_id AND asset_type = old.asset_type AND status = old.status AND department = old.department AND n <= 0;
    INSERT INTO asset_counts (org_id, asset_type, status, department, n)
        VALUES (new.org_id, new.asset_type, new.status, new.department, 1)
        ON CONFLICT (org_id, asset_type, status, department) DO UPDATE SET n = n + 1;
END;

-- 2. Indexes that serve a filter and a sort at once, so a page (even a deep
-- one) walks an index instead of sorting the filtered rows. Every sort ends
-- with id (the tiebreak in asset.Filter.orderBy). The sort-only indexes are
-- rebuilt to end with id for the same reason: (org_id, asset_value, number)
-- could not order by value then id.
DROP INDEX assets_org_name;
DROP INDEX assets_org_updated;
DROP INDEX assets_org_value;
CREATE INDEX assets_org_name ON assets (org_id, name, id);
CREATE INDEX assets_org_updated ON assets (org_id, updated_at, id);
CREATE INDEX assets_org_value ON assets (org_id, asset_value, id);
CREATE INDEX assets_org_system ON assets (org_id, business_system, number);
CREATE INDEX assets_org_type_name ON assets (org_id, asset_type, name, id);
CREATE INDEX assets_org_type_updated ON assets (org_id, asset_type, updated_at, id);
CREATE INDEX assets_org_type_value ON assets (org_id, asset_type, asset_value, id);
CREATE INDEX assets_org_status_name ON assets (org_id, status, name, id);
CREATE INDEX assets_org_status_updated ON assets (org_id, status, updated_at, id);
CREATE INDEX assets_org_status_value ON assets (org_id, status, asset_value, id);
CREATE INDEX assets_org_dept_name ON assets (org_id, department, name, id);
CREATE INDEX assets_org_dept_updated ON assets (org_id, department, updated_at, id);
CREATE INDEX assets_org_dept_value ON assets (org_id, department, asset_value, id);

-- 3. The full-text index per organisation. The org column ("o" and the id)
-- lets a search find and count one organisation's matches inside FTS5,
-- where checking each match's org_id in assets costs a row lookup (~15 ms
-- for the 6k assets that 交换 finds). The prefix option keeps a ready-made
-- list for every prefix of up to 8 characters: FTS5 answers any other
-- prefix query by first copying out the lists of all terms it matches, in
-- full. An address (10.20.16.113) asks for "10"* AND "20"* ..., thousands of
-- terms each (34 ms); a host name (srv-00052.corp.example.cn) for "corp"*
-- AND "example"* ..., terms in every asset (21 ms). With the lists both take
-- 1-5 ms, for about 45% more work indexing a row's terms.
DROP TRIGGER assets_fts_ai;
DROP TRIGGER assets_fts_au;
DROP TRIGGER assets_fts_ad;
DROP TABLE asset_fts;
CREATE VIRTUAL TABLE asset_fts USING fts5(org, terms, tokenize = 'unicode61 remove_diacritics 0', prefix = '1 2 3 4 5 6 7 8');
INSERT INTO asset_fts (rowid, org, terms) SELECT id, 'o' || org_id, search_terms FROM assets;
CREATE TRIGGER assets_fts_ai AFTER INSERT ON assets BEGIN
    INSERT INTO asset_fts (rowid, org, terms) VALUES (new.id, 'o' || new.org_id, new.search_terms);
END;
CREATE TRIGGER assets_fts_au AFTER UPDATE OF org_id, search_terms ON assets BEGIN
    UPDATE asset_fts SET org = 'o' || new.org_id, terms = new.search_terms WHERE rowid = new.id;
END;
CREATE TRIGGER assets_fts_ad AFTER DELETE ON assets BEGIN
    DELETE FROM asset_fts WHERE rowid = old.id;
END;
