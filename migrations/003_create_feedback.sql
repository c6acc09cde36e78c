-- Create the feedback table (user ratings of assistant messages) with updated_at trigger and tenant row-level security.

CREATE TABLE feedback (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    message_id  uuid        NOT NULL
                            REFERENCES messages (id) ON DELETE CASCADE,
    tenant_id   uuid        NOT NULL,
    rating      smallint    NOT NULL
                            CONSTRAINT feedback_rating_check
                            CHECK (rating BETWEEN 1 AND 5),
    comment     text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

COMMENT ON COLUMN feedback.rating IS 'User rating from 1 (poor) to 5 (excellent).';

CREATE INDEX feedback_tenant_message_idx
    ON feedback (tenant_id, message_id);

CREATE TRIGGER feedback_set_updated_at
    BEFORE UPDATE ON feedback
    FOR EACH ROW
    EXECUTE FUNCTION ${schema}.set_updated_at();

ALTER TABLE feedback ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON feedback
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
