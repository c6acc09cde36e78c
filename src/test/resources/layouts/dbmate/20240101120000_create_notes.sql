-- migrate:up
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL);

-- migrate:down
DROP TABLE notes;
