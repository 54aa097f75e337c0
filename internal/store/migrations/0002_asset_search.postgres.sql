-- PostgreSQL: a GIN index over the same pre-split terms. array_to_tsvector
-- takes the terms verbatim (no parser, no locale), so Chinese bigrams index
-- exactly as on SQLite.
CREATE INDEX assets_search ON assets USING GIN (array_to_tsvector(string_to_array(search_terms, ' ')));
