-- Create the conversation_daily_stats materialized view (per-tenant daily conversation and message counts, UTC days).

CREATE MATERIALIZED VIEW conversation_daily_stats AS
WITH conversation_days AS (
    SELECT c.tenant_id,
           (c.created_at AT TIME ZONE 'UTC')::date AS day,
           count(*)                                 AS conversations
      FROM conversations c
     GROUP BY 1, 2
),
message_days AS (
    SELECT m.tenant_id,
           (m.created_at AT TIME ZONE 'UTC')::date              AS day,
           count(*)                                              AS messages,
           count(*) FILTER (WHERE m.role = 'user')               AS user_messages,
           count(*) FILTER (WHERE m.role = 'assistant')          AS assistant_messages,
           count(DISTINCT m.conversation_id)                     AS active_conversations,
           coalesce(sum(m.token_count), 0)                       AS total_tokens
      FROM messages m
     GROUP BY 1, 2
)
SELECT coalesce(cd.tenant_id, md.tenant_id)   AS tenant_id,
       coalesce(cd.day, md.day)               AS day,
       coalesce(cd.conversations, 0)          AS conversations,
       coalesce(md.active_conversations, 0)   AS active_conversations,
       coalesce(md.messages, 0)               AS messages,
       coalesce(md.user_messages, 0)          AS user_messages,
       coalesce(md.assistant_messages, 0)     AS assistant_messages,
       coalesce(md.total_tokens, 0)           AS total_tokens
  FROM conversation_days cd
  FULL OUTER JOIN message_days md
    ON md.tenant_id = cd.tenant_id
   AND md.day = cd.day
WITH DATA;

COMMENT ON MATERIALIZED VIEW conversation_daily_stats IS
    'Daily conversation/message rollup per tenant (UTC days). Refresh with REFRESH MATERIALIZED VIEW CONCURRENTLY.';

-- Required for REFRESH MATERIALIZED VIEW CONCURRENTLY.
CREATE UNIQUE INDEX conversation_daily_stats_tenant_day_key
    ON conversation_daily_stats (tenant_id, day);
