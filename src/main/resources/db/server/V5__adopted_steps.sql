-- As home's db/flotilla/V15__adoptions.sql: an adopted step counts as applied.
ALTER TABLE public.migration_ledger DROP CONSTRAINT migration_ledger_status_check;
ALTER TABLE public.migration_ledger ADD CONSTRAINT migration_ledger_status_check
    CHECK (status IN ('running', 'applied', 'failed', 'rolled_back', 'adopted'));
