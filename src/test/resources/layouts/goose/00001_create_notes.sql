-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL);

-- +goose Down
DROP TABLE notes;
