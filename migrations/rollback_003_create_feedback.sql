-- Roll back 003: drop the feedback table together with its policy, trigger and indexes.

DROP POLICY IF EXISTS tenant_isolation ON feedback;

DROP TRIGGER IF EXISTS feedback_set_updated_at ON feedback;

DROP TABLE IF EXISTS feedback;
