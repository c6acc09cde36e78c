-- Companies grouped by what they have applied, for views and plans over the whole fleet. A company's "shape" is
-- its applied versions with the checksum each was applied with; a fleet of 10,000 companies has a handful of
-- shapes, so the fleet view and the rollout planner compare a handful of shapes with the catalog instead of
-- aggregating 100,000 migration_state rows on every call. Triggers on migration_state keep both tables in the
-- transaction that changes the state (the step's own), so they are exactly as current as migration_state.
CREATE TABLE public.state_shapes (
    shape     char(32) PRIMARY KEY,    -- md5 of the versions and checksums
    versions  text[]   NOT NULL,       -- applied versions, in version order
    checksums text[]   NOT NULL        -- the checksum each was applied with, trimmed
);

CREATE TABLE public.company_shapes (
    company_id uuid     PRIMARY KEY,
    shape      char(32) NOT NULL,
    failed     boolean  NOT NULL       -- the last attempt at some version failed
);

CREATE FUNCTION public.flotilla_reshape(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
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
    keyed AS (
        SELECT a.*, md5(array_to_string(a.versions, ',') || '|' || array_to_string(a.checksums, ','))::char(32) AS shape
        FROM agg a),
    shapes AS (
        INSERT INTO public.state_shapes (shape, versions, checksums)
        SELECT DISTINCT ON (shape) shape, versions, checksums FROM keyed
        ON CONFLICT DO NOTHING)
    UPDATE public.company_shapes c SET shape = k.shape, failed = k.failed
    FROM keyed k WHERE c.company_id = k.company_id AND (c.shape <> k.shape OR c.failed <> k.failed);
END $$;

-- Statement-level, with the changed rows as transition tables: one recomputation per statement, whether it
-- changed one state row (a step) or a hundred thousand (a backfill).
CREATE FUNCTION public.flotilla_state_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM public.flotilla_reshape(ARRAY(SELECT DISTINCT company_id FROM new_rows));
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM public.flotilla_reshape(ARRAY(SELECT company_id FROM new_rows UNION SELECT company_id FROM old_rows));
    ELSE
        PERFORM public.flotilla_reshape(ARRAY(SELECT DISTINCT company_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER migration_state_shape_insert AFTER INSERT ON public.migration_state
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.flotilla_state_changed();
CREATE TRIGGER migration_state_shape_update AFTER UPDATE ON public.migration_state
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION public.flotilla_state_changed();
CREATE TRIGGER migration_state_shape_delete AFTER DELETE ON public.migration_state
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION public.flotilla_state_changed();

SELECT public.flotilla_reshape(ARRAY(SELECT DISTINCT company_id FROM public.migration_state));

-- Companies a rollout found up to date: counted (as skipped), not stored one row each in rollout_targets.
ALTER TABLE public.rollouts ADD COLUMN up_to_date integer NOT NULL DEFAULT 0;
