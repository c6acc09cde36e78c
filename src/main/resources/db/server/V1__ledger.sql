-- Flotilla's own tables on a tenant server other than home: the ledger of the steps taken on the schemas that live
-- here and the per-version projection of it. Columns, checks and indexes as the home database's
-- db/flotilla/V2__migration_ledger.sql and the migration_state part of V3__rollouts_and_state.sql; keep them equal.
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

-- Where every company stands per version: a projection of the ledger kept in the same transaction as each step.
CREATE TABLE public.migration_state (
    company_id  uuid        NOT NULL,
    version_key numeric[]   NOT NULL,
    version     varchar(64) NOT NULL,
    applied     boolean     NOT NULL,
    checksum    char(64),               -- of the file as applied; null when not applied
    applied_at  timestamptz,
    failed      boolean     NOT NULL,   -- the last attempt failed
    error       text,
    ledger_id   bigint      NOT NULL,   -- the ledger row that last changed this state
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, version_key)
);
