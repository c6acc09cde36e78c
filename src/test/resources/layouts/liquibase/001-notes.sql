--liquibase formatted sql

--changeset sam:1
--comment: Add the notes table and pg_trgm.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE notes (id bigserial PRIMARY KEY, body text NOT NULL);
--rollback DROP TABLE notes;
