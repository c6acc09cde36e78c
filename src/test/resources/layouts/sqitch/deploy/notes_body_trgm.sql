-- Deploy notes:notes_body_trgm to pg
-- requires: notes

-- No BEGIN/COMMIT: CREATE INDEX CONCURRENTLY cannot run in a transaction.
CREATE INDEX CONCURRENTLY notes_body_trgm ON notes USING gin (body gin_trgm_ops);
