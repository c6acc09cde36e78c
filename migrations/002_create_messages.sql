-- Create the messages table (chat turns belonging to a conversation) with tenant row-level security.

CREATE TABLE messages (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    conversation_id  uuid        NOT NULL
                                 REFERENCES conversations (id) ON DELETE CASCADE,
    tenant_id        uuid        NOT NULL,
    role             text        NOT NULL
                                 CONSTRAINT messages_role_check
                                 CHECK (role IN ('user', 'assistant', 'system', 'tool')),
    content          text        NOT NULL,
    token_count      integer     CONSTRAINT messages_token_count_check
                                 CHECK (token_count IS NULL OR token_count >= 0),
    created_at       timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE messages IS 'Individual chat turns; deleted together with their conversation.';

CREATE INDEX messages_tenant_conversation_created_idx
    ON messages (tenant_id, conversation_id, created_at);

ALTER TABLE messages ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON messages
    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
