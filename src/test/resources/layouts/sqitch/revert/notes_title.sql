-- Revert notes:notes_title from pg

BEGIN;

DROP INDEX notes_title_trgm;
ALTER TABLE notes DROP COLUMN title;

COMMIT;
