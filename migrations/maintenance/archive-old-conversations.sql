-- Archive conversations with no activity for six months (status 'archived' keeps them out of the live views).
-- flotilla:cron 0 0 3 1 * ?
UPDATE conversations
SET status = 'archived'
WHERE status = 'active'
  AND updated_at < now() - interval '6 months';
