-- Roll back 006: drop the conversation_daily_stats materialized view and its unique index.

DROP INDEX IF EXISTS conversation_daily_stats_tenant_day_key;

DROP MATERIALIZED VIEW IF EXISTS conversation_daily_stats;
