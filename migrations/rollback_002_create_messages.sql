-- Roll back 002: drop the messages table together with its policy and indexes.

DROP POLICY IF EXISTS tenant_isolation ON messages;

DROP TABLE IF EXISTS messages;
