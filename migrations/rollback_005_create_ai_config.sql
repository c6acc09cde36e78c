-- Roll back 005: drop the ai_config table together with its policy and trigger.

DROP POLICY IF EXISTS tenant_isolation ON ai_config;

DROP TRIGGER IF EXISTS ai_config_set_updated_at ON ai_config;

DROP TABLE IF EXISTS ai_config;
