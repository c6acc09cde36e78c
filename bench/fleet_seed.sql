-- Synthesizes a fleet for timing GET /api/v1/fleet and /api/v1/drift: :fleet companies, about :ledger_rows
-- ledger rows, and the migration_state rows the service would have kept beside them.
-- psql variables (set by run.sh): fleet, ledger_rows, and the catalog as array literals from GET /api/v1/migrations:
-- versions, checksums, names, scripts, transactional.
-- Fixed rules, so the right answer is known (the last SELECT prints it):
--   every 20th company  stopped two versions short (pending)
--   every 33rd company  applied version 3 from a file that changed since (drift, a few hundred per 10,000)
--   every 50th (g%50=7) the last attempt at its top version failed (failed, and so pending too)
-- Each company x version has several historical rows (applied / rolled_back / failed), ending applied or failed.
\set ON_ERROR_STOP 1
BEGIN;

CREATE TEMP TABLE cat ON COMMIT DROP AS
SELECT ord::int, v AS version, string_to_array(v, '.')::numeric[] AS version_key, c AS checksum, n AS name,
       s AS script, t AS transactional
FROM unnest(:'versions'::text[], :'checksums'::text[], :'names'::text[], :'scripts'::text[], :'transactional'::boolean[])
     WITH ORDINALITY AS x(v, c, n, s, t, ord);

INSERT INTO public.companies (company_name, schema_name, created_at, updated_at)
SELECT 'Fleet ' || g, 'fl_' || g, now() - make_interval(mins => :fleet - g), now()
FROM generate_series(1, :fleet) g;

CREATE TEMP TABLE plan ON COMMIT DROP AS
SELECT c.id, c.schema_name, x.g,
       CASE WHEN x.g % 20 = 0 THEN k.m - 2 ELSE k.m END AS top,
       x.g % 33 = 0 AS drift,
       x.g % 50 = 7 AS fails,
       k.m
FROM public.companies c
CROSS JOIN LATERAL (SELECT substring(c.schema_name FROM 4)::int AS g) x
CROSS JOIN (SELECT count(*)::int AS m FROM cat) k
WHERE c.schema_name LIKE 'fl\_%';

-- One row per company x version it reached; i numbers them so the ledger rows can be spread evenly.
CREATE TEMP TABLE pairs ON COMMIT DROP AS
SELECT p.*, cat.ord, cat.version, cat.version_key, cat.checksum, cat.name, cat.script, cat.transactional,
       row_number() OVER (ORDER BY p.g, cat.ord) AS i
FROM plan p JOIN cat ON cat.ord <= p.top;

-- Rows per pair: ledger_rows / pairs, the remainder spread one each over the first pairs.
-- Inserted in (version, attempt, company) order, as successive rollouts would have written them, so ids
-- and started_at grow together and a pair's last attempt has its highest id.
INSERT INTO public.migration_ledger (run_id, company_id, schema_name, version, version_key, name, script,
                                     direction, status, checksum, transactional, started_at, finished_at,
                                     duration_ms, error, error_sqlstate, executed_by)
SELECT md5(p.ord || '/' || j)::uuid, p.id, p.schema_name, p.version, p.version_key, p.name, p.script,
       CASE WHEN st.status = 'rolled_back' THEN 'down' ELSE 'up' END, st.status,
       CASE WHEN p.drift AND p.ord = least(3, p.m) THEN encode(sha256(('drift ' || p.g)::bytea), 'hex') ELSE p.checksum END,
       p.transactional, ts.started_at, ts.started_at + make_interval(secs => (20 + p.g % 80) / 1000.0::float8),
       20 + p.g % 80,
       CASE WHEN st.status = 'failed' THEN 'relation "x" already exists' END,
       CASE WHEN st.status = 'failed' THEN '42P07' END,
       'bench'
FROM pairs p
CROSS JOIN (SELECT count(*) AS n FROM pairs) np
CROSS JOIN LATERAL (SELECT greatest(1, :ledger_rows / np.n + CASE WHEN p.i <= :ledger_rows % np.n THEN 1 ELSE 0 END) AS k) kk
CROSS JOIN LATERAL generate_series(1, kk.k) j
CROSS JOIN LATERAL (SELECT CASE WHEN j = kk.k THEN CASE WHEN p.fails AND p.ord = p.top THEN 'failed' ELSE 'applied' END
                                ELSE (ARRAY['applied', 'rolled_back', 'failed'])[1 + (j - 1) % 3] END AS status) st
CROSS JOIN LATERAL (SELECT now() - interval '400 days' + make_interval(days => ((p.ord - 1) * 30 + (j - 1) * 3)::int, secs => p.g::float8)
                    AS started_at) ts
ORDER BY p.ord, j, p.g;

-- The projection, as the service keeps it: the last attempt decides, a failure leaves the version unapplied.
INSERT INTO public.migration_state (company_id, version_key, version, applied, checksum, applied_at, failed, error,
                                    ledger_id, updated_at)
SELECT DISTINCT ON (company_id, version_key) company_id, version_key, version, status = 'applied',
       CASE WHEN status = 'applied' THEN checksum END, CASE WHEN status = 'applied' THEN finished_at END,
       status = 'failed', error, id, finished_at
FROM public.migration_ledger
ORDER BY company_id, version_key, id DESC;

-- What GET /api/v1/fleet must answer, from the rules above (not from the service's query).
\pset format unaligned
\pset tuples_only on
SELECT json_build_object(
         'companies', count(*),
         'upToDate', count(*) FILTER (WHERE NOT fails AND top = m),
         'pending', count(*) FILTER (WHERE fails OR top < m),
         'failed', count(*) FILTER (WHERE fails),
         'drifted', count(*) FILTER (WHERE drift AND least(3, m) <= top),
         'ledgerRows', (SELECT count(*) FROM public.migration_ledger),
         'stateRows', (SELECT count(*) FROM public.migration_state))
FROM plan;
COMMIT;
-- VACUUM as well as ANALYZE: 500,000 fresh rows would otherwise start autovacuum during the timed calls, and a
-- ledger in steady state is vacuumed (hint bits set, visibility map current).
VACUUM ANALYZE public.companies;
VACUUM ANALYZE public.migration_ledger;
VACUUM ANALYZE public.migration_state;
