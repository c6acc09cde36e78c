-- Create the conversations table, the shared updated_at trigger function, and tenant row-level security.

-- Generic trigger function that stamps updated_at on every UPDATE.
-- Created explicitly in the tenant schema so each tenant owns its own copy.
CREATE FUNCTION ${schema}.set_updated_at()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE conversations (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id   uuid        NOT NULL,
    title       text,
    status      text        NOT NULL DEFAULT 'active'
                            CONSTRAINT conversations_status_check
                            CHECK (status IN ('active', 'archived', 'deleted')),
    metadata    jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE conversations IS 'Chat conversations; one row per chat thread.';

CREATE INDEX conversations_tenant_created_idx
    ON conversations (tenant_id, created_at DESC);

CREATE TRIGGER conversations_set_updated_at
    BEFORE UPDATE ON conversations
    FOR EACH ROW
    EXECUTE FUNCTION ${schema}.set_updated_at();

ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON conversations
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
