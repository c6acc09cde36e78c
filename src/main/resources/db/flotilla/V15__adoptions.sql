-- Adoption (POST /api/v1/companies with "adopt": true): a schema another tool migrated becomes a company without
-- running a migration. Each version its history says is applied is recorded as an 'adopted' step, which counts as
-- applied everywhere an 'applied' step does. Server ledgers get the same status in db/server/V5__adopted_steps.sql.
ALTER TABLE public.migration_ledger DROP CONSTRAINT migration_ledger_status_check;
ALTER TABLE public.migration_ledger ADD CONSTRAINT migration_ledger_status_check
    CHECK (status IN ('running', 'applied', 'failed', 'rolled_back', 'adopted'));

-- One row per adopted company, written in the transaction that writes its company row: what was read, and, when the
-- request accepted drift, what the verification found different.
CREATE TABLE public.adoptions (
    company_id    uuid         PRIMARY KEY,
    server        varchar(63)  NOT NULL,
    schema_name   varchar(100) NOT NULL,
    tool          varchar(20)  NOT NULL,   -- flyway, golang-migrate, dbmate, goose, prisma, liquibase, or baseline
    history_table text,                    -- null for a baseline
    run_id        uuid         NOT NULL,   -- the ledger rows' run
    versions      text[]       NOT NULL,
    drifted       boolean      NOT NULL,
    differences   jsonb,                   -- the verification, when drifted
    adopted_at    timestamptz  NOT NULL DEFAULT now()
);
