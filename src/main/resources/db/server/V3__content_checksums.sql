-- As home's db/flotilla/V11__content_checksums.sql (V2 is left to the repeatable scripts' state).
ALTER TABLE public.migration_ledger ADD COLUMN content_checksum char(64);
ALTER TABLE public.migration_state ADD COLUMN content_checksum char(64);
