-- Where every company stands per version: a projection of the ledger kept in the same transaction as each
-- step, so fleet-wide views and plans read 10,000 companies without scanning the whole ledger.
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

INSERT INTO public.migration_state (company_id, version_key, version, applied, checksum, applied_at, failed, ledger_id)
SELECT DISTINCT ON (company_id, version_key) company_id, version_key, version, status = 'applied',
       CASE WHEN status = 'applied' THEN checksum END, CASE WHEN status = 'applied' THEN finished_at END, false, id
FROM public.migration_ledger
WHERE status IN ('applied', 'rolled_back')
ORDER BY company_id, version_key, id DESC;

-- A rollout: one direction, one target version, a set of companies in waves.
CREATE TABLE public.rollouts (
    id             uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    direction      varchar(4)   NOT NULL CHECK (direction IN ('up', 'down')),
    target_version varchar(64),
    state          varchar(20)  NOT NULL
                   CHECK (state IN ('pending', 'running', 'paused', 'succeeded', 'failed', 'cancelled')),
    canary_count   integer      NOT NULL DEFAULT 0,
    batch_size     integer,
    max_parallel   integer      NOT NULL,
    max_failures   integer      NOT NULL,
    allow_drift    boolean      NOT NULL DEFAULT false,
    total_targets  integer      NOT NULL,
    waves          integer      NOT NULL,
    current_wave   integer      NOT NULL DEFAULT 0,
    owner          varchar(255),
    heartbeat_at   timestamptz,
    error          text,
    request        jsonb        NOT NULL,
    created_at     timestamptz  NOT NULL DEFAULT now(),
    started_at     timestamptz,
    finished_at    timestamptz,
    updated_at     timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX rollouts_created_idx ON public.rollouts (created_at DESC);
CREATE INDEX rollouts_open_idx ON public.rollouts (created_at) WHERE state IN ('pending', 'running');

-- One company of a rollout. "active" while the rollout may still touch it: at most one active rollout per company.
CREATE TABLE public.rollout_targets (
    rollout_id     uuid         NOT NULL REFERENCES public.rollouts (id) ON DELETE CASCADE,
    company_id     uuid         NOT NULL,
    schema_name    varchar(100) NOT NULL,
    wave           integer      NOT NULL,
    position       integer      NOT NULL,
    status         varchar(20)  NOT NULL
                   CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled')),
    active         boolean      NOT NULL DEFAULT true,
    steps          integer      NOT NULL DEFAULT 0,
    versions       text[]       NOT NULL DEFAULT '{}',
    failed_version varchar(64),
    error          text,
    error_sqlstate varchar(5),
    started_at     timestamptz,
    finished_at    timestamptz,
    PRIMARY KEY (rollout_id, company_id)
);
CREATE UNIQUE INDEX rollout_targets_one_active_idx ON public.rollout_targets (company_id) WHERE active;
CREATE INDEX rollout_targets_wave_idx ON public.rollout_targets (rollout_id, wave, position);
