-- Maintenance runs over every server's companies: each company's step records the server its schema is on, and a
-- company whose server is offline or cannot be reached is recorded as skipped (with the reason), not failed.
ALTER TABLE public.maintenance_steps ADD COLUMN server varchar(63) NOT NULL DEFAULT 'home';
ALTER TABLE public.maintenance_steps DROP CONSTRAINT maintenance_steps_status_check;
ALTER TABLE public.maintenance_steps ADD CONSTRAINT maintenance_steps_status_check
    CHECK (status IN ('succeeded', 'failed', 'skipped'));
ALTER TABLE public.maintenance_runs ADD COLUMN skipped integer NOT NULL DEFAULT 0;
