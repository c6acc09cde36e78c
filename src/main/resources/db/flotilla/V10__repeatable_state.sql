-- Repeatable migrations (Flyway's R__name.sql). Their runs are ledger rows like any step, with version 'R' and an
-- empty version_key (no number: every versioned query, which reads or orders by version_key, leaves them out); where
-- each company stands per repeatable is kept here, by name, in the step's transaction, as migration_state is kept
-- per version.
CREATE TABLE public.repeatable_state (
    company_id       uuid         NOT NULL,
    name             varchar(255) NOT NULL,
    applied          boolean      NOT NULL,   -- the last settling step applied it (a reset rolls it back)
    checksum         char(64),                -- as last applied; kept through a failed run since
    applied_at       timestamptz,
    failed           boolean      NOT NULL,   -- the last attempt failed
    error            text,
    ledger_id        bigint       NOT NULL,   -- the ledger row that last changed this state
    server_ledger_id bigint,                  -- as migration_state's (V6): the step's id in its server's own ledger
    updated_at       timestamptz  NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, name)
);

-- A company's shape (V7) covers its repeatables too, so the rollout planner sees, in its one read of the shapes, the
-- companies whose repeatables changed. A shape without repeatables keeps the md5 it had, so existing rows stay right.
ALTER TABLE public.state_shapes ADD COLUMN repeatables text[] NOT NULL DEFAULT '{}';
ALTER TABLE public.state_shapes ADD COLUMN repeatable_checksums text[] NOT NULL DEFAULT '{}';

CREATE OR REPLACE FUNCTION public.flotilla_reshape(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- The ledger's upsert fires the INSERT and the UPDATE trigger, one of them with no rows: half the calls.
    IF cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    -- Lock the companies' rows first (made if missing), then read their state in a statement of its own: a second
    -- writer of the same company queues here and then sees the first one's committed state.
    INSERT INTO public.company_shapes (company_id, shape, failed)
    SELECT DISTINCT i, '', false FROM unnest(ids) i ORDER BY 1 ON CONFLICT DO NOTHING;
    PERFORM 1 FROM public.company_shapes WHERE company_id = ANY (ids) ORDER BY company_id FOR UPDATE;
    WITH agg AS (
        SELECT i.id AS company_id,
               coalesce(array_agg(s.version::text ORDER BY s.version_key) FILTER (WHERE s.applied), '{}') AS versions,
               coalesce(array_agg(rtrim(s.checksum) ORDER BY s.version_key) FILTER (WHERE s.applied), '{}') AS checksums,
               coalesce(bool_or(s.failed), false) AS failed
        FROM (SELECT DISTINCT unnest(ids)) AS i(id)
        LEFT JOIN public.migration_state s ON s.company_id = i.id
        GROUP BY i.id),
    rep AS (
        SELECT i.id AS company_id,
               -- one whose last run failed counts as not applied: it runs again, as a failed version does
               coalesce(array_agg(r.name::text ORDER BY r.name) FILTER (WHERE r.applied AND NOT r.failed), '{}') AS repeatables,
               coalesce(array_agg(rtrim(r.checksum) ORDER BY r.name) FILTER (WHERE r.applied AND NOT r.failed), '{}')
                   AS repeatable_checksums,
               coalesce(bool_or(r.failed), false) AS failed
        FROM (SELECT DISTINCT unnest(ids)) AS i(id)
        LEFT JOIN public.repeatable_state r ON r.company_id = i.id
        GROUP BY i.id),
    keyed AS (
        SELECT a.company_id, a.versions, a.checksums, r.repeatables, r.repeatable_checksums, a.failed OR r.failed AS failed,
               md5(array_to_string(a.versions, ',') || '|' || array_to_string(a.checksums, ',')
                   || CASE WHEN cardinality(r.repeatables) = 0 THEN ''
                      ELSE '|R|' || array_to_string(r.repeatables, ',') || '|' || array_to_string(r.repeatable_checksums, ',')
                      END)::char(32) AS shape
        FROM agg a JOIN rep r ON r.company_id = a.company_id),
    shapes AS (
        INSERT INTO public.state_shapes (shape, versions, checksums, repeatables, repeatable_checksums)
        SELECT DISTINCT ON (shape) shape, versions, checksums, repeatables, repeatable_checksums FROM keyed
        ON CONFLICT DO NOTHING)
    UPDATE public.company_shapes c SET shape = k.shape, failed = k.failed
    FROM keyed k WHERE c.company_id = k.company_id AND (c.shape <> k.shape OR c.failed <> k.failed);
END $$;

CREATE TRIGGER repeatable_state_shape_insert AFTER INSERT ON public.repeatable_state
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.flotilla_state_changed();
CREATE TRIGGER repeatable_state_shape_update AFTER UPDATE ON public.repeatable_state
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.flotilla_state_changed();
CREATE TRIGGER repeatable_state_shape_delete AFTER DELETE ON public.repeatable_state
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.flotilla_state_changed();
