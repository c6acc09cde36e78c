-- Roll back 007: drop the messages (tenant_id, role, created_at) index without blocking writes.
-- flotilla:no-transaction

DROP INDEX CONCURRENTLY IF EXISTS messages_tenant_role_created_idx;
