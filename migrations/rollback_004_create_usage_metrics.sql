-- Roll back 004: drop the usage_metrics table together with its policy and unique constraint.

DROP POLICY IF EXISTS tenant_isolation ON usage_metrics;

DROP TABLE IF EXISTS usage_metrics;
