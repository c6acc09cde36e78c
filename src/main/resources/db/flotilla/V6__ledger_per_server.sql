-- Schemas on several servers. Every server records its steps in a ledger of its own, in the migration's transaction
-- (db/server/V1); the home ledger receives a copy of each for dashboards and fleet views, keyed by server and the
-- step's id there, so that copying again (after a crash between the server's commit and the copy) changes nothing.
ALTER TABLE public.migration_ledger ADD COLUMN server varchar(63) NOT NULL DEFAULT 'home';
ALTER TABLE public.migration_ledger ADD COLUMN server_step_id bigint;
CREATE UNIQUE INDEX migration_ledger_server_step_idx
    ON public.migration_ledger (server, server_step_id) WHERE server_step_id IS NOT NULL;

-- A rollout's companies per server; "waiting": its server cannot be reached, the rollout finishes it when it can.
ALTER TABLE public.rollout_targets ADD COLUMN server varchar(63) NOT NULL DEFAULT 'home';
ALTER TABLE public.rollout_targets DROP CONSTRAINT rollout_targets_status_check;
ALTER TABLE public.rollout_targets ADD CONSTRAINT rollout_targets_status_check
    CHECK (status IN ('pending', 'running', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled'));
ALTER TABLE public.rollouts ADD COLUMN max_parallel_per_server integer;
ALTER TABLE public.rollouts ADD COLUMN max_failures_per_server integer;

-- The id, in its server's own ledger, of the step that last changed a copied state row: copies may arrive out of
-- order (a step's own copy and the periodic reconciliation), and the later step must win.
ALTER TABLE public.migration_state ADD COLUMN server_ledger_id bigint;
