-- Create the usage_metrics table (daily token and request counts per model) with tenant row-level security.

CREATE TABLE usage_metrics (
    id                 bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id          uuid    NOT NULL,
    metric_date        date    NOT NULL,
    model              text    NOT NULL,
    prompt_tokens      bigint  NOT NULL DEFAULT 0
                               CONSTRAINT usage_metrics_prompt_tokens_check CHECK (prompt_tokens >= 0),
    completion_tokens  bigint  NOT NULL DEFAULT 0
                               CONSTRAINT usage_metrics_completion_tokens_check CHECK (completion_tokens >= 0),
    request_count      integer NOT NULL DEFAULT 0
                               CONSTRAINT usage_metrics_request_count_check CHECK (request_count >= 0),
    CONSTRAINT usage_metrics_tenant_date_model_key UNIQUE (tenant_id, metric_date, model)
);

COMMENT ON TABLE usage_metrics IS 'Daily usage rollup per model; upserted ON CONFLICT (tenant_id, metric_date, model).';

ALTER TABLE usage_metrics ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON usage_metrics
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
