-- flotilla_readonly: what a Grafana PostgreSQL data source (or any dashboard) may read, and nothing more: USAGE on
-- schema public and SELECT on the ledger, the companies and the per-version state. NOLOGIN: an operator gives it a
-- password and LOGIN, or grants it to a login role of their own (README, Monitoring > Grafana).
--
-- Roles belong to the whole cluster, grants to one database: the role is made once, if missing, and every database
-- Flotilla migrates grants to it. A service user without CREATEROLE (the usual managed-PostgreSQL set-up) skips
-- with a NOTICE, and so does a grant on a table this user does not own (an adopted companies table): the service
-- starts either way, and the README shows the statements to run as an administrator.
DO $$
DECLARE
    readable text[] := ARRAY['public.migration_ledger', 'public.companies', 'public.migration_state'];
    tbl text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flotilla_readonly') THEN
        BEGIN
            CREATE ROLE flotilla_readonly NOLOGIN;
        EXCEPTION
            -- Another database of the same cluster made it at the same moment: it exists now, which is all we need.
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'flotilla_readonly not created: % lacks CREATEROLE (README, Monitoring > Grafana)',
                    current_user;
                RETURN;
        END;
    END IF;
    BEGIN
        GRANT USAGE ON SCHEMA public TO flotilla_readonly;
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'USAGE on schema public not granted to flotilla_readonly: %', SQLERRM;
    END;
    FOREACH tbl IN ARRAY readable LOOP
        BEGIN
            EXECUTE format('GRANT SELECT ON %s TO flotilla_readonly', tbl);
        EXCEPTION WHEN insufficient_privilege THEN
            RAISE NOTICE 'SELECT on % not granted to flotilla_readonly: %', tbl, SQLERRM;
        END;
    END LOOP;
END
$$;
