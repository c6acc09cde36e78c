-- Maintenance windows per company and a rollout's deadline (issue 23). A company with a row here is worked on (by
-- rollouts and the maintenance jobs) only inside its weekly ranges, local times of time_zone; without one, at any
-- time. ranges: one text per weekly range, "mon,tue,wed 01:00-05:00" (days it opens on, local from-to; a to before
-- from crosses midnight), checked by window.WindowRules. text[], not jsonb: Hibernate Reactive maps a jsonb array badly.
CREATE TABLE IF NOT EXISTS public.company_windows (
    company_id uuid PRIMARY KEY REFERENCES public.companies (id) ON DELETE CASCADE,
    time_zone  text NOT NULL,
    ranges     text[] NOT NULL CHECK (cardinality(ranges) > 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- strategy.deadline: after it no company starts; those not reached are cancelled and the rollout ends.
ALTER TABLE public.rollouts ADD COLUMN IF NOT EXISTS deadline timestamptz;
