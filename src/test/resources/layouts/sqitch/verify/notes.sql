-- Verify notes:notes on pg

BEGIN;

SELECT id, body FROM notes WHERE FALSE;

ROLLBACK;
