-- The audit trail (issue 23, audit): one row per change asked of the API, refused ones included, written by the
-- audit.AuditRecorder response filter before the answer leaves. Who (the token's subject and role, absent when no
-- valid token came), when, what (operation id, method, path, the ids in the path and the one created) and the
-- answer's status. The request body is kept only as a summary with secrets, passwords, tokens and URLs' paths cut
-- out (audit.Redaction); never a token. Rows are only ever inserted; the id orders them as they were answered.
CREATE TABLE IF NOT EXISTS public.audit_entries (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    subject    text,
    role       text,
    action     text NOT NULL,
    method     text NOT NULL,
    path       text NOT NULL,
    targets    jsonb NOT NULL DEFAULT '{}',
    summary    jsonb,
    status     integer NOT NULL
);

-- GET /api/v1/audit pages newest first by id, filtered by subject, action or time.
CREATE INDEX IF NOT EXISTS audit_entries_by_subject ON public.audit_entries (subject, id DESC);
CREATE INDEX IF NOT EXISTS audit_entries_by_action ON public.audit_entries (action, id DESC);
CREATE INDEX IF NOT EXISTS audit_entries_by_time ON public.audit_entries (at);
