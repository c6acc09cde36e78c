-- Every step runs in attempts, each with a short lock_timeout (FLOTILLA_LOCK_TIMEOUTS): how many it took, and the
-- session last seen holding the locks it waited for (pid, application, state, how long its transaction was open and,
-- unless FLOTILLA_LOCK_RECORD_QUERY=false, its query). Rows older than this ran in one attempt.
ALTER TABLE public.migration_ledger ADD COLUMN lock_attempts integer NOT NULL DEFAULT 1;
ALTER TABLE public.migration_ledger ADD COLUMN lock_blocker text;
-- A rollout's lock strategy, as its request said it (null: the configuration's): what a company whose step spent its
-- lock budget becomes ('fail' or 'wait'), each attempt's lock_timeout, the budget and a statement_timeout.
ALTER TABLE public.rollouts ADD COLUMN on_lock_timeout text NOT NULL DEFAULT 'fail'
    CHECK (on_lock_timeout IN ('fail', 'wait'));
ALTER TABLE public.rollouts ADD COLUMN lock_timeouts text[];
ALTER TABLE public.rollouts ADD COLUMN lock_budget text;
ALTER TABLE public.rollouts ADD COLUMN statement_timeout text;
