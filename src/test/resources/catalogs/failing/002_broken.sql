-- Fails half-way, inside the file's own BEGIN … COMMIT wrap (taken off when the catalog is read): the table it
-- creates must be rolled back with it and with its ledger row.
BEGIN;
CREATE TABLE broken (id int);
SELECT 1 / 0;
COMMIT;
