-- Revert notes:notes_body_trgm from pg

DROP INDEX CONCURRENTLY IF EXISTS notes_body_trgm;
