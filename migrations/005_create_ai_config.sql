-- Create the ai_config table (per-tenant embedding model settings) with updated_at trigger and tenant row-level security.
-- flotilla:default embedding_dimensions=1536

CREATE TABLE ai_config (
    tenant_id             uuid        PRIMARY KEY,
    embedding_model       text        NOT NULL DEFAULT 'text-embedding-3-small',
    embedding_dimensions  integer     NOT NULL DEFAULT ${embedding_dimensions}
                                      CONSTRAINT ai_config_embedding_dimensions_check
                                      CHECK (embedding_dimensions > 0),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

COMMENT ON COLUMN ai_config.embedding_dimensions IS
    'Embedding vector length. Column default comes from the per-tenant setting embedding_dimensions (1536 unless overridden); applied here as ${embedding_dimensions}.';

CREATE TRIGGER ai_config_set_updated_at
    BEFORE UPDATE ON ai_config
    FOR EACH ROW
    EXECUTE FUNCTION ${schema}.set_updated_at();

ALTER TABLE ai_config ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON ai_config
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
