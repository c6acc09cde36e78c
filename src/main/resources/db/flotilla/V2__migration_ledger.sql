-- Every step Flotilla takes on a tenant schema: the source of truth for what is applied.
CREATE TABLE public.migration_ledger (
    id             bigserial    PRIMARY KEY,
    run_id         uuid         NOT NULL,
    company_id     uuid         NOT NULL,
    schema_name    varchar(100) NOT NULL,
    version        varchar(64)  NOT NULL,
    -- numeric parts of the version, so SQL orders 1.10 after 1.2 as the catalog does
    version_key    numeric[]    NOT NULL,
    name           varchar(255) NOT NULL,
    script         varchar(255) NOT NULL,
    direction      varchar(4)   NOT NULL CHECK (direction IN ('up', 'down')),
    status         varchar(20)  NOT NULL CHECK (status IN ('running', 'applied', 'failed', 'rolled_back')),
    checksum       char(64)     NOT NULL,
    transactional  boolean      NOT NULL,
    started_at     timestamptz  NOT NULL DEFAULT clock_timestamp(),
    finished_at    timestamptz,
    duration_ms    bigint,
    error          text,
    error_sqlstate varchar(5),
    error_position integer,
    executed_by    varchar(255) NOT NULL
);

COMMENT ON TABLE public.migration_ledger IS
    'One row per migration step on a tenant schema; status running -> applied | rolled_back | failed';

-- latest state per company and version
CREATE INDEX migration_ledger_company_version_idx
    ON public.migration_ledger (company_id, version_key, id DESC);
-- dashboards by time
CREATE INDEX migration_ledger_started_idx ON public.migration_ledger (started_at DESC);
-- steps of one run or rollout
CREATE INDEX migration_ledger_run_idx ON public.migration_ledger (run_id);
-- what needs attention
CREATE INDEX migration_ledger_open_idx ON public.migration_ledger (status, id)
    WHERE status IN ('running', 'failed');
