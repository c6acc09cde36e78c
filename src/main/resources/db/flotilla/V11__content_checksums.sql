-- The checksum of what a step ran without its file's layout (statements only, no comments or whitespace), next to
-- the file's own: a catalog renamed into another layout (a goose file split into NNN_name.sql and its rollback) keeps
-- its applied state when only the layout changed. Null for rows written before; filled at start-up where the file is
-- unchanged (ledger.ChecksumAdoption).
ALTER TABLE public.migration_ledger ADD COLUMN content_checksum char(64);
ALTER TABLE public.migration_state ADD COLUMN content_checksum char(64);
