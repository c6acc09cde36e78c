-- GET /api/v1/ledger?server=: newest steps of one server. Without it, a server with few steps in a long ledger
-- is found by walking the whole primary key backwards (60 ms at 500,000 rows; under 1 ms with it).
-- V9: the perserver branch takes V8.
CREATE INDEX migration_ledger_server_idx ON public.migration_ledger (server, id);
