-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX CONCURRENTLY notes_body_trgm ON notes USING gin (body gin_trgm_ops);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS notes_body_trgm;
