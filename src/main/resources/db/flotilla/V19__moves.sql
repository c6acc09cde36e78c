-- Moves (POST /api/v1/companies/{id}/move): a company's schema carried to another server while it is in use. One row
-- per move, the job's record: its phase, progress and the write pause it cost. At most one unfinished move per company.
CREATE TABLE public.company_moves (
    id               uuid         PRIMARY KEY,
    company_id       uuid         NOT NULL REFERENCES public.companies (id),
    schema_name      varchar(100) NOT NULL,
    source           varchar(63)  NOT NULL,
    target           varchar(63)  NOT NULL REFERENCES public.tenant_servers (name),
    method           varchar(7)   NOT NULL CHECK (method IN ('logical', 'copy')),
    phase            varchar(12)  NOT NULL DEFAULT 'preparing' CHECK (phase IN
                     ('preparing', 'copying', 'catching-up', 'cutting-over', 'done', 'failed', 'cancelled')),
    cancel_requested boolean      NOT NULL DEFAULT false,
    rows_copied      bigint       NOT NULL DEFAULT 0,
    bytes_copied     bigint       NOT NULL DEFAULT 0,
    estimated_bytes  bigint,
    lag_bytes        bigint,
    pause_ms         bigint,
    -- tables given REPLICA IDENTITY FULL for the move (no primary key): restored at the end, whatever the outcome
    replica_full     text[]       NOT NULL DEFAULT '{}',
    renamed_to       varchar(100),
    error            text,
    owner            varchar(255) NOT NULL,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    finished_at      timestamptz
);

CREATE UNIQUE INDEX company_moves_one_unfinished ON public.company_moves (company_id)
    WHERE phase NOT IN ('done', 'failed', 'cancelled');
CREATE INDEX company_moves_created_idx ON public.company_moves (created_at DESC, id);
