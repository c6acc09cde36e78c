-- Revert notes:notes from pg

BEGIN;

DROP TABLE notes;

COMMIT;
