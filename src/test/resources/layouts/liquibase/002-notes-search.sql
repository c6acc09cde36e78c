--liquibase formatted sql

--changeset sam:2 runInTransaction:false
--comment: Index note bodies without locking writes.
CREATE INDEX CONCURRENTLY notes_body_trgm ON notes USING gin (body gin_trgm_ops);
--rollback DROP INDEX CONCURRENTLY IF EXISTS notes_body_trgm;

--changeset sam:3
--comment: Add titles with a trigram index.
ALTER TABLE notes ADD COLUMN title text;
CREATE INDEX notes_title_trgm ON notes USING gist (title gist_trgm_ops);
--rollback DROP INDEX notes_title_trgm;
--rollback ALTER TABLE notes DROP COLUMN title;
