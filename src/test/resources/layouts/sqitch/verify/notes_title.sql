-- Verify notes:notes_title on pg

BEGIN;

SELECT title FROM notes WHERE FALSE;

ROLLBACK;
