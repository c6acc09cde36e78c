-- Add an index on messages (tenant_id, role, created_at) without blocking writes, for per-role message listing and search filters.
-- flotilla:no-transaction

CREATE INDEX CONCURRENTLY IF NOT EXISTS messages_tenant_role_created_idx
    ON messages (tenant_id, role, created_at);
