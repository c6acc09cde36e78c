-- Sample data for a test or demo schema: its AI settings, two conversations with five messages, one rating, two days
-- of usage. Fixed ids and dates with ON CONFLICT DO NOTHING, so seeding again adds nothing.
-- The tenant id comes from the company's settings (tenant_id) when it has one.
-- flotilla:default tenant_id=00000000-0000-4000-8000-00000000a001

-- Row-level security compares tenant_id with app.tenant_id (for roles it applies to): set it for this transaction.
SELECT set_config('app.tenant_id', '${tenant_id}', true);

INSERT INTO ai_config (tenant_id, embedding_model)
VALUES ('${tenant_id}', 'text-embedding-3-small')
ON CONFLICT (tenant_id) DO NOTHING;

INSERT INTO conversations (id, tenant_id, title, status, created_at, updated_at)
VALUES ('5eed0000-0000-4000-8000-000000000001', '${tenant_id}', 'Getting started', 'active',
        '2026-11-30 09:00:00+00', '2026-11-30 09:05:00+00'),
       ('5eed0000-0000-4000-8000-000000000002', '${tenant_id}', 'Refund policy', 'archived',
        '2026-11-29 14:00:00+00', '2026-11-29 14:02:00+00')
ON CONFLICT (id) DO NOTHING;

INSERT INTO messages (id, conversation_id, tenant_id, role, content, token_count, created_at)
VALUES ('5eed0000-0000-4000-8000-000000000101', '5eed0000-0000-4000-8000-000000000001', '${tenant_id}', 'system',
        'You are a helpful assistant.', 7, '2026-11-30 09:00:00+00'),
       ('5eed0000-0000-4000-8000-000000000102', '5eed0000-0000-4000-8000-000000000001', '${tenant_id}', 'user',
        'How do I invite a colleague?', 8, '2026-11-30 09:01:00+00'),
       ('5eed0000-0000-4000-8000-000000000103', '5eed0000-0000-4000-8000-000000000001', '${tenant_id}', 'assistant',
        'Open Settings, then Members, and choose Invite.', 12, '2026-11-30 09:01:30+00'),
       ('5eed0000-0000-4000-8000-000000000104', '5eed0000-0000-4000-8000-000000000002', '${tenant_id}', 'user',
        'Can I get a refund after 30 days?', 10, '2026-11-29 14:00:00+00'),
       ('5eed0000-0000-4000-8000-000000000105', '5eed0000-0000-4000-8000-000000000002', '${tenant_id}', 'assistant',
        'Refunds are possible within 30 days of purchase.', 11, '2026-11-29 14:00:20+00')
ON CONFLICT (id) DO NOTHING;

INSERT INTO feedback (id, message_id, tenant_id, rating, comment, created_at, updated_at)
VALUES ('5eed0000-0000-4000-8000-000000000201', '5eed0000-0000-4000-8000-000000000103', '${tenant_id}', 5,
        'Clear and quick.', '2026-11-30 09:02:00+00', '2026-11-30 09:02:00+00')
ON CONFLICT (id) DO NOTHING;

INSERT INTO usage_metrics (tenant_id, metric_date, model, prompt_tokens, completion_tokens, request_count)
VALUES ('${tenant_id}', '2026-11-29', 'gpt-4o-mini', 1200, 800, 14),
       ('${tenant_id}', '2026-11-30', 'gpt-4o-mini', 2100, 1500, 23)
ON CONFLICT (tenant_id, metric_date, model) DO NOTHING;

-- The daily stats view counts the rows above.
REFRESH MATERIALIZED VIEW conversation_daily_stats;
