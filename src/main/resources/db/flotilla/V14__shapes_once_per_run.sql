-- Shapes brought up to date once per company run instead of once per step (issue 19: the step path within 1.1x of
-- plain psql). The triggers of V7/V10 recomputed a company's shape in every step's transaction, which cost about as
-- much as the step's own ledger record. A migrator now runs a company's steps but the last with
-- flotilla.shapes = 'later' (SET LOCAL, in the step's transaction): the triggers stand aside, and the step marks the
-- company's shape stale in the same transaction instead. The run's last step (or its failure's record) runs the
-- triggers as before, which recompute the shape and clear the mark. A mark left by a process that died mid-run is
-- cleared by the next reader: the planner and the fleet views call flotilla_reshape_stale() before they read.
ALTER TABLE public.company_shapes ADD COLUMN stale boolean NOT NULL DEFAULT false;
-- Readers look for marks on every call; only companies mid-run (or left by a dead process) have one.
CREATE INDEX company_shapes_stale_idx ON public.company_shapes (company_id) WHERE stale;

-- As in V10, and a recomputed shape is no longer stale. The mark is written under the row lock this function takes
-- first, so a recomputation never clears a mark whose step it did not see: a marking step waits for the lock (and
-- commits after this recomputation, marking again), or the recomputation waits for the marking step's commit and
-- then reads its state in a later statement, with a newer snapshot.
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
    UPDATE public.company_shapes c SET shape = k.shape, failed = k.failed, stale = false
    FROM keyed k WHERE c.company_id = k.company_id AND (c.shape <> k.shape OR c.failed <> k.failed OR c.stale);
END $$;

CREATE FUNCTION public.flotilla_reshape_stale() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[] := ARRAY(SELECT company_id FROM public.company_shapes WHERE stale ORDER BY 1);
BEGIN
    PERFORM public.flotilla_reshape(ids);
    RETURN cardinality(ids);
END $$;

DROP TRIGGER migration_state_shape_insert ON public.migration_state;
DROP TRIGGER migration_state_shape_update ON public.migration_state;
DROP TRIGGER migration_state_shape_delete ON public.migration_state;
DROP TRIGGER repeatable_state_shape_insert ON public.repeatable_state;
DROP TRIGGER repeatable_state_shape_update ON public.repeatable_state;
DROP TRIGGER repeatable_state_shape_delete ON public.repeatable_state;
CREATE TRIGGER migration_state_shape_insert AFTER INSERT ON public.migration_state REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN (current_setting('flotilla.shapes', true) IS DISTINCT FROM 'later')
    EXECUTE FUNCTION public.flotilla_state_changed();
CREATE TRIGGER migration_state_shape_update AFTER UPDATE ON public.migration_state REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN (current_setting('flotilla.shapes', true) IS DISTINCT FROM 'later')
    EXECUTE FUNCTION public.flotilla_state_changed();
CREATE TRIGGER migration_state_shape_delete AFTER DELETE ON public.migration_state REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT WHEN (current_setting('flotilla.shapes', true) IS DISTINCT FROM 'later')
    EXECUTE FUNCTION public.flotilla_state_changed();
CREATE TRIGGER repeatable_state_shape_insert AFTER INSERT ON public.repeatable_state REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN (current_setting('flotilla.shapes', true) IS DISTINCT FROM 'later')
    EXECUTE FUNCTION public.flotilla_state_changed();
CREATE TRIGGER repeatable_state_shape_update AFTER UPDATE ON public.repeatable_state REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN (current_setting('flotilla.shapes', true) IS DISTINCT FROM 'later')
    EXECUTE FUNCTION public.flotilla_state_changed();
CREATE TRIGGER repeatable_state_shape_delete AFTER DELETE ON public.repeatable_state REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT WHEN (current_setting('flotilla.shapes', true) IS DISTINCT FROM 'later')
    EXECUTE FUNCTION public.flotilla_state_changed();
