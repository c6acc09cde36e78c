-- Brings the fleet_seed.sql fleet up to date for the no-op rollout: every company x catalog version that is not
-- applied with the catalog's checksum (pending, failed last attempt, drifted) gets an applied ledger row with the
-- catalog's checksum, and migration_state follows it as the service keeps it. A rollout then has nothing to do.
-- psql variables (set by run.sh): the catalog as array literals, as for fleet_seed.sql.
\set ON_ERROR_STOP 1
BEGIN;

CREATE TEMP TABLE cat ON COMMIT DROP AS
SELECT v AS version, string_to_array(v, '.')::numeric[] AS version_key, c AS checksum, n AS name, s AS script,
       t AS transactional
FROM unnest(:'versions'::text[], :'checksums'::text[], :'names'::text[], :'scripts'::text[], :'transactional'::boolean[])
     AS x(v, c, n, s, t);

WITH l AS (
  INSERT INTO public.migration_ledger (run_id, company_id, schema_name, version, version_key, name, script, direction,
                                       status, checksum, transactional, started_at, finished_at, duration_ms, executed_by)
  SELECT md5('uptodate')::uuid, c.id, c.schema_name, cat.version, cat.version_key, cat.name, cat.script, 'up', 'applied',
         cat.checksum, cat.transactional, now(), now(), 1, 'bench'
  FROM public.companies c
  CROSS JOIN cat
  LEFT JOIN public.migration_state s ON s.company_id = c.id AND s.version_key = cat.version_key
  WHERE c.schema_name LIKE 'fl\_%'
    AND (s.company_id IS NULL OR NOT s.applied OR s.failed OR s.checksum IS DISTINCT FROM cat.checksum::char(64))
  ORDER BY c.id, cat.version_key
  RETURNING id, company_id, version_key, version, checksum, finished_at)
INSERT INTO public.migration_state AS s (company_id, version_key, version, applied, checksum, applied_at, failed, error,
                                         ledger_id, updated_at)
SELECT company_id, version_key, version, true, checksum, finished_at, false, NULL, id, finished_at FROM l
ON CONFLICT (company_id, version_key) DO UPDATE SET applied = true, checksum = EXCLUDED.checksum,
  applied_at = EXCLUDED.applied_at, failed = false, error = NULL, ledger_id = EXCLUDED.ledger_id,
  updated_at = EXCLUDED.updated_at;

\pset format unaligned
\pset tuples_only on
-- Companies still short of the catalog (must be 0), and the state rows now.
SELECT json_build_object(
         'notUpToDate', (SELECT count(*) FROM public.companies c WHERE c.schema_name LIKE 'fl\_%' AND
                           (SELECT count(*) FROM public.migration_state s JOIN cat ON cat.version_key = s.version_key
                            WHERE s.company_id = c.id AND s.applied AND NOT s.failed
                              AND s.checksum = cat.checksum::char(64)) < (SELECT count(*) FROM cat)),
         'stateRows', (SELECT count(*) FROM public.migration_state),
         'ledgerRows', (SELECT count(*) FROM public.migration_ledger));
COMMIT;
VACUUM ANALYZE public.migration_ledger;
VACUUM ANALYZE public.migration_state;
