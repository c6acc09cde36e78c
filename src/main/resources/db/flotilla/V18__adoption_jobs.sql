-- Fleet adoption (POST /api/v1/companies/adopt): one row per job and one per schema it decided, so that
-- GET /api/v1/adoptions/{id} shows progress (results so far against total) and each schema's outcome. A dry run
-- records nothing, here or anywhere.
CREATE TABLE public.adoption_jobs (
    id            uuid         PRIMARY KEY,
    server        varchar(63)  NOT NULL,
    all_schemas   boolean      NOT NULL,
    max_parallel  int          NOT NULL,
    total         int          NOT NULL,
    state         varchar(12)  NOT NULL CHECK (state IN ('running', 'finished', 'failed')),
    scratch_builds int,                    -- expected shapes built (one per distinct versions and template values)
    error         text,
    started_at    timestamptz  NOT NULL DEFAULT now(),
    finished_at   timestamptz
);

CREATE TABLE public.adoption_job_results (
    job_id        uuid         NOT NULL REFERENCES public.adoption_jobs (id) ON DELETE CASCADE,
    schema_name   varchar(100) NOT NULL,
    company_name  text         NOT NULL,
    outcome       varchar(16)  NOT NULL CHECK (outcome IN ('adopted', 'refused', 'already-adopted', 'failed')),
    company_id    uuid,
    tool          varchar(20),
    versions      int,
    drifted       boolean      NOT NULL DEFAULT false,
    refusals      jsonb,                   -- the reasons, when refused
    error_code    varchar(40),             -- when failed: the problem's code (schema-busy, server-unavailable, ...)
    detail        text,
    decided_at    timestamptz  NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (job_id, schema_name)
);
