-- Roll back 001: drop the conversations table (with its policy, trigger and index) and the updated_at trigger function.

DROP POLICY IF EXISTS tenant_isolation ON conversations;

DROP TRIGGER IF EXISTS conversations_set_updated_at ON conversations;

DROP TABLE IF EXISTS conversations;

DROP FUNCTION IF EXISTS ${schema}.set_updated_at();
