-- As home's db/flotilla/V13__lock_attempts.sql.
ALTER TABLE public.migration_ledger ADD COLUMN lock_attempts integer NOT NULL DEFAULT 1;
ALTER TABLE public.migration_ledger ADD COLUMN lock_blocker text;
