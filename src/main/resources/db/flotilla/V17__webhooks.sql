-- Webhook subscriptions and their deliveries (issue 23, notifications). A delivery row is written for each
-- subscription wanting an event once the event's own change has committed; a sender on every replica claims due rows
-- with FOR UPDATE SKIP LOCKED and a lease (next_attempt_at moved ahead), so one replica sends each, also after a
-- restart. The payload is kept as sent: every retry signs and sends the same bytes.
CREATE TABLE IF NOT EXISTS public.webhook_subscriptions (
    id          uuid PRIMARY KEY,
    url         text NOT NULL,
    events      text[] NOT NULL,
    secret      text NOT NULL,
    slack       boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS public.webhook_deliveries (
    id              uuid PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES public.webhook_subscriptions (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    payload         text NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_status     integer,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    delivered_at    timestamptz
);

CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON public.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_subscription ON public.webhook_deliveries (subscription_id, created_at DESC);
