-- SQLite: an FTS5 index over assets.search_terms, kept in step by triggers.
-- The terms are already split by Bulwark (words and Chinese bigrams), so the
-- unicode61 tokenizer only splits on the spaces between them.
CREATE VIRTUAL TABLE asset_fts USING fts5(terms, tokenize = 'unicode61 remove_diacritics 0');
CREATE TRIGGER assets_fts_ai AFTER INSERT ON assets BEGIN
    INSERT INTO asset_fts (rowid, terms) VALUES (new.id, new.search_terms);
END;
CREATE TRIGGER assets_fts_au AFTER UPDATE OF search_terms ON assets BEGIN
    UPDATE asset_fts SET terms = new.search_terms WHERE rowid = new.id;
END;
CREATE TRIGGER assets_fts_ad AFTER DELETE ON assets BEGIN
    DELETE FROM asset_fts WHERE rowid = old.id;
END;
