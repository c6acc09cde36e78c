-- Repeatable migrations (R__name.sql) on a tenant server: where each company stands per repeatable, kept with its
-- ledger rows (version 'R', empty version_key) in the step's transaction. As the home database's
-- db/flotilla/V10__repeatable_state.sql, without the copy bookkeeping; keep them equal.
CREATE TABLE public.repeatable_state (
    company_id  uuid         NOT NULL,
    name        varchar(255) NOT NULL,
    applied     boolean      NOT NULL,   -- the last settling step applied it (a reset rolls it back)
    checksum    char(64),                -- as last applied; kept through a failed run since
    applied_at  timestamptz,
    failed      boolean      NOT NULL,   -- the last attempt failed
    error       text,
    ledger_id   bigint       NOT NULL,   -- the ledger row that last changed this state
    updated_at  timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, name)
);
