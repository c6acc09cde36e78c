-- Scheduled rollouts (issue 23): POST /rollouts with "startAt" stores the rollout as 'scheduled' with no targets;
-- a clustered Quartz trigger at start_at plans it then (the fleet may have changed) and hands it to the workers.
ALTER TABLE public.rollouts DROP CONSTRAINT rollouts_state_check;
ALTER TABLE public.rollouts ADD CONSTRAINT rollouts_state_check
    CHECK (state IN ('scheduled', 'pending', 'running', 'paused', 'succeeded', 'failed', 'cancelled'));
ALTER TABLE public.rollouts ADD COLUMN start_at timestamptz;
